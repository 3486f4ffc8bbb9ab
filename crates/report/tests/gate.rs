//! The severity gate.

mod common;

use common::*;
use palisade_report::Severity;
use palisade_report::gate::{tripped, tripping};

#[test]
fn no_threshold_never_trips() {
    assert!(!tripped(&mixed(), None));
    assert!(tripping(&mixed(), None).is_empty());
}

#[test]
fn trips_at_or_above_threshold() {
    let findings = vec![
        finding("A", Severity::Medium, None),
        finding("B", Severity::Low, None),
    ];
    assert!(tripped(&findings, Some(Severity::Low)));
    assert!(tripped(&findings, Some(Severity::Medium)));
    assert!(!tripped(&findings, Some(Severity::High)));
    assert!(!tripped(&findings, Some(Severity::Critical)));
    assert_eq!(tripping(&findings, Some(Severity::Medium)).len(), 1);
    assert_eq!(tripping(&findings, Some(Severity::Unknown)).len(), 2);
}

#[test]
fn unknown_is_below_every_named_severity() {
    let findings = vec![finding("A", Severity::Unknown, None)];
    assert!(!tripped(&findings, Some(Severity::Info)));
    assert!(tripped(&findings, Some(Severity::Unknown)));
}

#[test]
fn empty_never_trips() {
    for s in Severity::ALL {
        assert!(!tripped(&[], Some(s)));
    }
}

#[test]
fn thresholds_parse_from_flags() {
    assert_eq!("critical".parse::<Severity>().unwrap(), Severity::Critical);
    assert!(tripped(&mixed(), Some("CRITICAL".parse().unwrap())));
}
