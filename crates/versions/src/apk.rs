//! Alpine package versions (Alpine, Wolfi, Chainguard), ordered as
//! apk-tools 3 orders them (`apk version -t`):
//! `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`.
//!
//! Numbers compare by value, except that after a dot a number with a
//! leading zero compares as text (Gentoo's rule: `1.05` < `1.5`, `1.0` <
//! `1.00`). Suffixes `_alpha` < `_beta` < `_pre` < `_rc` come before the
//! release; `_cvs` < `_svn` < `_git` < `_hg` < `_p` after it. Strings apk
//! refuses (`apk version -c`) are errors, except digits right after a
//! letter (`1.7.4p6`), which apk-tools 2 accepts and Alpine's data holds.

use crate::digits::{cmp_digits, digit_run};
use crate::{Scheme, VersionError, invalid};
use std::cmp::Ordering;

/// Token kinds in the order they may follow one another; a shorter version
/// whose next token kind is larger (e.g. the end) sorts lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigits,
    Digits,
    Letter,
    Suffix,
    SuffixNumber,
    CommitHash,
    Revision,
    End,
}

/// Suffix ranks: pre-release suffixes below `None` (the release itself).
const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
const PRE_RELEASE_SUFFIXES: usize = 4;

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    /// Index into `SUFFIXES` for `Kind::Suffix`.
    suffix: usize,
    text: Box<str>,
}

#[derive(Debug, Clone)]
pub(crate) struct ApkVersion {
    tokens: Vec<Token>,
}

fn err(reason: &'static str) -> VersionError {
    invalid(Scheme::Apk, reason)
}

impl ApkVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        let mut rest = v.as_bytes();
        let mut tokens = Vec::new();
        let mut push = |kind, suffix, text: &[u8]| {
            // Tokens are ASCII slices of a str, hence valid UTF-8.
            let text = std::str::from_utf8(text).unwrap_or_default().into();
            tokens.push(Token { kind, suffix, text });
        };
        let n = digit_run(rest);
        if n == 0 {
            return Err(err("does not start with a digit"));
        }
        push(Kind::InitialDigits, 0, &rest[..n]);
        rest = &rest[n..];
        let mut last = Kind::InitialDigits;
        while let Some(&c) = rest.first() {
            let (kind, suffix, text, used) = match c {
                b'a'..=b'z' if last <= Kind::Digits => (Kind::Letter, 0, &rest[..1], 1),
                b'.' if last <= Kind::Digits => {
                    let n = digit_run(&rest[1..]);
                    if n == 0 {
                        return Err(err("dot not followed by digits"));
                    }
                    (Kind::Digits, 0, &rest[1..1 + n], 1 + n)
                }
                b'0'..=b'9' if last == Kind::Suffix => {
                    let n = digit_run(rest);
                    (Kind::SuffixNumber, 0, &rest[..n], n)
                }
                // apk-tools 2 reads digits right after a letter as a number
                // (`1.7.4p6`); apk-tools 3 refuses them. Alpine's data has them.
                b'0'..=b'9' if last == Kind::Letter => {
                    let n = digit_run(rest);
                    (Kind::Digits, 0, &rest[..n], n)
                }
                b'_' if last <= Kind::SuffixNumber => {
                    let n = rest[1..]
                        .iter()
                        .take_while(|c| c.is_ascii_lowercase())
                        .count();
                    let name = &rest[1..1 + n];
                    let Some(rank) = SUFFIXES.iter().position(|s| s.as_bytes() == name) else {
                        return Err(err("unknown suffix"));
                    };
                    (Kind::Suffix, rank, name, 1 + n)
                }
                b'~' if last < Kind::CommitHash => {
                    let n = rest[1..]
                        .iter()
                        .take_while(|c| c.is_ascii_hexdigit())
                        .count();
                    if n == 0 {
                        return Err(err("empty commit hash"));
                    }
                    (Kind::CommitHash, 0, &rest[1..1 + n], 1 + n)
                }
                b'-' if last < Kind::Revision => {
                    let Some(after) = rest.strip_prefix(b"-r") else {
                        return Err(err("hyphen not followed by r"));
                    };
                    let n = digit_run(after);
                    if n == 0 {
                        return Err(err("revision without a number"));
                    }
                    (Kind::Revision, 0, &after[..n], 2 + n)
                }
                _ => return Err(err("unexpected character")),
            };
            push(kind, suffix, text);
            last = kind;
            rest = &rest[used..];
        }
        Ok(ApkVersion { tokens })
    }
}

fn cmp_token(a: &Token, b: &Token) -> Ordering {
    match a.kind {
        Kind::Digits if a.text.starts_with('0') || b.text.starts_with('0') => a.text.cmp(&b.text),
        Kind::InitialDigits | Kind::Digits | Kind::SuffixNumber | Kind::Revision => {
            cmp_digits(&a.text, &b.text)
        }
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::Letter | Kind::CommitHash | Kind::End => a.text.cmp(&b.text),
    }
}

/// Where one version has a token the other lacks: a pre-release suffix
/// sorts lower than anything, otherwise the version with the later kind of
/// token next (the end counting as latest) sorts lower.
fn rank_next(t: Option<&Token>) -> (bool, Kind) {
    match t {
        Some(t) => (
            !(t.kind == Kind::Suffix && t.suffix < PRE_RELEASE_SUFFIXES),
            t.kind,
        ),
        None => (true, Kind::End),
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let mut i = 0;
        loop {
            let (a, b) = (self.tokens.get(i), other.tokens.get(i));
            match (a, b) {
                (None, None) => return Ordering::Equal,
                (Some(x), Some(y)) if x.kind == y.kind => match cmp_token(x, y) {
                    Ordering::Equal => i += 1,
                    other => return other,
                },
                _ => {
                    let ((a_release, a_kind), (b_release, b_kind)) = (rank_next(a), rank_next(b));
                    return a_release.cmp(&b_release).then(b_kind.cmp(&a_kind));
                }
            }
        }
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        ApkVersion::parse(a)
            .unwrap()
            .cmp(&ApkVersion::parse(b).unwrap())
    }

    #[test]
    fn alpine_order() {
        let chain = [
            "1.0_alpha",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0_cvs",
            "1.0_git20240101",
            "1.0_p1",
            "1.0a",
            "1.0b",
            "1.0.1",
            "1.00",
            "1.05",
            "1.1",
            "1.10",
            "2",
        ];
        for pair in chain.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(cmp("01.2", "1.2"), Ordering::Equal);
        assert_eq!(cmp("1.2-r10", "1.2-r9"), Ordering::Greater);
        assert_eq!(cmp("1.7.4p6-r0", "1.7.4p10-r0"), Ordering::Less);
        assert_eq!(cmp("1.7.4p6", "1.7.4p"), Ordering::Greater);
        assert_eq!(cmp("1.7.4p6", "1.7.5"), Ordering::Less);
        assert_eq!(cmp("1.2~abc-r0", "1.2-r0"), Ordering::Greater);
    }

    #[test]
    fn refuses_what_apk_refuses() {
        for bad in [
            "a1",
            "1.",
            "1..2",
            "1-2",
            "1-r",
            "1_foo",
            "1_",
            "1~",
            "1.0-r1-r2",
            "1.0 ",
        ] {
            assert!(ApkVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
