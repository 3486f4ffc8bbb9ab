//! Version order, per ecosystem, as the range evaluator needs it.
//!
//! Range evaluation is written against [`VersionOrder`]. [`EcosystemOrder`]
//! is the real one: the exact per-ecosystem schemes of crate
//! `palisade-versions` (dpkg, rpm, apk, PEP 440, SemVer, Go, Maven,
//! RubyGems, NuGet, Packagist), SemVer for SEMVER ranges.
//! [`InterimOrder`] was used before that crate existed and stays as a
//! conservative reference for tests: the
//! exact dpkg order for Debian and Ubuntu (checked against
//! `dpkg --compare-versions` in the tests), and for every other ecosystem
//! only plain dotted numeric releases (`1.2.3`, optional `v`); anything else
//! (pre-releases, local versions, letters) is "cannot compare", which makes
//! a range undetermined rather than wrongly matched or missed.

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

/// See the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct InterimOrder;

impl VersionOrder for InterimOrder {
    fn compare(&self, scheme: &str, a: &str, b: &str) -> Option<Ordering> {
        match crate::name::ecosystem_base(scheme) {
            "Debian" | "Ubuntu" => dpkg_compare(a, b),
            _ => plain_release_compare(a, b),
        }
    }
}

/// Splits `[epoch:]upstream[-revision]` as dpkg does.
fn dpkg_split(v: &str) -> Option<(u64, &str, &str)> {
    let v = v.trim();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) => (e.parse::<u64>().ok()?, r),
        None => (0, v),
    };
    let (upstream, revision) = match rest.rfind('-') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    if upstream.is_empty() || !upstream.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let ok = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".+~-:".contains(&c))
    };
    (ok(upstream) && ok(revision)).then_some((epoch, upstream, revision))
}

/// dpkg's character weight: `~` sorts before everything, even the end of
/// the string; letters before other symbols.
fn dpkg_weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

/// dpkg's comparison of one upstream or revision part: alternating
/// non-digit runs (by weight) and digit runs (numerically).
fn dpkg_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let wa = dpkg_weight(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let wb = dpkg_weight(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if wa != wb {
                return wa.cmp(&wb);
            }
            if i < a.len() && !a[i].is_ascii_digit() {
                i += 1;
            }
            if j < b.len() && !b[j].is_ascii_digit() {
                j += 1;
            }
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        // Without leading zeros, the longer digit run is the larger number.
        let (da, db) = (&a[si..i], &b[sj..j]);
        let c = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// The Debian version order (epoch, upstream, revision).
pub fn dpkg_compare(a: &str, b: &str) -> Option<Ordering> {
    let (ea, ua, ra) = dpkg_split(a)?;
    let (eb, ub, rb) = dpkg_split(b)?;
    Some(
        ea.cmp(&eb)
            .then_with(|| dpkg_part(ua, ub))
            .then_with(|| dpkg_part(ra, rb)),
    )
}

/// `[v]N(.N)*` compared numerically part by part, missing parts as 0;
/// `None` for anything else.
pub fn plain_release_compare(a: &str, b: &str) -> Option<Ordering> {
    fn parts(v: &str) -> Option<Vec<u64>> {
        let v = v.trim();
        let v = v.strip_prefix('v').unwrap_or(v);
        if v.is_empty() {
            return None;
        }
        v.split('.')
            .map(|p| {
                if p.bytes().all(|c| c.is_ascii_digit()) {
                    p.parse().ok()
                } else {
                    None
                }
            })
            .collect()
    }
    let (pa, pb) = (parts(a)?, parts(b)?);
    let n = pa.len().max(pb.len());
    for k in 0..n {
        let c = pa.get(k).unwrap_or(&0).cmp(pb.get(k).unwrap_or(&0));
        if c != Ordering::Equal {
            return Some(c);
        }
    }
    Some(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn dpkg_order_table() {
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0-1", "1.0-2", Less),
            ("1:1.0", "2.0", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0+deb12u1", "1.0", Greater),
            ("2.38.1-5+deb12u3", "2.38.1-5+deb12u1", Greater),
            ("1.0a", "1.0+", Less),
            ("1.01", "1.1", Equal),
            ("3.0.11-1~deb12u2", "3.0.11-1", Less),
            ("10", "9", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(dpkg_compare(a, b), Some(want), "{a} vs {b}");
        }
        assert_eq!(dpkg_compare("abc", "1"), None);
        assert_eq!(dpkg_compare("x:1", "1"), None);
    }

    #[test]
    fn plain_releases_only() {
        assert_eq!(plain_release_compare("2.19.1", "2.20.0"), Some(Less));
        assert_eq!(plain_release_compare("v1.2", "1.2.0"), Some(Equal));
        assert_eq!(plain_release_compare("0.0.10", "0.0.8"), Some(Greater));
        assert_eq!(plain_release_compare("1.0rc1", "1.0"), None);
        assert_eq!(plain_release_compare("1.0.0-beta", "1.0.0"), None);
        assert_eq!(plain_release_compare("", "1"), None);
    }
}
