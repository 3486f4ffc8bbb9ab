//! Finding the `key = value` around a keyword hit, without regexes: the
//! key is the run of key characters around the hit, then an optional
//! closing quote, a separator and the value. Every step looks at a bounded
//! number of bytes, so a hit costs O(1) whatever the content.

use std::ops::Range;

/// Longest key considered (longer runs of key characters are not keys).
const MAX_KEY: usize = 128;
/// Longest value considered.
const MAX_VALUE: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    pub(crate) key: Range<usize>,
    /// `=`, `:`, `>` (XML element) or ` ` (`--flag value`).
    pub(crate) sep: u8,
    pub(crate) value: Range<usize>,
}

pub(crate) fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// The key around `[hit, hit_end)`: `None` when the run of key characters
/// is longer than [`MAX_KEY`].
pub(crate) fn key_around(content: &[u8], hit: usize, hit_end: usize) -> Option<Range<usize>> {
    let mut s = hit;
    while s > 0 && is_key_char(content[s - 1]) {
        if hit_end - s >= MAX_KEY {
            return None;
        }
        s -= 1;
    }
    let mut e = hit_end;
    while e < content.len() && is_key_char(content[e]) {
        if e - s >= MAX_KEY {
            return None;
        }
        e += 1;
    }
    Some(s..e)
}

fn skip_blanks(content: &[u8], mut p: usize) -> usize {
    let limit = p + 64;
    while p < content.len() && p < limit && matches!(content[p], b' ' | b'\t') {
        p += 1;
    }
    p
}

/// Where bare values end, remembered between hits: hits come in
/// increasing order, so a run without a delimiter is searched once, not
/// once per hit inside it (10 MB of `password=password=...`).
#[derive(Debug, Default)]
pub(crate) struct Delimiters {
    /// Searched from `from` up to `to`: no delimiter in `from..to`, and
    /// `found` says whether `to` is one.
    from: usize,
    to: usize,
    found: bool,
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b',' | b';' | b'"' | b'\'' | b'`' | b'<' | b'>' | b')' | b'}' | b']' | b'&'
        )
}

impl Delimiters {
    /// The end of a bare value starting at `p`: the first delimiter within
    /// [`MAX_VALUE`] bytes, or the end of the content; `None` if the value
    /// would be longer.
    fn bare_end(&mut self, content: &[u8], p: usize) -> Option<usize> {
        let limit = content.len().min(p + MAX_VALUE + 1);
        let mut from = p;
        if p >= self.from && p <= self.to {
            if self.found {
                return (self.to - p <= MAX_VALUE).then_some(self.to);
            }
            from = self.to;
        }
        if from < limit {
            match content[from..limit].iter().position(|&b| is_delimiter(b)) {
                Some(n) => {
                    *self = Delimiters {
                        from: p,
                        to: from + n,
                        found: true,
                    };
                    return Some(from + n);
                }
                None => {
                    *self = Delimiters {
                        from: p,
                        to: limit,
                        found: false,
                    }
                }
            }
        }
        (limit == content.len()).then_some(content.len())
    }
}

/// The assignment whose key is `key` (see [`key_around`]).
pub(crate) fn assignment(
    content: &[u8],
    key: Range<usize>,
    delims: &mut Delimiters,
) -> Option<Assignment> {
    let mut p = key.end;
    // XML element: `<password>value</password>`.
    if key.start > 0 && content[key.start - 1] == b'<' && content.get(p) == Some(&b'>') {
        let from = p + 1;
        let n = content[from..]
            .iter()
            .take(MAX_VALUE)
            .position(|&b| b == b'<')?;
        if !content[from + n..].starts_with(b"</") {
            return None;
        }
        let raw = &content[from..from + n];
        let lead = raw.len() - raw.trim_ascii_start().len();
        let trimmed = raw.trim_ascii();
        return Some(Assignment {
            key,
            sep: b'>',
            value: from + lead..from + lead + trimmed.len(),
        });
    }
    // Closing quote of a quoted key: `"password": ...`.
    if matches!(content.get(p), Some(b'"') | Some(b'\'')) {
        p += 1;
    }
    p = skip_blanks(content, p);
    let sep = match content.get(p..).unwrap_or_default() {
        [b'=', b'>', ..] | [b':', b'=', ..] => {
            p += 2;
            b'='
        }
        [b'=', ..] => {
            p += 1;
            b'='
        }
        [b':', b'/' | b'\\' | b':', ..] => return None,
        [b':', ..] => {
            p += 1;
            b':'
        }
        // `--password value`: a flag, then blanks, then a value.
        [b' ' | b'\t', ..] | [] => return None,
        _ if content[key.start] == b'-' && p > key.end => b' ',
        _ => return None,
    };
    p = skip_blanks(content, p);
    let value = value_at(content, p, delims)?;
    Some(Assignment { key, sep, value })
}

