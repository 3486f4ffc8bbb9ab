//! Debian versions, `[epoch:]upstream[-revision]`, ordered as
//! `dpkg --compare-versions` orders them (deb-version(7)).
//!
//! Inputs dpkg refuses (bad epoch, empty parts, spaces) are errors. Inputs
//! dpkg only warns about are accepted when the warning is "does not start
//! with a digit" (dpkg still compares them); characters outside dpkg's
//! alphabet are refused rather than compared.

use crate::digits::{all_digits, cmp_digit_bytes, cmp_digits, digit_run};
use crate::{Scheme, VersionError, invalid};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub(crate) struct DpkgVersion {
    epoch: Box<str>,
    upstream: Box<str>,
    revision: Box<str>,
}

fn err(reason: &'static str) -> VersionError {
    invalid(Scheme::Dpkg, reason)
}

impl DpkgVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        let v = v.trim();
        if v.contains(|c: char| c.is_ascii_whitespace()) {
            return Err(err("embedded space"));
        }
        // The epoch ends at the first colon, the revision starts after the last hyphen.
        let (epoch, rest) = match v.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() {
                    return Err(err("epoch is empty"));
                }
                if !all_digits(e) {
                    return Err(err("epoch is not a number"));
                }
                // dpkg stores the epoch in an int.
                if cmp_digits(e, "2147483647") == Ordering::Greater {
                    return Err(err("epoch is too big"));
                }
                if rest.is_empty() {
                    return Err(err("nothing after the epoch colon"));
                }
                (e, rest)
            }
            None => ("0", v),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err(err("revision is empty")),
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(err("upstream version is empty"));
        }
        let upstream_ok = |c: u8| c.is_ascii_alphanumeric() || b".-+~:".contains(&c);
        if !upstream.bytes().all(upstream_ok) {
            return Err(err("invalid character in upstream version"));
        }
        let revision_ok = |c: u8| c.is_ascii_alphanumeric() || b".+~".contains(&c);
        if !revision.bytes().all(revision_ok) {
            return Err(err("invalid character in revision"));
        }
        Ok(DpkgVersion {
            epoch: epoch.into(),
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.epoch, &other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

/// Weight of a character in the non-digit parts: `~` sorts before the end of
/// the string, letters before other characters; digits end a non-digit part
/// and weigh like the end.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// Alternating non-digit and digit parts, compared left to right.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while a.get(i).is_some_and(|c| !c.is_ascii_digit())
            || b.get(j).is_some_and(|c| !c.is_ascii_digit())
        {
            let (wa, wb) = (weight(a.get(i).copied()), weight(b.get(j).copied()));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        let (ra, rb) = (&a[i.min(a.len())..], &b[j.min(b.len())..]);
        let (na, nb) = (digit_run(ra), digit_run(rb));
        match cmp_digit_bytes(&ra[..na], &rb[..nb]) {
            Ordering::Equal => {}
            other => return other,
        }
        i += na;
        j += nb;
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DpkgVersion::parse(a)
            .unwrap()
            .cmp(&DpkgVersion::parse(b).unwrap())
    }

    #[test]
    fn debian_policy_examples() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0", "1.0+b1"), Ordering::Less);
        assert_eq!(cmp("1:0.1", "2.0"), Ordering::Greater);
        assert_eq!(cmp("1.0-1", "1.0-1.1"), Ordering::Less);
        assert_eq!(cmp("0:1.0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(cmp("2.30-1+deb12u1", "2.30-1"), Ordering::Greater);
        assert_eq!(cmp("1.2.3-1-2", "1.2.3-1"), Ordering::Greater);
    }

    #[test]
    fn refuses_what_dpkg_refuses() {
        for bad in [
            "1:",
            ":1",
            "a:1",
            "1.0-",
            "-1",
            "1 0",
            "99999999999:1",
            "1.0_1",
            "1.0-1:2",
        ] {
            assert!(DpkgVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
