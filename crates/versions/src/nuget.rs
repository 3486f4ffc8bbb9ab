//! NuGet versions, ordered as NuGet's `NuGetVersion` / `VersionComparer.Default`
//! orders them (no oracle runs offline; the rules are NuGet's documented
//! ones, docs.microsoft.com "Package versioning"):
//!
//! - `Major[.Minor[.Patch[.Revision]]][-prerelease][+metadata]`, missing
//!   numbers are 0 (`1.0` = `1.0.0.0`), a leading `v` is not accepted;
//! - a release is newer than its pre-releases; pre-release labels compare
//!   one by one, numeric labels by value and below alphanumeric ones,
//!   alphanumeric labels case-insensitively; more labels win on a tie;
//! - build metadata is ignored.

use crate::digits::{all_digits, cmp_digits};
use crate::{Scheme, VersionError, invalid};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub(crate) struct NuGetVersion {
    /// Major, minor, patch, revision.
    numbers: [Box<str>; 4],
    /// Lower-cased pre-release labels; empty for a release.
    pre: Vec<Box<str>>,
}

fn err(reason: &'static str) -> VersionError {
    invalid(Scheme::NuGet, reason)
}

fn is_label(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

impl NuGetVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        let v = v.trim();
        let (v, metadata) = match v.split_once('+') {
            Some((v, m)) => (v, Some(m)),
            None => (v, None),
        };
        if metadata.is_some_and(|m| !m.split('.').all(is_label)) {
            return Err(err("bad build metadata"));
        }
        let (core, pre) = match v.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (v, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 4 || !parts.iter().all(|p| all_digits(p)) {
            return Err(err("not 1 to 4 dot-separated numbers"));
        }
        // NuGet stores each number in a 32-bit int.
        if parts
            .iter()
            .any(|p| cmp_digits(p, "2147483647") == Ordering::Greater)
        {
            return Err(err("number above 2147483647"));
        }
        let pre: Vec<Box<str>> = match pre {
            Some(p) => {
                if !p.split('.').all(is_label) {
                    return Err(err("bad pre-release label"));
                }
                p.split('.')
                    .map(|l| l.to_ascii_lowercase().into())
                    .collect()
            }
            None => Vec::new(),
        };
        let number = |i: usize| -> Box<str> { parts.get(i).copied().unwrap_or("0").into() };
        Ok(NuGetVersion {
            numbers: [number(0), number(1), number(2), number(3)],
            pre,
        })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.numbers.iter().zip(&other.numbers) {
            match cmp_digits(a, b) {
                Ordering::Equal => {}
                ord => return ord,
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let ord = match (all_digits(a), all_digits(b)) {
                (true, true) => cmp_digits(a, b),
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => a.cmp(b),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        NuGetVersion::parse(a)
            .unwrap()
            .cmp(&NuGetVersion::parse(b).unwrap())
    }

    #[test]
    fn nuget_order() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(cmp("1.0", "1.0.0.0"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-RC1", "1.0.0-rc1"), Ordering::Equal);
        assert_eq!(cmp("1.0.0+abc", "1.0.0+def"), Ordering::Equal);
        assert_eq!(cmp("01.2", "1.2"), Ordering::Equal);
        for bad in [
            "v1.0",
            "1.0.0.0.0",
            "1..0",
            "1.0-",
            "1.0-a..b",
            "a",
            "4294967296.0",
        ] {
            assert!(NuGetVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
