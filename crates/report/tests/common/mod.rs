//! Findings, targets and rule docs shared by the report tests.
#![allow(dead_code)]

use palisade_report::{Finding, Location, RuleDoc, Severity, Target};

pub const IMAGE: &str = "registry.example.com/team/app:1.0";

pub fn finding(rule: &str, severity: Severity, path: Option<&str>) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        title: format!("title of {rule}"),
        message: format!("message of {rule}"),
        location: Location {
            input: IMAGE.into(),
            path: path.map(Into::into),
            layer: None,
            line: None,
            column: None,
        },
        fix: None,
        references: vec![],
        vulnerability: None,
    }
}

pub fn dockerfile_finding(
    rule: &str,
    severity: Severity,
    line: u32,
    column: Option<u32>,
) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        title: format!("title of {rule}"),
        message: format!("message of {rule}"),
        location: Location {
            input: "services/api/Dockerfile".into(),
            path: None,
            layer: None,
            line: Some(line),
            column,
        },
        fix: Some("do the right thing".into()),
        references: vec![],
        vulnerability: None,
    }
}

pub fn image_target() -> Target {
    Target {
        input: IMAGE.into(),
        kind: "image",
        digest: Some(
            "sha256:aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999".into(),
        ),
        summary: vec![
            ("Efficiency".into(), "97.01 %".into()),
            ("Wasted".into(), "1.2 MB".into()),
        ],
    }
}

pub fn dockerfile_target() -> Target {
    Target {
        input: "services/api/Dockerfile".into(),
        kind: "dockerfile",
        digest: None,
        summary: vec![],
    }
}

/// A mixed set, deliberately out of order.
pub fn mixed() -> Vec<Finding> {
    let mut low = finding("PAL-IMG-003", Severity::Low, Some("/etc/shadow"));
    low.location.layer = Some("2".into());
    let mut crit = finding("PAL-IMG-001", Severity::Critical, Some("/usr/bin/su"));
    crit.location.layer =
        Some("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into());
    vec![
        low,
        finding("PAL-IMG-002", Severity::High, Some("/usr/bin/b")),
        finding("PAL-IMG-009", Severity::Info, None),
        crit,
        finding("PAL-IMG-002", Severity::High, Some("/usr/bin/a")),
        finding("PAL-IMG-007", Severity::Medium, None),
        finding("PAL-IMG-008", Severity::Unknown, None),
    ]
}

pub fn docs() -> Vec<RuleDoc> {
    vec![
        RuleDoc {
            id: "PAL-IMG-001",
            title: "Setuid root binary",
            severity: Severity::Critical,
            rationale: "A setuid root binary lets any user become root if it has a bug.",
            fix: "Remove the setuid bit: chmod u-s FILE.",
            peer_ids: &["CIS-DI-0008", "CIS 4.8"],
            references: &["https://docs.docker.com/develop/security-best-practices/"],
        },
        RuleDoc {
            id: "PAL-IMG-002",
            title: "Shell in image",
            severity: Severity::High,
            rationale: "A shell helps an attacker.",
            fix: "Use a distroless base.",
            peer_ids: &[],
            references: &[],
        },
        RuleDoc {
            id: "PAL-UNUSED-1",
            title: "Never used",
            severity: Severity::Low,
            rationale: "r",
            fix: "f",
            peer_ids: &[],
            references: &[],
        },
    ]
}
