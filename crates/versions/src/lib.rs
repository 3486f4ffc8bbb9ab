//! Version schemes of package ecosystems: parse a version string and order
//! versions exactly as the ecosystem's own tool does (dpkg, rpm, apk-tools,
//! Python `packaging`, npm `semver`, Go `x/mod/semver`, Maven
//! `ComparableVersion`, RubyGems `Gem::Version`, NuGet, Composer).
//!
//! This crate sits one floor below `palisade-vulndb`: it knows nothing about
//! OSV records or databases, only strings and orders, so that it can be
//! fuzzed and differential-tested against the real tools in isolation
//! (`tests/differential.rs`, `fuzz/fuzz_targets/versions.rs`).
//!
//! Every input is treated as hostile: versions longer than [`MAX_LEN`]
//! bytes are refused before parsing; the hand-written schemes compare
//! numbers of any length as digit strings (never parsed into integers that
//! could overflow); the two backed by crates (SemVer, PEP 440) refuse
//! numbers beyond 64 bits; nothing panics.
//!
//! ```
//! use palisade_versions::Scheme;
//! use std::cmp::Ordering;
//! let debian = Scheme::for_ecosystem("Debian:12").unwrap();
//! assert_eq!(debian.compare("1.0~rc1-1", "1.0-1").unwrap(), Ordering::Less);
//! ```

mod apk;
mod digits;
mod dpkg;
mod go;
mod maven;
mod nuget;
mod packagist;
mod pep440;
mod rpm;
mod rubygems;
mod semver;

use std::cmp::Ordering;
use std::fmt;

/// Longest version string accepted, in bytes. Real versions are far shorter
/// (the longest in the OSV data is under 100 bytes).
pub const MAX_LEN: usize = 256;

/// A version ordering, one per family of ecosystems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    /// Debian, Ubuntu: `dpkg --compare-versions`.
    Dpkg,
    /// Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE, ...: `rpmvercmp` on epoch:version-release.
    Rpm,
    /// Alpine, Wolfi, Chainguard: apk-tools `apk version -t`.
    Apk,
    /// PyPI: PEP 440 as Python `packaging` implements it.
    Pep440,
    /// npm, crates.io: SemVer 2.0 precedence (build metadata ignored).
    Semver,
    /// Go modules and the Go toolchain: `golang.org/x/mod/semver`.
    Go,
    /// Maven: `org.apache.maven.artifact.versioning.ComparableVersion`.
    Maven,
    /// RubyGems: `Gem::Version`.
    RubyGems,
    /// NuGet: `NuGetVersion` (SemVer 2.0 with an optional fourth number).
    NuGet,
    /// Packagist: Composer's version normalisation then PHP `version_compare`.
    Packagist,
}

/// Why a version string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("version is empty")]
    Empty,
    #[error("version is {len} bytes long (at most {MAX_LEN} accepted)")]
    TooLong { len: usize },
    #[error("not a valid {scheme} version: {reason}")]
    Invalid {
        scheme: Scheme,
        reason: &'static str,
    },
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Ecosystem names (the part of an OSV `ecosystem` before the first `:`),
/// matched ignoring ASCII case.
const ECOSYSTEMS: &[(&str, Scheme)] = &[
    ("Debian", Scheme::Dpkg),
    ("Ubuntu", Scheme::Dpkg),
    ("Alpine", Scheme::Apk),
    ("Wolfi", Scheme::Apk),
    ("Chainguard", Scheme::Apk),
    ("Alpaquita", Scheme::Apk),
    ("Red Hat", Scheme::Rpm),
    ("Rocky Linux", Scheme::Rpm),
    ("AlmaLinux", Scheme::Rpm),
    ("openSUSE", Scheme::Rpm),
    ("SUSE", Scheme::Rpm),
    ("Mageia", Scheme::Rpm),
    ("openEuler", Scheme::Rpm),
    ("Photon OS", Scheme::Rpm),
    ("Azure Linux", Scheme::Rpm),
    ("Mariner", Scheme::Rpm),
    ("PyPI", Scheme::Pep440),
    ("npm", Scheme::Semver),
    ("crates.io", Scheme::Semver),
    ("Go", Scheme::Go),
    ("Maven", Scheme::Maven),
    ("RubyGems", Scheme::RubyGems),
    ("NuGet", Scheme::NuGet),
    ("Packagist", Scheme::Packagist),
];

