//! Packagist (Composer) versions, ordered as PHP's `version_compare` orders
//! them, after Composer's stripping of a leading `v`.
//!
//! `version_compare` turns `-`, `_`, `+` and other non-alphanumerics into
//! `.` (except punctuation right after a digit, which starts a word:
//! `1.0~rc1` = `1.0.~rc.1`), splits digits from letters (`1.0RC1` =
//! `1.0.RC.1`), then compares
//! part by part: numbers by value; words by their special form, matched by
//! prefix: any other word < `dev` < `alpha` = `a` < `beta` = `b` < `RC` =
//! `rc` < a number < `pl` = `p`. When one version has more parts, its next
//! part decides as if compared with a number below every number.
//! Deviations (refused here): non-ASCII, a separator at either end (an
//! empty part). Numbers beyond PHP's 64-bit `long` compare by value here;
//! PHP clamps them to the same maximum.

use crate::digits::cmp_digits;
use crate::{Scheme, VersionError, invalid};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
enum Part {
    Number(Box<str>),
    /// Rank of a word: -1 unknown, 0 dev, 1 alpha, 2 beta, 3 rc, 5 patch.
    Word(i8),
}

/// A number's rank among the words.
const NUMBER_RANK: i8 = 4;

#[derive(Debug, Clone)]
pub(crate) struct ComposerVersion {
    parts: Vec<Part>,
}

fn word_rank(word: &str) -> i8 {
    // PHP matches these names as prefixes, in this order.
    const FORMS: [(&str, i8); 9] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| word.starts_with(name))
        .map_or(-1, |&(_, rank)| rank)
}

impl ComposerVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        let v = v.trim();
        let v = match v.strip_prefix(['v', 'V']) {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => v,
        };
        if !v.is_ascii() {
            return Err(invalid(Scheme::Packagist, "non-ASCII character"));
        }
        let canonical = canonicalize(v.as_bytes());
        let mut parts = Vec::new();
        for part in canonical.split(|&c| c == b'.') {
            // Canonical text is ASCII, hence UTF-8.
            let part = std::str::from_utf8(part).unwrap_or_default();
            if part.is_empty() {
                return Err(invalid(
                    Scheme::Packagist,
                    "empty part (separator at an end)",
                ));
            }
            parts.push(if part.starts_with(|c: char| c.is_ascii_digit()) {
                Part::Number(part.into())
            } else {
                Part::Word(word_rank(part))
            });
        }
        Ok(ComposerVersion { parts })
    }
}

/// PHP's canonical form: `-`, `_`, `+` become `.`; a `.` goes between a
/// digit and a non-digit (the non-digit, even punctuation, is kept); other
/// non-alphanumerics become `.`; no `.` is doubled; the first character is
/// kept as it is.
fn canonicalize(v: &[u8]) -> Vec<u8> {
    let digit = |c: u8| c.is_ascii_digit();
    let non_digit = |c: u8| !c.is_ascii_digit() && c != b'.';
    let Some((&first, rest)) = v.split_first() else {
        return Vec::new();
    };
    let mut out = vec![first];
    let mut previous = first;
    for &c in rest {
        let dot_needed = out.last() != Some(&b'.');
        if matches!(c, b'-' | b'_' | b'+') {
            if dot_needed {
                out.push(b'.');
            }
        } else if (non_digit(previous) && digit(c)) || (digit(previous) && non_digit(c)) {
            if dot_needed {
                out.push(b'.');
            }
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if dot_needed {
                out.push(b'.');
            }
        } else {
            out.push(c);
        }
        previous = c;
    }
    out
}

fn rank(p: &Part) -> i8 {
    match p {
        Part::Number(_) => NUMBER_RANK,
        Part::Word(r) => *r,
    }
}

fn cmp_part(a: &Part, b: &Part) -> Ordering {
    match (a, b) {
        (Part::Number(x), Part::Number(y)) => cmp_digits(x, y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A part against nothing: a number wins, a word by its rank against a number's.
fn cmp_extra(p: &Part) -> Ordering {
    match p {
        Part::Number(_) => Ordering::Greater,
        Part::Word(r) => r.cmp(&NUMBER_RANK),
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in 0..self.parts.len().max(other.parts.len()) {
            let ord = match (self.parts.get(i), other.parts.get(i)) {
                (Some(a), Some(b)) => cmp_part(a, b),
                (Some(a), None) => cmp_extra(a),
                (None, Some(b)) => cmp_extra(b).reverse(),
                (None, None) => Ordering::Equal,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ComposerVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        ComposerVersion::parse(a)
            .unwrap()
            .cmp(&ComposerVersion::parse(b).unwrap())
    }

    #[test]
    fn php_order() {
        let chain = [
            "1.0.0-foo",
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta",
            "1.0.0RC1",
            "1.0.0",
            "1.0.0.1",
            "1.0.0-p1",
            "1.0.1",
            "1.10",
        ];
        for pair in chain.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(cmp("v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-RC1", "1.0.0rc1"), Ordering::Equal);
        assert_eq!(cmp("1.0", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.0-foo", "1.0-xyz"), Ordering::Equal);
        assert_eq!(cmp("1.0-foo", "1.0-bar"), Ordering::Less); // "bar" reads as "b", beta
        assert_eq!(cmp("1.0.0", "1.0.0~rc1"), Ordering::Greater);
        assert_eq!(cmp("1.0.0", "1.0.0^1"), Ordering::Greater);
        for bad in ["1.", ".1", "1.0é", "1.0a-"] {
            assert!(ComposerVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
