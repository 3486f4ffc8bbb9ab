//! OSV range evaluation, one row per rule of the OSV schema's evaluation
//! section (https://ossf.github.io/osv-schema/#evaluation).

use palisade_vulndb::order::{EcosystemOrder, VersionOrder};

/// An order that can compare nothing: what a version that does not parse
/// in its scheme looks like to the range evaluator.
struct NoOrder;

impl VersionOrder for NoOrder {
    fn compare(&self, _: &str, _: &str, _: &str) -> Option<std::cmp::Ordering> {
        None
    }
}
use palisade_vulndb::range::{Eval, evaluate};
use palisade_vulndb::record::{Affected, Event, Range};

fn ev(s: &str) -> Event {
    let (k, v) = s.split_once('=').expect("kind=version");
    let v = v.to_string();
    match k {
        "i" => Event::Introduced(v),
        "f" => Event::Fixed(v),
        "l" => Event::LastAffected(v),
        "lim" => Event::Limit(v),
        _ => panic!("{k}"),
    }
}

fn entry(eco: &str, ranges: &[(&str, &[&str])], versions: &[&str]) -> Affected {
    Affected {
        ecosystem: eco.to_string(),
        name: "p".to_string(),
        ranges: ranges
            .iter()
            .map(|(kind, evs)| Range {
                kind: kind.to_string(),
                events: evs.iter().map(|e| ev(e)).collect(),
            })
            .collect(),
        versions: versions.iter().map(|s| s.to_string()).collect(),
        severity: vec![],
        urgency: None,
        entry_severity: None,
        informational: None,
    }
}

/// (rule, ecosystem, ranges, versions list, installed version, affected?, fixed reported)
type Row = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
    &'static [&'static str],
    &'static str,
    bool,
    Option<&'static str>,
);

const ROWS: &[Row] = &[
    (
        "introduced 0 covers every version below the fix",
        "PyPI",
        &[("ECOSYSTEM", &["i=0", "f=2.20.0"])],
        &[],
        "2.19.1",
        true,
        Some("2.20.0"),
    ),
    (
        "fixed version itself is not affected",
        "PyPI",
        &[("ECOSYSTEM", &["i=0", "f=2.20.0"])],
        &[],
        "2.20.0",
        false,
        None,
    ),
    (
        "above the fix is not affected",
        "PyPI",
        &[("ECOSYSTEM", &["i=0", "f=2.20.0"])],
        &[],
        "2.31.0",
        false,
        None,
    ),
    (
        "below introduced is not affected",
        "npm",
        &[("SEMVER", &["i=1.0.0", "f=1.2.0"])],
        &[],
        "0.9.0",
        false,
        None,
    ),
    (
        "introduced version itself is affected",
        "npm",
        &[("SEMVER", &["i=1.0.0", "f=1.2.0"])],
        &[],
        "1.0.0",
        true,
        Some("1.2.0"),
    ),
    (
        "last_affected itself is affected",
        "PyPI",
        &[("ECOSYSTEM", &["i=0", "l=1.5"])],
        &[],
        "1.5",
        true,
        None,
    ),
    (
        "above last_affected is not affected",
        "PyPI",
        &[("ECOSYSTEM", &["i=0", "l=1.5"])],
        &[],
        "1.5.1",
        false,
        None,
    ),
    (
        "no closing event: every later version affected",
        "PyPI",
        &[("ECOSYSTEM", &["i=3.0"])],
        &[],
        "99.0",
        true,
        None,
    ),
    (
        "events are sorted before evaluation",
        "PyPI",
        &[("ECOSYSTEM", &["f=1.2", "i=1.0", "f=2.2", "i=2.0"])],
        &[],
        "2.1",
        true,
        Some("2.2"),
    ),
    (
        "gap between two intervals is not affected",
        "PyPI",
        &[("ECOSYSTEM", &["i=1.0", "f=1.2", "i=2.0", "f=2.2"])],
        &[],
        "1.5",
        false,
        None,
    ),
    (
        "second of two ranges matches",
        "PyPI",
        &[
            ("ECOSYSTEM", &["i=1.0", "f=1.2"]),
            ("ECOSYSTEM", &["i=2.0", "f=2.2"]),
        ],
        &[],
        "2.0.5",
        true,
        Some("2.2"),
    ),
    (
        "limit excludes versions at or above it",
        "PyPI",
        &[("ECOSYSTEM", &["i=0", "lim=2.0"])],
        &[],
        "2.0",
        false,
        None,
    ),
    (
        "below limit is affected",
        "PyPI",
        &[("ECOSYSTEM", &["i=0", "lim=2.0"])],
        &[],
        "1.9",
        true,
        None,
    ),
    (
        "limit * is no limit",
        "PyPI",
        &[("ECOSYSTEM", &["i=0", "lim=*"])],
        &[],
        "1.9",
        true,
        None,
    ),
    (
        "GIT ranges are ignored",
        "PyPI",
        &[("GIT", &["i=0"])],
        &[],
        "1.0",
        false,
        None,
    ),
    (
        "versions list matches exactly",
        "PyPI",
        &[],
        &["1.0", "1.1"],
        "1.1",
        true,
        None,
    ),
    (
        "versions list does not match others",
        "PyPI",
        &[],
        &["1.0", "1.1"],
        "1.2",
        false,
        None,
    ),
    (
        "Debian order: ~ sorts before the release",
        "Debian:12",
        &[("ECOSYSTEM", &["i=0", "f=2.4.57-2"])],
        &[],
        "2.4.57-2~deb12u1",
        true,
        Some("2.4.57-2"),
    ),
    (
        "Debian order: security update at the fix",
        "Debian:12",
        &[("ECOSYSTEM", &["i=0", "f=3.0.15-1~deb12u1"])],
        &[],
        "3.0.15-1~deb12u1",
        false,
        None,
    ),
    (
        "Debian epoch counts",
        "Debian:12",
        &[("ECOSYSTEM", &["i=0", "f=1:1.0-1"])],
        &[],
        "9.9-1",
        true,
        Some("1:1.0-1"),
    ),
];

