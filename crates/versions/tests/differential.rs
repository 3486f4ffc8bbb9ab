//! Differential tests: palisade's order against each ecosystem's own tool,
//! over every version string in `../shared/vulndata/<Ecosystem>/all.zip`
//! plus variants and random strings, one oracle process per scheme.
//!
//! Oracles (see the scripts in tests/oracles/): python3-apt (dpkg),
//! `dpkg --compare-versions` (spot checks), python3-rpm (rpm), Python
//! `packaging` in /opt/palisade-venv (PEP 440), npm `semver` in
//! /var/tmp/palisade-oracles/node (npm, crates.io), golang-go with
//! golang-golang-x-mod-dev (Go), Maven's ComparableVersion (Maven), ruby
//! (RubyGems), php-cli (Packagist). A missing oracle fails the test unless
//! PALISADE_SKIP_ORACLE_TESTS=1. Run with `--nocapture` to see the counts.

mod common;

use common::*;
use palisade_versions::Scheme;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// Fewer pairs than this, with the OSV data present, means the data did not
/// load: fail rather than pass vacuously.
const MIN_PAIRS: usize = 5_000;

/// The pairs a run must compare: MIN_PAIRS with the OSV data; without it
/// (skipped, with the reason printed) only the mutated and random strings
/// are compared, and for strict schemes few of those are valid.
fn min_pairs() -> usize {
    if common::vulndata_dir().is_some() {
        MIN_PAIRS
    } else {
        0
    }
}
/// Pairs per scheme, about.
const TARGET_PAIRS: usize = 120_000;

/// Versions of `ecosystems` (with their own schemes) plus variants and random strings.
fn corpus(ecosystems: &[(&str, Scheme)], alphabet: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut osv = BTreeSet::new();
    for &(eco, scheme) in ecosystems {
        if let Some(v) = osv_versions(eco, scheme) {
            osv.extend(v);
        }
    }
    let from_osv = osv.len();
    let mut all = osv.clone();
    all.extend(mutations(&osv, 3_000));
    all.extend(random_strings(alphabet, 3_000, from_osv as u64 + 7));
    (all, osv)
}

fn per_version(n: usize) -> usize {
    (TARGET_PAIRS / n.max(1)).saturating_sub(4).max(1)
}

/// Runs the comparison and fails on any order mismatch or on a version
/// the oracle refuses but palisade accepts; versions palisade refuses but
/// the oracle accepts must satisfy `documented_refusal`.
fn check(
    scheme: Scheme,
    oracle_name: &str,
    oracle: &mut Command,
    ecosystems: &[(&str, Scheme)],
    alphabet: &str,
    documented_refusal: impl Fn(&str) -> bool,
) {
    let (versions, osv) = corpus(ecosystems, alphabet);
    let report = differential(scheme, oracle, &versions, &osv, per_version(versions.len()));
    report.print(oracle_name);
    assert!(
        report.pairs_compared >= min_pairs(),
        "only {} pairs compared",
        report.pairs_compared
    );
    assert!(
        report.order_mismatches.is_empty(),
        "{scheme}: order differs from {oracle_name}"
    );
    assert!(
        report.we_accept_oracle_rejects.is_empty(),
        "{scheme}: accepts versions {oracle_name} refuses"
    );
    let undocumented: Vec<_> = report
        .we_reject_oracle_accepts
        .iter()
        .filter(|v| !documented_refusal(v))
        .collect();
    assert!(
        undocumented.is_empty(),
        "{scheme}: refuses versions {oracle_name} accepts: {undocumented:?}"
    );
}

const DEBIAN_ALPHABET: &str = "0123456789.~+-:abzABZ";

#[test]
fn dpkg_matches_libapt() {
    if !require(
        "/usr/bin/python3",
        &["-c", "import apt_pkg"],
        "apt-get install python3-apt",
    ) {
        return;
    }
    let mut oracle = Command::new("/usr/bin/python3");
    oracle.arg(oracle_script("dpkg.py"));
    // apt_pkg validates nothing: refusals are checked against dpkg itself below.
    check(
        Scheme::Dpkg,
        "apt_pkg.version_compare",
        &mut oracle,
        &[("Debian", Scheme::Dpkg)],
        DEBIAN_ALPHABET,
        |_| true,
    );
}