impl Scheme {
    /// Every scheme, for tests and fuzzing.
    pub const ALL: [Scheme; 10] = [
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Pep440,
        Scheme::Semver,
        Scheme::Go,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Packagist,
    ];

    /// Short lower-case name ("dpkg", "pep440", ...).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Pep440 => "pep440",
            Scheme::Semver => "semver",
            Scheme::Go => "go",
            Scheme::Maven => "maven",
            Scheme::RubyGems => "rubygems",
            Scheme::NuGet => "nuget",
            Scheme::Packagist => "packagist",
        }
    }

    /// OSV ecosystem string -> scheme: "Debian", "Debian:12",
    /// "Ubuntu:22.04:LTS", "Alpine:v3.18", "Wolfi", "Chainguard",
    /// "Rocky Linux:9", "AlmaLinux:8", "Red Hat", "openSUSE", "SUSE", "PyPI",
    /// "npm", "crates.io", "Go", "Maven", "RubyGems", "NuGet", "Packagist".
    /// `None` for ecosystems without a supported scheme.
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or("").trim();
        ECOSYSTEMS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(base))
            .map(|&(_, scheme)| scheme)
    }

    /// Total order consistent with the ecosystem's own tool; `Err` for
    /// strings the scheme cannot parse.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        Ok(self.parse(a)?.cmp(&self.parse(b)?))
    }

    /// Parses `v` once, for many cheap comparisons.
    pub fn parse(self, v: &str) -> Result<Version, VersionError> {
        if v.len() > MAX_LEN {
            return Err(VersionError::TooLong { len: v.len() });
        }
        if v.trim().is_empty() {
            return Err(VersionError::Empty);
        }
        let parsed = match self {
            Scheme::Dpkg => Parsed::Dpkg(dpkg::DpkgVersion::parse(v)?),
            Scheme::Rpm => Parsed::Rpm(rpm::RpmVersion::parse(v)?),
            Scheme::Apk => Parsed::Apk(apk::ApkVersion::parse(v)?),
            Scheme::Pep440 => Parsed::Pep440(pep440::Pep440Version::parse(v)?),
            Scheme::Semver => Parsed::Semver(semver::SemverVersion::parse(v)?),
            Scheme::Go => Parsed::Go(go::GoVersion::parse(v)?),
            Scheme::Maven => Parsed::Maven(maven::MavenVersion::parse(v)?),
            Scheme::RubyGems => Parsed::RubyGems(rubygems::GemVersion::parse(v)?),
            Scheme::NuGet => Parsed::NuGet(nuget::NuGetVersion::parse(v)?),
            Scheme::Packagist => Parsed::Packagist(packagist::ComposerVersion::parse(v)?),
        };
        Ok(Version(parsed))
    }
}

/// A parsed version. Ordering is the scheme's order; compare only versions
/// of the same scheme (versions of different schemes order by scheme, which
/// keeps `Ord` total but means nothing).
#[derive(Debug, Clone)]
pub struct Version(Parsed);

#[derive(Debug, Clone)]
enum Parsed {
    Dpkg(dpkg::DpkgVersion),
    Rpm(rpm::RpmVersion),
    Apk(apk::ApkVersion),
    Pep440(pep440::Pep440Version),
    Semver(semver::SemverVersion),
    Go(go::GoVersion),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Packagist(packagist::ComposerVersion),
}

