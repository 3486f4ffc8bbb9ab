//! User-defined rules evaluated on parsed Dockerfiles.

use glob::Pattern;
use palisade_dockerfile::custom::{CustomRule, Match};
use palisade_dockerfile::lint::{LintOptions, lint};
use palisade_dockerfile::parse;
use palisade_model::Severity;

fn lines(rule: CustomRule, src: &str) -> Vec<u32> {
    let id = rule.doc.id;
    let opts = LintOptions {
        custom: vec![rule],
        ..Default::default()
    };
    let df = parse(src).unwrap();
    lint(&df, "Dockerfile", &opts)
        .findings
        .iter()
        .filter(|f| f.rule == id)
        .map(|f| f.location.line.unwrap())
        .collect()
}

fn rule(id: &str, m: Match) -> CustomRule {
    CustomRule::new(id, Severity::High, "custom rule", None, m).unwrap()
}

#[test]
fn command_with_and_without_an_argument() {
    let src = "FROM python:3.12\nRUN pip install --index-url https://pypi.corp/simple a==1\nRUN set -e; \\\n    pip3 install b==2\nRUN sh -c 'pip install c==3'\n";
    let missing = Match {
        command: vec!["pip".into(), "pip3".into()],
        args_missing: Some("--index-url".into()),
        ..Default::default()
    };
    assert_eq!(lines(rule("ORG-1", missing), src), [4, 5]);
    let present = Match {
        instruction: Some("run".into()),
        command: vec!["pip".into()],
        args_contain: Some("--index-url".into()),
        ..Default::default()
    };
    assert_eq!(lines(rule("ORG-2", present), src), [2]);
}

#[test]
fn images_outside_the_registry() {
    let src = "ARG BASE=registry.corp/base/debian:12\nFROM golang:1.23 AS build\nFROM ${BASE} AS final\nFROM build AS again\nFROM scratch\n";
    let m = Match {
        image_not_matching: vec![Pattern::new("registry.corp/*").unwrap()],
        ..Default::default()
    };
    assert_eq!(lines(rule("ORG-3", m), src), [2]);
    let m = Match {
        image_not_matching: vec![Pattern::new("registry.corp/*").unwrap()],
        final_stage: true,
        ..Default::default()
    };
    assert_eq!(lines(rule("ORG-4", m), src), Vec::<u32>::new());
}

#[test]
fn required_label_in_the_final_image() {
    let m = || Match {
        label_required: Some("org.opencontainers.image.source".into()),
        ..Default::default()
    };
    let with = "FROM a:1 AS base\nLABEL org.opencontainers.image.source=https://x\nFROM base\n";
    assert!(lines(rule("ORG-5", m()), with).is_empty());
    let without = "FROM a:1 AS base\nLABEL org.opencontainers.image.source=https://x\nFROM b:1\n";
    assert_eq!(lines(rule("ORG-5", m()), without), [3]);
}

#[test]
fn flags_packages_and_instruction_text() {
    let src =
        "FROM a:1\nRUN --network=host make\nRUN apt-get install -y telnet=0.17 curl\nEXPOSE 23\n";
    let net = Match {
        instruction: Some("RUN".into()),
        flag: Some("--network=host".into()),
        ..Default::default()
    };
    assert_eq!(lines(rule("ORG-6", net), src), [2]);
    let pkg = Match {
        package: Some(Pattern::new("telnet*").unwrap()),
        ..Default::default()
    };
    assert_eq!(lines(rule("ORG-7", pkg), src), [3]);
    let expose = Match {
        instruction: Some("expose".into()),
        args_contain: Some("23".into()),
        ..Default::default()
    };
    assert_eq!(lines(rule("ORG-8", expose), src), [4]);
}

#[test]
fn pragmas_and_ignores_apply_to_user_rules() {
    let src = "FROM a:1\n# palisade ignore=ORG-9\nRUN make\nRUN make\n";
    let m = Match {
        command: vec!["make".into()],
        ..Default::default()
    };
    assert_eq!(lines(rule("ORG-9", m), src), [4]);
}

#[test]
fn invalid_rules_are_refused() {
    let ok = Match {
        instruction: Some("RUN".into()),
        ..Default::default()
    };
    for (id, msg) in [
        ("", "m"),
        ("a b", "m"),
        ("PAL-DF-001", "m"),
        ("DL3008", "m"),
        ("ORG-1", " "),
    ] {
        assert!(
            CustomRule::new(id, Severity::Low, msg, None, ok.clone()).is_err(),
            "{id:?}"
        );
    }
    assert!(CustomRule::new("ORG-1", Severity::Low, "m", None, Match::default()).is_err());
}
