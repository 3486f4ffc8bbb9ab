//! The table renderer: exact layout, order, escaping, empty reports.

mod common;

use common::*;
use palisade_report::{Format, Ignored, Severity, render};

fn table(
    target: &palisade_report::Target,
    findings: &[palisade_report::Finding],
    ignored: &[Ignored],
) -> String {
    render(Format::Table, target, findings, ignored, &docs())
}

#[test]
fn exact_layout_sorted_by_severity_rule_location() {
    let ignored = vec![Ignored {
        finding: finding("PAL-IMG-005", Severity::High, Some("/app/tests/key.pem")),
        reason: "fixture".into(),
        expires: None,
    }];
    let out = table(&image_target(), &mixed(), &ignored);
    let expected = "\
Image:      registry.example.com/team/app:1.0
Digest:     sha256:aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999
Efficiency: 97.01 %
Wasted:     1.2 MB

SEVERITY  RULE         TITLE                 LOCATION
CRITICAL  PAL-IMG-001  title of PAL-IMG-001  /usr/bin/su (layer sha256:0123456789ab)
          message of PAL-IMG-001
HIGH      PAL-IMG-002  title of PAL-IMG-002  /usr/bin/a
          message of PAL-IMG-002
HIGH      PAL-IMG-002  title of PAL-IMG-002  /usr/bin/b
          message of PAL-IMG-002
MEDIUM    PAL-IMG-007  title of PAL-IMG-007  -
          message of PAL-IMG-007
LOW       PAL-IMG-003  title of PAL-IMG-003  /etc/shadow (layer 2)
          message of PAL-IMG-003
INFO      PAL-IMG-009  title of PAL-IMG-009  -
          message of PAL-IMG-009
UNKNOWN   PAL-IMG-008  title of PAL-IMG-008  -
          message of PAL-IMG-008

7 findings: 1 CRITICAL, 2 HIGH, 1 MEDIUM, 1 LOW, 1 INFO, 1 UNKNOWN
1 ignored (see --ignore-file)
";
    assert_eq!(out, expected);
}

#[test]
fn order_does_not_depend_on_input_order() {
    let mut reversed = mixed();
    reversed.reverse();
    assert_eq!(
        table(&image_target(), &mixed(), &[]),
        table(&image_target(), &reversed, &[])
    );
}

#[test]
fn dockerfile_locations_show_line_and_column() {
    let findings = vec![
        dockerfile_finding("PAL-DF-002", Severity::Low, 7, None),
        dockerfile_finding("PAL-DF-001", Severity::Medium, 3, Some(1)),
    ];
    let out = table(&dockerfile_target(), &findings, &[]);
    let expected = "\
Dockerfile: services/api/Dockerfile

SEVERITY  RULE        TITLE                LOCATION
MEDIUM    PAL-DF-001  title of PAL-DF-001  services/api/Dockerfile:3:1
          message of PAL-DF-001
LOW       PAL-DF-002  title of PAL-DF-002  services/api/Dockerfile:7
          message of PAL-DF-002

2 findings: 1 MEDIUM, 1 LOW
";
    assert_eq!(out, expected);
}

#[test]
fn empty_report_says_no_findings() {
    let out = table(&dockerfile_target(), &[], &[]);
    assert_eq!(out, "Dockerfile: services/api/Dockerfile\n\nNo findings.\n");

    // Everything ignored: still "No findings.", and the ignored count.
    let ignored = vec![Ignored {
        finding: finding("PAL-IMG-005", Severity::High, None),
        reason: "r".into(),
        expires: None,
    }];
    let out = table(&image_target(), &[], &ignored);
    assert!(
        out.ends_with("\nNo findings.\n1 ignored (see --ignore-file)\n"),
        "{out}"
    );
    assert!(!out.contains("SEVERITY"));
}

#[test]
fn singular_summary() {
    let out = table(
        &image_target(),
        &[finding("PAL-IMG-001", Severity::High, None)],
        &[],
    );
    assert!(out.ends_with("\n1 finding: 1 HIGH\n"), "{out}");
}

#[test]
fn control_characters_are_escaped_everywhere() {
    let mut f = finding(
        "PAL-\u{1b}[31mX",
        Severity::High,
        Some("/tmp/evil\nname\u{7}"),
    );
    f.title = "title\twith\rcontrols".into();
    f.message = "line one\nline two \u{1b}]0;pwned\u{7} \u{9b}1m \u{202e}txt.exe \u{7f}".into();
    f.location.layer = Some("weird\u{0}layer".into());
    let mut target = image_target();
    target.input = "img\u{1b}[2J".into();
    target.summary = vec![("Key\n".into(), "val\u{1b}".into())];
    let out = table(&target, &[f], &[]);

    // No control character other than the line feeds the table itself writes.
    for c in out.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "unescaped {c:?} in\n{out}"
        );
    }
    assert!(out.contains("Image:  img\\x1b[2J\n"), "{out}");
    assert!(out.contains("Key\\n:  val\\x1b\n"), "{out}");
    assert!(out.contains("PAL-\\x1b[31mX"), "{out}");
    assert!(out.contains("title\\twith\\rcontrols"), "{out}");
    assert!(
        out.contains("/tmp/evil\\nname\\x07 (layer weird\\x00layer)"),
        "{out}"
    );
    assert!(
        out.contains("line one\\nline two \\x1b]0;pwned\\x07 \\x9b1m \\u{202e}txt.exe \\x7f"),
        "{out}"
    );
}

#[test]
fn long_messages_wrap_under_the_row_and_long_titles_are_cut() {
    let mut f = finding("PAL-IMG-001", Severity::High, Some("/a"));
    f.title = "T".repeat(80);
    f.message = "word ".repeat(40);
    let out = table(&image_target(), &[f], &[]);
    let lines: Vec<&str> = out.lines().collect();
    let row = lines.iter().position(|l| l.starts_with("HIGH")).unwrap();
    assert!(
        lines[row].contains(&format!("{}…  /a", "T".repeat(49))),
        "{out}"
    );
    let message: Vec<&str> = lines[row + 1..]
        .iter()
        .take_while(|l| l.starts_with("          "))
        .copied()
        .collect();
    assert!(message.len() >= 2, "{out}");
    for l in &message {
        assert!(l.chars().count() <= 100, "{l:?}");
        assert!(!l.ends_with(' '));
    }
    let joined: Vec<&str> = message.iter().flat_map(|l| l.split_whitespace()).collect();
    assert_eq!(joined.len(), 40);
}

#[test]
fn no_trailing_spaces() {
    let out = table(&image_target(), &mixed(), &[]);
    for l in out.lines() {
        assert_eq!(l, l.trim_end(), "trailing space in {l:?}");
    }
}
