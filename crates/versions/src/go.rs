//! Go versions, ordered as `golang.org/x/mod/semver.Compare` orders them.
//!
//! Accepted forms: module versions with or without the `v` prefix (OSV's Go
//! ecosystem omits it), the `vMAJOR` and `vMAJOR.MINOR` shorthands,
//! `+incompatible` and other build metadata (ignored in comparisons, as Go
//! does), pseudo-versions (ordinary pre-releases, e.g.
//! `v0.0.0-20210101000000-abcdefabcdef`), and Go toolchain tags
//! (`go1.21.3`, `go1.21`, `go1.21rc1` = `1.21.0-rc.1`, `go1.9beta2`).

use crate::digits::cmp_digits;
use crate::{Scheme, VersionError, invalid};
use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub(crate) struct GoVersion {
    major: Box<str>,
    minor: Box<str>,
    patch: Box<str>,
    /// Dot-separated pre-release identifiers; empty for a release.
    pre: Box<str>,
}

fn err(reason: &'static str) -> VersionError {
    invalid(Scheme::Go, reason)
}

/// A SemVer number: digits, no leading zero.
fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

impl GoVersion {
    pub(crate) fn parse(v: &str) -> Result<Self, VersionError> {
        let v = v.trim();
        if let Some(tag) = v.strip_prefix("go") {
            return Self::parse_toolchain(tag);
        }
        let v = v.strip_prefix('v').unwrap_or(v);
        let (v, build) = match v.split_once('+') {
            Some((v, build)) => (v, Some(build)),
            None => (v, None),
        };
        if let Some(build) = build
            && !build.split('.').all(is_ident)
        {
            return Err(err("bad build metadata"));
        }
        let (core, pre) = match v.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (v, None),
        };
        let mut numbers = core.split('.');
        let major = numbers.next().unwrap_or("");
        let minor = numbers.next();
        let patch = numbers.next();
        if numbers.next().is_some() {
            return Err(err("more than three numbers"));
        }
        if !is_number(major) || !minor.is_none_or(is_number) || !patch.is_none_or(is_number) {
            return Err(err("bad number"));
        }
        // Go allows the shorthands v1 and v1.2 only without pre-release or build.
        if patch.is_none() && (pre.is_some() || build.is_some()) {
            return Err(err("shorthand version with pre-release or build"));
        }
        if let Some(pre) = pre
            && !pre.split('.').all(|id| {
                is_ident(id) && (!id.bytes().all(|c| c.is_ascii_digit()) || is_number(id))
            })
        {
            return Err(err("bad pre-release"));
        }
        Ok(GoVersion {
            major: major.into(),
            minor: minor.unwrap_or("0").into(),
            patch: patch.unwrap_or("0").into(),
            pre: pre.unwrap_or("").into(),
        })
    }

    /// Go toolchain tags: `1.21.3`, `1.21`, `1.21rc1`, `1.9beta2`.
    fn parse_toolchain(tag: &str) -> Result<Self, VersionError> {
        let split = tag
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(tag.len());
        let (core, pre) = tag.split_at(split);
        let mut numbers = core.split('.');
        let major = numbers.next().unwrap_or("");
        let minor = numbers.next().unwrap_or("0");
        let patch = numbers.next().unwrap_or("0");
        if numbers.next().is_some() || ![major, minor, patch].iter().all(|n| is_number(n)) {
            return Err(err("bad Go toolchain version"));
        }
        let pre = if pre.is_empty() {
            String::new()
        } else {
            let kind = pre.trim_end_matches(|c: char| c.is_ascii_digit());
            let n = &pre[kind.len()..];
            if !matches!(kind, "rc" | "beta" | "alpha") || !is_number(n) {
                return Err(err("bad Go toolchain pre-release"));
            }
            format!("{kind}.{n}")
        };
        Ok(GoVersion {
            major: major.into(),
            minor: minor.into(),
            patch: patch.into(),
            pre: pre.into(),
        })
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.major, &other.major)
            .then_with(|| cmp_digits(&self.minor, &other.minor))
            .then_with(|| cmp_digits(&self.patch, &other.patch))
            .then_with(|| cmp_prerelease(&self.pre, &other.pre))
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GoVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GoVersion {}

/// SemVer pre-release precedence; a release (empty) is newest.
fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    let (mut ia, mut ib) = (a.split('.'), b.split('.'));
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (is_number(x), is_number(y)) {
                    (true, true) => cmp_digits(x, y),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        GoVersion::parse(a)
            .unwrap()
            .cmp(&GoVersion::parse(b).unwrap())
    }

    #[test]
    fn go_examples() {
        assert_eq!(cmp("v1", "v1.0.0"), Ordering::Equal);
        assert_eq!(cmp("v1.2", "v1.2.0"), Ordering::Equal);
        assert_eq!(cmp("1.2.3", "v1.2.3"), Ordering::Equal);
        assert_eq!(cmp("v2.0.0+incompatible", "v2.0.0"), Ordering::Equal);
        assert_eq!(
            cmp("v0.0.0-20210101000000-abcdefabcdef", "v0.0.1"),
            Ordering::Less
        );
        assert_eq!(
            cmp("v1.2.4-0.20210101000000-abcdefabcdef", "v1.2.3"),
            Ordering::Greater
        );
        assert_eq!(
            cmp("v1.2.4-0.20210101000000-abcdefabcdef", "v1.2.4"),
            Ordering::Less
        );
        assert_eq!(cmp("go1.21.3", "1.21.3"), Ordering::Equal);
        assert_eq!(cmp("go1.21rc1", "1.21.0"), Ordering::Less);
        assert_eq!(cmp("go1.21", "1.21.0"), Ordering::Equal);
        assert_eq!(cmp("go1.21rc2", "go1.21rc10"), Ordering::Less);
        for bad in [
            "v1.2-pre",
            "v01.2.3",
            "v1.2.3.4",
            "v1.2.3-01",
            "v1+x",
            "x",
            "go1.21foo1",
        ] {
            assert!(GoVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
