//! RPM versions, `[epoch:]version[-release]`, ordered as rpm orders them:
//! epochs numerically (missing = 0), then `rpmvercmp` on version, then on
//! release (a missing release sorts below any release). The split follows rpm's own: the epoch is the run of digits
//! before a first `:`, the release follows the last `-` after it.
//!
//! rpm accepts any string, so only empty and over-long inputs are errors.

use crate::VersionError;
use crate::digits::{cmp_digit_bytes, cmp_digits, digit_run};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub(crate) struct RpmVersion {
    epoch: Box<str>,
    version: Box<str>,
    /// `None` without a `-`: rpm then sorts it below every release, even an empty one.
    release: Option<Box<str>>,
}

impl RpmVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        let digits = digit_run(v.as_bytes());
        let (epoch, rest) = match v[digits..].strip_prefix(':') {
            Some(rest) => (&v[..digits], rest),
            None => ("0", v),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r.into())),
            None => (rest, None),
        };
        Ok(RpmVersion {
            epoch: epoch.into(),
            version: version.into(),
            release,
        })
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.epoch, &other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

fn is_separator(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
}

/// rpm's segment comparison: runs of digits or of letters, other characters
/// separate; `~` sorts before everything (even the end), `^` after the end
/// but before anything else; a number beats letters.
fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return Ordering::Equal;
    }
    loop {
        while a.first().is_some_and(|&c| is_separator(c)) {
            a = &a[1..];
        }
        while b.first().is_some_and(|&c| is_separator(c)) {
            b = &b[1..];
        }
        let (ca, cb) = (a.first().copied(), b.first().copied());
        if ca.is_none() && cb.is_none() {
            return Ordering::Equal;
        }
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            (a, b) = (&a[1..], &b[1..]);
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            (a, b) = (&a[1..], &b[1..]);
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            // One side ran out: the longer version is newer.
            return if ca.is_none() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        };
        let numeric = ca.is_ascii_digit();
        let run = |s: &[u8]| {
            if numeric {
                digit_run(s)
            } else {
                s.iter().take_while(|c| c.is_ascii_alphabetic()).count()
            }
        };
        let (na, nb) = (run(a), run(b));
        // Segments of different kinds: a number is newer than letters.
        if nb == 0 {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (sa, sb) = (&a[..na], &b[..nb]);
        let ord = if numeric {
            cmp_digit_bytes(sa, sb)
        } else {
            sa.cmp(sb)
        };
        if ord != Ordering::Equal {
            return ord;
        }
        (a, b) = (&a[na..], &b[nb..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        RpmVersion::parse(a)
            .unwrap()
            .cmp(&RpmVersion::parse(b).unwrap())
    }

    #[test]
    fn rpm_examples() {
        assert_eq!(rpmvercmp("1.0", "1.0"), Ordering::Equal);
        assert_eq!(rpmvercmp("1.0", "2.0"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0a", "1.0"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0a", "1.0.1"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0^git1", "1.0.1"), Ordering::Less);
        assert_eq!(rpmvercmp("1.010", "1.10"), Ordering::Equal);
        assert_eq!(rpmvercmp("1_0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("1:1.0-1", "2.0-1"), Ordering::Greater);
        assert_eq!(
            cmp("0:4.18.0-477.10.1.el8_8", "4.18.0-477.10.1.el8_8"),
            Ordering::Equal
        );
        assert_eq!(
            cmp("4.18.0-477.el8", "4.18.0-477.10.1.el8_8"),
            Ordering::Less
        );
    }
}
