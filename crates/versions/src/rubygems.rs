//! RubyGems versions, ordered as `Gem::Version#<=>` orders them.
//!
//! A version is `digits{.alnum}` with an optional `-pre.release` part (a
//! `-` reads as `.pre.`). It splits into segments, runs of digits or of
//! letters; trailing zero numbers are dropped (before the first letter
//! segment and at the end), then segments compare in turn: numbers by
//! value, strings bytewise, a string (pre-release) below any number, and a
//! missing segment counts as 0.

use crate::digits::{cmp_digits, digit_run};
use crate::{Scheme, VersionError, invalid};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Number(Box<str>),
    Text(Box<str>),
}

#[derive(Debug, Clone)]
pub(crate) struct GemVersion {
    segments: Vec<Segment>,
}

fn err(reason: &'static str) -> VersionError {
    invalid(Scheme::RubyGems, reason)
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN`: `\d+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`.
fn well_formed(v: &str) -> bool {
    let (release, pre) = match v.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (v, None),
    };
    let mut parts = release.split('.');
    let first = parts.next().unwrap_or("");
    let first_ok = !first.is_empty() && digit_run(first.as_bytes()) == first.len();
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

impl GemVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        let v = v.trim();
        if !well_formed(v) {
            return Err(err("not digits{.alnum}[-pre]"));
        }
        let mut segments = Vec::new();
        let mut rest = v.as_bytes();
        while let Some(&c) = rest.first() {
            let n = if c.is_ascii_digit() {
                digit_run(rest)
            } else if c.is_ascii_alphabetic() {
                rest.iter().take_while(|c| c.is_ascii_alphabetic()).count()
            } else {
                // `.` and `-` only separate (a `-` reads as `.pre.`, whose
                // `pre` segment is added below).
                if c == b'-' {
                    segments.push(Segment::Text("pre".into()));
                }
                rest = &rest[1..];
                continue;
            };
            let text: Box<str> = std::str::from_utf8(&rest[..n]).unwrap_or_default().into();
            segments.push(if c.is_ascii_digit() {
                Segment::Number(text)
            } else {
                Segment::Text(text)
            });
            rest = &rest[n..];
        }
        Ok(GemVersion {
            segments: canonical(segments),
        })
    }
}

fn is_zero(s: &Segment) -> bool {
    matches!(s, Segment::Number(n) if n.bytes().all(|c| c == b'0'))
}

/// Drops trailing zeros of the numeric head and of the rest.
fn canonical(mut segments: Vec<Segment>) -> Vec<Segment> {
    let first_text = segments
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(segments.len());
    let mut tail = segments.split_off(first_text);
    while segments.last().is_some_and(is_zero) {
        segments.pop();
    }
    while tail.last().is_some_and(is_zero) {
        tail.pop();
    }
    segments.extend(tail);
    segments
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Number("0".into());
        let len = self.segments.len().max(other.segments.len());
        for i in 0..len {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            let ord = match (a, b) {
                (Segment::Number(x), Segment::Number(y)) => cmp_digits(x, y),
                (Segment::Text(x), Segment::Text(y)) => x.cmp(y),
                (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        GemVersion::parse(a)
            .unwrap()
            .cmp(&GemVersion::parse(b).unwrap())
    }

    #[test]
    fn gem_order() {
        let chain = [
            "1.0.a", "1.0.a.2", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.1", "1.10", "2",
        ];
        for pair in chain.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(cmp("1.0", "1"), Ordering::Equal);
        assert_eq!(cmp("1.0.0.0", "1"), Ordering::Equal);
        assert_eq!(cmp("1.0-beta", "1.0.pre.beta"), Ordering::Equal);
        assert_eq!(cmp("1.0-beta", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.a.0", "1.a"), Ordering::Equal);
        for bad in ["a", "1..2", "1.", "-1", "1.0-", "1 0", "1.0_1"] {
            assert!(GemVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