#[test]
fn osv_evaluation_rules() {
    for (rule, eco, ranges, versions, v, affected, fixed) in ROWS {
        let e = entry(eco, ranges, versions);
        match evaluate(&e, v, &EcosystemOrder) {
            Eval::Affected(hit) => {
                assert!(affected, "{rule}: {v} reported affected by {hit:?}");
                assert_eq!(hit.fixed.as_deref(), *fixed, "{rule}");
            }
            Eval::NotAffected => assert!(!affected, "{rule}: {v} not reported affected"),
            Eval::Undetermined(why) => panic!("{rule}: undetermined {why}"),
        }
    }
}

#[test]
fn unorderable_versions_are_undetermined_not_guessed() {
    let e = entry("PyPI", &[("ECOSYSTEM", &["i=0", "f=2.0rc1"])], &[]);
    assert!(matches!(
        evaluate(&e, "1.0", &NoOrder),
        Eval::Undetermined(_)
    ));
    // ... unless the versions list decides.
    let e = entry("PyPI", &[("ECOSYSTEM", &["i=0", "f=2.0rc1"])], &["1.0"]);
    assert!(matches!(evaluate(&e, "1.0", &NoOrder), Eval::Affected(_)));
}

#[test]
fn ecosystem_orders_decide_pre_releases() {
    // PEP 440: 1.0 < 2.0rc1; 2.0rc1 itself is fixed.
    let e = entry("PyPI", &[("ECOSYSTEM", &["i=0", "f=2.0rc1"])], &[]);
    assert!(matches!(
        evaluate(&e, "1.0", &EcosystemOrder),
        Eval::Affected(_)
    ));
    assert_eq!(evaluate(&e, "2.0rc1", &EcosystemOrder), Eval::NotAffected);
    assert_eq!(evaluate(&e, "2.0", &EcosystemOrder), Eval::NotAffected);
    // SemVer: a pre-release sorts before its release.
    let e = entry("npm", &[("SEMVER", &["i=1.0.0-beta.2", "f=1.0.0"])], &[]);
    assert!(matches!(
        evaluate(&e, "1.0.0-beta.10", &EcosystemOrder),
        Eval::Affected(_)
    ));
    assert_eq!(
        evaluate(&e, "1.0.0-beta.1", &EcosystemOrder),
        Eval::NotAffected
    );
}
