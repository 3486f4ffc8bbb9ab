//! The checkstyle and GitLab Code Quality renderers.

use palisade_report::{Finding, Format, Location, Severity, Target, render};

fn findings() -> Vec<Finding> {
    let f = |rule: &str, sev, input: &str, line, msg: &str| Finding {
        rule: rule.into(),
        severity: sev,
        title: "T".into(),
        message: msg.into(),
        location: Location {
            input: input.into(),
            line: Some(line),
            column: Some(3),
            ..Default::default()
        },
        fix: None,
        references: vec!["DL3002".into()],
        vulnerability: None,
    };
    vec![
        f(
            "PAL-DF-001",
            Severity::High,
            "a/Dockerfile",
            4,
            "runs as <root> & \"x\"",
        ),
        f("PAL-DF-017", Severity::Low, "b/Dockerfile", 2, "pin\u{1}"),
        f("PAL-DF-011", Severity::Info, "a/Dockerfile", 1, "m"),
    ]
}

fn target() -> Target {
    Target {
        input: "2 Dockerfiles".into(),
        kind: "dockerfile",
        digest: None,
        summary: vec![],
    }
}

#[test]
fn checkstyle_groups_by_file_and_escapes() {
    let text = render(Format::Checkstyle, &target(), &findings(), &[], &[]);
    assert!(
        text.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n"
        )
    );
    assert_eq!(text.matches("<file name=").count(), 2);
    assert!(text.contains("<error line=\"4\" column=\"3\" severity=\"error\" message=\"T: runs as &lt;root&gt; &amp; &quot;x&quot;\" source=\"PAL-DF-001\"/>"), "{text}");
    assert!(text.contains("severity=\"info\""));
    assert!(!text.contains('\u{1}'));
    assert!(text.ends_with("</checkstyle>\n"));
    let empty = render(Format::Checkstyle, &target(), &[], &[], &[]);
    assert_eq!(
        empty,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n</checkstyle>\n"
    );
}

#[test]
fn gitlab_code_quality_fields() {
    let text = render(Format::Gitlab, &target(), &findings(), &[], &[]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let issues = v.as_array().unwrap();
    assert_eq!(issues.len(), 3);
    let first = &issues[0];
    assert_eq!(first["check_name"], "PAL-DF-001");
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["location"]["path"], "a/Dockerfile");
    assert_eq!(first["location"]["lines"]["begin"], 4);
    let fps: std::collections::HashSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 3, "fingerprints are distinct");
    // Stable across runs and input order.
    let mut rev = findings();
    rev.reverse();
    assert_eq!(render(Format::Gitlab, &target(), &rev, &[], &[]), text);
}
