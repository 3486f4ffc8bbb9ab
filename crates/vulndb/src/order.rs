//! Version order, per ecosystem, as the range evaluator needs it.
//!
//! Range evaluation is written against [`VersionOrder`]. [`EcosystemOrder`]
//! is the real one: the exact per-ecosystem schemes of crate
//! `palisade-versions` (dpkg, rpm, apk, PEP 440, SemVer, Go, Maven,
//! RubyGems, NuGet, Packagist; each checked against its real oracle there),
//! SemVer for SEMVER ranges. A version that does not parse in its scheme is
//! "cannot compare", which makes a range undetermined rather than wrongly
//! matched or missed.

use std::cmp::Ordering;

pub trait VersionOrder {
    /// Orders `a` and `b` in `scheme`: an OSV ecosystem (`Debian:12`,
    /// `PyPI`, ...) or `SEMVER` for SEMVER ranges. `None` when either does
    /// not parse in that scheme.
    fn compare(&self, scheme: &str, a: &str, b: &str) -> Option<Ordering>;
}

/// The ecosystems' own version orders (crate `palisade-versions`).
#[derive(Debug, Clone, Copy, Default)]
pub struct EcosystemOrder;

impl VersionOrder for EcosystemOrder {
    fn compare(&self, scheme: &str, a: &str, b: &str) -> Option<Ordering> {
        // SEMVER ranges use SemVer whatever the ecosystem.
        let scheme = if scheme == "SEMVER" { "npm" } else { scheme };
        palisade_versions::Scheme::for_ecosystem(scheme)?
            .compare(a, b)
            .ok()
    }
}
