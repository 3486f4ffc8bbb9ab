//! SemVer 2.0 versions (npm, crates.io), parsed by the `semver` crate and
//! ordered by SemVer precedence as npm's `semver.compare` orders them:
//! major, minor, patch, then pre-release (a release beats its
//! pre-releases); build metadata is ignored. Like npm, a leading `v` and
//! surrounding spaces are accepted.

use crate::{Scheme, VersionError, invalid};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub(crate) struct SemverVersion {
    major: u64,
    minor: u64,
    patch: u64,
    pre: semver::Prerelease,
}

impl SemverVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        let v = v.trim();
        let v = v.strip_prefix('v').unwrap_or(v);
        let parsed = semver::Version::parse(v)
            .map_err(|_| invalid(Scheme::Semver, "not MAJOR.MINOR.PATCH[-PRE][+BUILD]"))?;
        // npm refuses numbers above JavaScript's Number.MAX_SAFE_INTEGER.
        const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
        if [parsed.major, parsed.minor, parsed.patch]
            .iter()
            .any(|&n| n > MAX_SAFE_INTEGER)
        {
            return Err(invalid(Scheme::Semver, "number above 2^53-1"));
        }
        Ok(SemverVersion {
            major: parsed.major,
            minor: parsed.minor,
            patch: parsed.patch,
            pre: parsed.pre,
        })
    }
}

impl Ord for SemverVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| self.pre.cmp(&other.pre))
    }
}

impl PartialOrd for SemverVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemverVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemverVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        SemverVersion::parse(a)
            .unwrap()
            .cmp(&SemverVersion::parse(b).unwrap())
    }

    #[test]
    fn semver_spec_precedence_example() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(cmp("1.0.0+build.1", "1.0.0+build.2"), Ordering::Equal);
        assert_eq!(cmp("v1.2.3", "1.2.3"), Ordering::Equal);
        for bad in [
            "1.2",
            "01.2.3",
            "1.2.3-01",
            "1.2.3.4",
            "9007199254740992.0.0",
            "=1.2.3",
        ] {
            assert!(SemverVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