/// The value starting at `p`: quoted, or bare up to a delimiter.
fn value_at(content: &[u8], mut p: usize, delims: &mut Delimiters) -> Option<Range<usize>> {
    let q = *content.get(p)?;
    if matches!(q, b'"' | b'\'' | b'`') {
        let start = p + 1;
        let len = content[start..]
            .iter()
            .take(MAX_VALUE)
            .position(|&b| b == q || b == b'\n')?;
        if content[start + len] != q {
            return None;
        }
        return Some(start..start + len);
    }
    let mut end = delims.bare_end(content, p)?;
    // `Authorization: Bearer <token>`: the secret is the next word.
    let word = content[p..end].to_ascii_lowercase();
    if matches!(word.as_slice(), b"bearer" | b"basic" | b"token") && content.get(end) == Some(&b' ')
    {
        p = end + 1;
        end = delims.bare_end(content, p)?;
    }
    Some(p..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, word: &str) -> Option<(String, u8, String)> {
        let c = s.as_bytes();
        let hit = s.find(word)?;
        let key = key_around(c, hit, hit + word.len())?;
        let a = assignment(c, key, &mut Delimiters::default())?;
        Some((
            s[a.key.clone()].to_string(),
            a.sep,
            s[a.value.clone()].to_string(),
        ))
    }

    #[test]
    fn delimiter_cache() {
        let c = b"aaaa bbbb";
        let mut d = Delimiters::default();
        assert_eq!(d.bare_end(c, 0), Some(4));
        assert_eq!(d.bare_end(c, 2), Some(4));
        assert_eq!(d.bare_end(c, 5), Some(9));
        let long = [b'a'; 3000];
        let mut d = Delimiters::default();
        assert_eq!(d.bare_end(&long, 0), None);
        assert_eq!(d.bare_end(&long, 1500), None);
        assert_eq!(d.bare_end(&long, 2000), Some(3000));
        let mut v = vec![b'a'; 3000];
        v[1500] = b' ';
        let mut d = Delimiters::default();
        assert_eq!(d.bare_end(&v, 0), None);
        assert_eq!(d.bare_end(&v, 600), Some(1500));
        assert_eq!(d.bare_end(&v, 1000), Some(1500));
    }

    #[test]
    fn forms() {
        let p = |s: &str, w: &str| parse(s, w).map(|(k, sep, v)| (k, sep as char, v));
        assert_eq!(
            p("DB_PASSWORD=abc", "PASS"),
            Some(("DB_PASSWORD".into(), '=', "abc".into()))
        );
        assert_eq!(
            p("export DB_PASSWORD = 'a b' # x", "PASS"),
            Some(("DB_PASSWORD".into(), '=', "a b".into()))
        );
        assert_eq!(
            p("  \"password\": \"x y\",", "pass"),
            Some(("password".into(), ':', "x y".into()))
        );
        assert_eq!(
            p("password: abc # c", "pass"),
            Some(("password".into(), ':', "abc".into()))
        );
        assert_eq!(
            p("$pass => 'abc';", "pass"),
            Some(("pass".into(), '=', "abc".into()))
        );
        assert_eq!(
            p("tok := abc", "tok"),
            Some(("tok".into(), '=', "abc".into()))
        );
        assert_eq!(
            p("<password> abc </password>", "pass"),
            Some(("password".into(), '>', "abc".into()))
        );
        assert_eq!(
            p("x --password abc", "pass"),
            Some(("--password".into(), ' ', "abc".into()))
        );
        assert_eq!(
            p("Authorization: Bearer abc", "Auth"),
            Some(("Authorization".into(), ':', "abc".into()))
        );
        assert_eq!(
            p("a?token=abc&b=1", "token"),
            Some(("token".into(), '=', "abc".into()))
        );
        assert_eq!(p("password [success=1]", "pass"), None);
        assert_eq!(p("PASS_MAX_DAYS\t99999", "PASS"), None);
        assert_eq!(p("auth://host", "auth"), None);
        assert_eq!(p("password=\"unterminated", "pass"), None);
        let long_key = format!("{}password=abc", "a".repeat(200));
        assert_eq!(p(&long_key, "pass"), None);
        let long_value = format!("password={}", "a".repeat(2000));
        assert_eq!(p(&long_value, "pass"), None);
    }
}