/// `dpkg --compare-versions` itself, one process per pair, on a sample:
/// same order, and palisade refuses exactly what dpkg calls an error (plus
/// dpkg's "invalid character" warnings, which palisade also refuses).
#[test]
fn dpkg_spot_checks_with_dpkg() {
    if !require(
        "dpkg",
        &["--version"],
        "dpkg is part of every Debian system",
    ) {
        return;
    }
    let (versions, _) = corpus(&[("Debian", Scheme::Dpkg)], DEBIAN_ALPHABET);
    let versions: Vec<String> = versions.into_iter().collect();
    let mut rng = Rng(42);
    let (mut compared, mut refusals) = (0, 0);
    for _ in 0..400 {
        let a = &versions[rng.below(versions.len())];
        let b = &versions[rng.below(versions.len())];
        let out = Command::new("dpkg")
            .args(["--compare-versions", a, "lt", b])
            .output()
            .expect("dpkg runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let ours = Scheme::Dpkg.compare(a, b);
        match out.status.code() {
            Some(0 | 1) if stderr.contains("warning") && ours.is_err() => {
                // dpkg compared despite a syntax warning; palisade may refuse
                // only for characters outside dpkg's alphabet.
                assert!(
                    stderr.contains("invalid character"),
                    "{a:?} {b:?}: dpkg warned {stderr:?}, palisade refused"
                );
                refusals += 1;
                continue;
            }
            Some(2) | Some(255) => {
                assert!(
                    ours.is_err(),
                    "{a:?} {b:?}: dpkg refused ({stderr:?}), palisade compared"
                );
                refusals += 1;
                continue;
            }
            _ => {}
        }
        let ours =
            ours.unwrap_or_else(|e| panic!("{a:?} {b:?}: palisade refused ({e}), dpkg compared"));
        let dpkg_less = out.status.code() == Some(0);
        assert_eq!(
            ours == std::cmp::Ordering::Less,
            dpkg_less,
            "{a:?} vs {b:?}"
        );
        compared += 1;
    }
    println!("dpkg --compare-versions: {compared} pairs compared, {refusals} refused by both");
    assert!(compared >= 200);
}

#[test]
fn rpm_matches_librpm() {
    if !require(
        "/usr/bin/python3",
        &["-c", "import rpm; rpm.ver"],
        "apt-get install python3-rpm",
    ) {
        return;
    }
    let mut oracle = Command::new("/usr/bin/python3");
    oracle.arg(oracle_script("rpm_ver.py"));
    // The OSV data holds no rpm ecosystem; Debian's versions and random EVRs stand in.
    check(
        Scheme::Rpm,
        "rpm.ver (librpm)",
        &mut oracle,
        &[("Debian", Scheme::Dpkg), ("Maven", Scheme::Maven)],
        "0123456789.~^-:_+abcxyzABZ",
        |_| false,
    );
}

#[test]
fn pep440_matches_packaging() {
    let python = "/opt/palisade-venv/bin/python";
    if !require(
        python,
        &["-c", "import packaging.version"],
        "/opt/palisade-venv/bin/pip install packaging",
    ) {
        return;
    }
    let mut oracle = Command::new(python);
    oracle.arg(oracle_script("pep440.py"));
    check(
        Scheme::Pep440,
        "packaging.version",
        &mut oracle,
        &[("PyPI", Scheme::Pep440)],
        "0123456789.!+-_abcdeprstvABCPR",
        |_| false,
    );
}

fn npm_semver_dir() -> PathBuf {
    std::env::var_os("PALISADE_ORACLES_NODE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/palisade-oracles/node"))
        .join("node_modules")
}

#[test]
fn semver_matches_npm_semver() {
    let dir = npm_semver_dir();
    let probe = format!("require('{}/semver')", dir.display());
    if !require(
        "node",
        &["-e", &probe],
        "npm install semver --prefix /var/tmp/palisade-oracles/node",
    ) {
        return;
    }
    let mut oracle = Command::new("node");
    oracle.arg(oracle_script("semver.js")).arg(&dir);
    check(
        Scheme::Semver,
        "npm semver",
        &mut oracle,
        &[("npm", Scheme::Semver), ("crates.io", Scheme::Semver)],
        "0123456789.-+vabxyzABZ",
        |_| false,
    );
}

#[test]
fn go_matches_x_mod_semver() {
    if !require(
        "go",
        &["version"],
        "apt-get install golang-go golang-golang-x-mod-dev",
    ) {
        return;
    }
    let gopath = std::env::var("PALISADE_GOPATH").unwrap_or_else(|_| "/usr/share/gocode".into());
    if !std::path::Path::new(&gopath)
        .join("src/golang.org/x/mod/semver")
        .is_dir()
        && !may_skip()
    {
        panic!(
            "golang.org/x/mod/semver missing under {gopath}: apt-get install golang-golang-x-mod-dev"
        );
    }
    let mut oracle = Command::new("go");
    oracle
        .args(["run", "main.go"])
        .current_dir(oracle_script("go"))
        .env("GO111MODULE", "off")
        .env("GOPATH", &gopath)
        .env("GOFLAGS", "-mod=mod")
        .env(
            "GOCACHE",
            std::env::temp_dir().join("palisade-versions-gocache"),
        );
    let (versions, osv) = corpus(&[("Go", Scheme::Go)], "0123456789.-+vabcinoprtxz");
    // Toolchain tags (go1.21.3) are not x/mod/semver versions: unit-tested instead.
    let versions: BTreeSet<String> = versions
        .into_iter()
        .filter(|v| !v.trim().starts_with("go"))
        .collect();
    let report = differential(
        Scheme::Go,
        &mut oracle,
        &versions,
        &osv,
        per_version(versions.len()),
    );
    report.print("golang.org/x/mod/semver");
    assert!(report.pairs_compared >= min_pairs());
    assert!(report.order_mismatches.is_empty());
    assert!(report.we_accept_oracle_rejects.is_empty());
    assert!(report.we_reject_oracle_accepts.is_empty());
}