impl Version {
    /// The scheme this version was parsed with.
    pub fn scheme(&self) -> Scheme {
        match &self.0 {
            Parsed::Dpkg(_) => Scheme::Dpkg,
            Parsed::Rpm(_) => Scheme::Rpm,
            Parsed::Apk(_) => Scheme::Apk,
            Parsed::Pep440(_) => Scheme::Pep440,
            Parsed::Semver(_) => Scheme::Semver,
            Parsed::Go(_) => Scheme::Go,
            Parsed::Maven(_) => Scheme::Maven,
            Parsed::RubyGems(_) => Scheme::RubyGems,
            Parsed::NuGet(_) => Scheme::NuGet,
            Parsed::Packagist(_) => Scheme::Packagist,
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Parsed::Dpkg(a), Parsed::Dpkg(b)) => a.cmp(b),
            (Parsed::Rpm(a), Parsed::Rpm(b)) => a.cmp(b),
            (Parsed::Apk(a), Parsed::Apk(b)) => a.cmp(b),
            (Parsed::Pep440(a), Parsed::Pep440(b)) => a.cmp(b),
            (Parsed::Semver(a), Parsed::Semver(b)) => a.cmp(b),
            (Parsed::Go(a), Parsed::Go(b)) => a.cmp(b),
            (Parsed::Maven(a), Parsed::Maven(b)) => a.cmp(b),
            (Parsed::RubyGems(a), Parsed::RubyGems(b)) => a.cmp(b),
            (Parsed::NuGet(a), Parsed::NuGet(b)) => a.cmp(b),
            (Parsed::Packagist(a), Parsed::Packagist(b)) => a.cmp(b),
            _ => self.scheme().cmp(&other.scheme()),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equal means "same position in the order" (`1.0` and `1.0.0` are equal
/// under several schemes), consistent with `Ord`.
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

fn invalid(scheme: Scheme, reason: &'static str) -> VersionError {
    VersionError::Invalid { scheme, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_schemes() {
        for (eco, scheme) in [
            ("Debian", Scheme::Dpkg),
            ("Debian:12", Scheme::Dpkg),
            ("Ubuntu:22.04:LTS", Scheme::Dpkg),
            ("Ubuntu:Pro:18.04:LTS", Scheme::Dpkg),
            ("Alpine:v3.18", Scheme::Apk),
            ("Wolfi", Scheme::Apk),
            ("Chainguard", Scheme::Apk),
            ("Rocky Linux:9", Scheme::Rpm),
            ("AlmaLinux:8", Scheme::Rpm),
            ("Red Hat:enterprise_linux:9::appstream", Scheme::Rpm),
            ("openSUSE:Leap 15.5", Scheme::Rpm),
            ("SUSE:Linux Enterprise Server 15 SP5", Scheme::Rpm),
            ("PyPI", Scheme::Pep440),
            ("npm", Scheme::Semver),
            ("crates.io", Scheme::Semver),
            ("Go", Scheme::Go),
            ("Maven", Scheme::Maven),
            ("RubyGems", Scheme::RubyGems),
            ("NuGet", Scheme::NuGet),
            ("Packagist", Scheme::Packagist),
        ] {
            assert_eq!(Scheme::for_ecosystem(eco), Some(scheme), "{eco}");
        }
        assert_eq!(Scheme::for_ecosystem("Hackage"), None);
        assert_eq!(Scheme::for_ecosystem(""), None);
        assert_eq!(Scheme::for_ecosystem("GIT"), None);
    }

    #[test]
    fn long_and_empty_inputs_are_refused_by_every_scheme() {
        let long = "1".repeat(MAX_LEN + 1);
        for scheme in Scheme::ALL {
            assert_eq!(
                scheme.parse(&long).unwrap_err(),
                VersionError::TooLong { len: MAX_LEN + 1 }
            );
            assert_eq!(scheme.parse("").unwrap_err(), VersionError::Empty);
            assert_eq!(scheme.parse("  ").unwrap_err(), VersionError::Empty);
        }
    }
}
