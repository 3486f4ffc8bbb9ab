//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`,
//! `${key, 'default'}`, and the escapes `${*}`, `${?}`, `${$}`.
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

use crate::request::Request;

/// A pattern piece after substitution: literal text (wildcards escaped by
/// `${*}` etc. are literal) or a pattern character to interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Literal(char),
    Pattern(char),
}

/// Substitutes variables in `s`. Returns `None` when a variable cannot be
/// resolved (key absent or multi-valued, no default): AWS then treats the
/// element as not matching.
pub fn substitute(s: &str, request: &Request) -> Option<Vec<Piece>> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.extend(rest[..start].chars().map(Piece::Pattern));
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            // Not a variable: kept as written.
            out.extend(rest[start..].chars().map(Piece::Pattern));
            return Some(out);
        };
        let body = &after[..end];
        match body {
            "*" | "?" | "$" => out.push(Piece::Literal(body.chars().next().unwrap_or('$'))),
            _ => {
                let (key, default) = match body.split_once(',') {
                    Some((k, d)) => {
                        let d = d.trim();
                        let d = d.strip_prefix('\'')?.strip_suffix('\'')?;
                        (k.trim(), Some(d.replace("''", "'")))
                    }
                    None => (body.trim(), None),
                };
                let value = match request.context_values(key) {
                    Some([one]) => one.clone(),
                    _ => default?,
                };
                out.extend(value.chars().map(Piece::Literal));
            }
        }
        rest = &after[end + 1..];
    }
    out.extend(rest.chars().map(Piece::Pattern));
    Some(out)
}

/// Glob match of substituted pieces against `text`.
pub fn matches(pieces: &[Piece], text: &str, ignore_case: bool) -> bool {
    let norm = |c: char| {
        if ignore_case {
            c.to_ascii_lowercase()
        } else {
            c
        }
    };
    let t: Vec<char> = text.chars().map(norm).collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match pieces.get(pi) {
            Some(Piece::Pattern('*')) => None,
            Some(Piece::Pattern('?')) => Some(true),
            Some(Piece::Pattern(c)) | Some(Piece::Literal(c)) => Some(norm(*c) == t[ti]),
            None => Some(false),
        };
        match step {
            Some(true) => {
                pi += 1;
                ti += 1;
            }
            None => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(false) => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pieces[pi..].iter().all(|p| *p == Piece::Pattern('*'))
}

/// Pieces as plain text (for exact comparisons).
pub fn to_text(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Literal(c) | Piece::Pattern(c) => *c,
        })
        .collect()
}