#[test]
fn maven_matches_comparable_version() {
    let jar = std::fs::read_dir("/usr/share/maven/lib")
        .ok()
        .and_then(|d| {
            d.flatten().map(|e| e.path()).find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("maven-artifact-"))
            })
        });
    let Some(jar) = jar else {
        assert!(
            may_skip(),
            "maven-artifact jar missing: apt-get install maven default-jdk-headless"
        );
        eprintln!("SKIPPED: maven-artifact jar missing");
        return;
    };
    if !require(
        "javac",
        &["-version"],
        "apt-get install default-jdk-headless",
    ) {
        return;
    }
    let classes =
        std::env::temp_dir().join(format!("palisade-maven-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&classes).unwrap();
    let status = Command::new("javac")
        .arg("-cp")
        .arg(&jar)
        .arg("-d")
        .arg(&classes)
        .arg(oracle_script("MavenOracle.java"))
        .status()
        .expect("javac runs");
    assert!(status.success(), "javac failed");
    let mut oracle = Command::new("java");
    oracle
        .arg("-cp")
        .arg(format!("{}:{}", classes.display(), jar.display()))
        .arg("MavenOracle");
    check(
        Scheme::Maven,
        "ComparableVersion",
        &mut oracle,
        &[("Maven", Scheme::Maven)],
        "0123456789.-_abcefgilmnoprstABFGRS",
        |v| v.contains("non-ASCII"),
    );
    let _ = std::fs::remove_dir_all(&classes);
}

#[test]
fn rubygems_matches_gem_version() {
    if !require("ruby", &["-e", "Gem::Version"], "apt-get install ruby") {
        return;
    }
    let mut oracle = Command::new("ruby");
    oracle.arg(oracle_script("rubygems.rb"));
    check(
        Scheme::RubyGems,
        "Gem::Version",
        &mut oracle,
        &[("RubyGems", Scheme::RubyGems)],
        "0123456789.-abcprABZ",
        |_| false,
    );
}

#[test]
fn packagist_matches_php_version_compare() {
    if !require(
        "php",
        &["-r", "version_compare('1', '2');"],
        "apt-get install php-cli",
    ) {
        return;
    }
    let mut oracle = Command::new("php");
    oracle.arg(oracle_script("packagist.php"));
    // version_compare accepts everything; palisade refuses non-ASCII and
    // a separator at either end (documented in docs/versions.md).
    check(
        Scheme::Packagist,
        "php version_compare",
        &mut oracle,
        &[("Packagist", Scheme::Packagist)],
        "0123456789.-_+abdeilprvRCP~^",
        |v| v.contains("non-ASCII") || v.contains("empty part"),
    );
}

/// No oracle runs offline for apk (apk-tools is not packaged for Debian),
/// NuGet or these ecosystems' data: every OSV version must at least parse,
/// and the sorted order must be consistent (see also tests/properties.rs).
#[test]
fn schemes_without_an_offline_oracle_parse_all_osv_versions() {
    for (scheme, ecosystems) in [
        (Scheme::Apk, &["Alpine", "Wolfi", "Chainguard"][..]),
        (Scheme::NuGet, &["NuGet"][..]),
    ] {
        let mut versions = BTreeSet::new();
        for eco in ecosystems {
            if let Some(v) = osv_versions(eco, scheme) {
                versions.extend(v);
            }
        }
        if versions.is_empty() {
            eprintln!("SKIPPED {scheme}: no OSV data");
            continue;
        }
        let refused: Vec<_> = versions
            .iter()
            .filter(|v| scheme.parse(v).is_err())
            .collect();
        println!(
            "{scheme}: {} OSV versions, {} refused: {:?}",
            versions.len(),
            refused.len(),
            refused.iter().take(20).collect::<Vec<_>>()
        );
        let mut parsed: Vec<_> = versions
            .iter()
            .filter_map(|v| scheme.parse(v).ok())
            .collect();
        parsed.sort();
        assert!(parsed.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            refused.len() * 100 <= versions.len(),
            "{scheme}: more than 1% of OSV versions refused"
        );
    }
}
