//! Every rule fires on its own bad example and not on its good example
//! (the examples are the ones shown in docs/rules/dockerfile.md), plus
//! cases restated from hadolint's and Trivy's rule specifications.

use palisade_dockerfile::lint::{LintOptions, lint};
use palisade_dockerfile::parse;
use palisade_dockerfile::rules::{Settings, docs};

fn fired(src: &str, id: &str, opts: &LintOptions) -> usize {
    let df = parse(src).unwrap_or_else(|e| panic!("{id}: example does not parse: {e}\n{src}"));
    lint(&df, "Dockerfile", opts)
        .findings
        .iter()
        .filter(|f| f.rule == id)
        .count()
}

fn opts() -> LintOptions {
    LintOptions {
        settings: Settings {
            trusted_bases: vec![
                "docker.io/library/".into(),
                "registry.example.com/base/".into(),
            ],
        },
        ..Default::default()
    }
}

#[test]
fn every_rule_fires_on_bad_and_not_on_good() {
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for d in docs() {
        assert!(ids.insert(d.id), "duplicate id {}", d.id);
        if fired(d.bad, d.id, &opts()) == 0 {
            problems.push(format!("{} does not fire on its bad example", d.id));
        }
        if fired(d.good, d.id, &opts()) != 0 {
            problems.push(format!("{} fires on its good example", d.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// (rule, Dockerfile, should fire)
const CASES: &[(&str, &str, bool)] = &[
    // DL3002 / DS-0002: last USER root; USER root then non-root is fine.
    ("PAL-DF-001", "FROM a:1\nUSER root\n", true),
    (
        "PAL-DF-001",
        "FROM a:1\nUSER root\nRUN x\nUSER 1000:1000\n",
        false,
    ),
    (
        "PAL-DF-001",
        "FROM a:1 AS b\nUSER app\nFROM b\nRUN x\n",
        false,
    ),
    (
        "PAL-DF-001",
        "FROM gcr.io/distroless/static:nonroot\n",
        false,
    ),
    // Seen through sh -c and bash -c.
    (
        "PAL-DF-015",
        "FROM a:1\nRUN sh -c 'sudo make install'\n",
        true,
    ),
    (
        "PAL-DF-022",
        "FROM a:1\nRUN apt-get -qq install curl\n",
        false,
    ),
    (
        "PAL-DF-022",
        "FROM a:1\nRUN apt-get install -qy curl\n",
        false,
    ),
    (
        "PAL-DF-022",
        "FROM a:1\nRUN set -e; \\\n  apt-get update; \\\n  apt-get install curl\n",
        true,
    ),
    // Heredoc bodies are analysed.
    (
        "PAL-DF-022",
        "FROM a:1\nRUN <<EOF\napt-get update\napt-get install curl\nEOF\n",
        true,
    ),
    (
        "PAL-DF-017",
        "FROM a:1\nRUN apt-get install -y curl=1.0 ./x.deb\n",
        false,
    ),
    (
        "PAL-DF-018",
        "FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y x\n",
        false,
    ),
    (
        "PAL-DF-021",
        "FROM a:1\nRUN pip install -r requirements.txt\n",
        false,
    ),
    (
        "PAL-DF-021",
        "FROM a:1\nRUN python3 -m pip install flask\n",
        true,
    ),
    ("PAL-DF-024", "FROM a:1\nRUN npm install\n", false),
    (
        "PAL-DF-024",
        "FROM a:1\nRUN npm install @scope/pkg@1.2.3 lodash@4\n",
        false,
    ),
    ("PAL-DF-024", "FROM a:1\nRUN npm i @scope/pkg\n", true),
    (
        "PAL-DF-025",
        "FROM a:1\nRUN apk add --no-cache --virtual .deps gcc=1\n",
        false,
    ),
    ("PAL-DF-007", "ARG V=12\nFROM debian:${V}\n", false),
    ("PAL-DF-007", "FROM $BASE\n", false),
    ("PAL-DF-007", "FROM scratch\n", false),
    ("PAL-DF-007", "FROM a:1 AS b\nFROM b\n", false),
    ("PAL-DF-016", "ARG T=latest\nFROM debian:$T\n", true),
    (
        "PAL-DF-029",
        "FROM a:1\nCOPY --from=nginx:latest /x /y\n",
        false,
    ),
    (
        "PAL-DF-029",
        "FROM a:1\nFROM b:1\nCOPY --from=0 /x /y\n",
        false,
    ),
    (
        "PAL-DF-010",
        "FROM a:1\nRUN wget -qO- https://x/i.sh | bash -s --\n",
        true,
    ),
    (
        "PAL-DF-010",
        "FROM a:1\nRUN sh -c \"$(curl -fsSL https://x/i.sh)\"\n",
        true,
    ),
    (
        "PAL-DF-010",
        "FROM a:1\nRUN curl -fsSL https://x/a.tgz | tar xz\n",
        false,
    ),
    (
        "PAL-DF-048",
        "FROM a:1\nRUN set -o pipefail && curl x | tar x\n",
        false,
    ),
    (
        "PAL-DF-048",
        "FROM a:1\nRUN [\"sh\", \"-c\", \"a | b\"]\n",
        false,
    ),
    ("PAL-DF-041", "FROM a:1\nENV A=1\nENV A=2 B=$A\n", false),
    ("PAL-DF-041", "FROM a:1\nENV A=2 B=${A}\n", true),
    ("PAL-DF-041", "FROM a:1\nENV A=2 B=$AB\n", false),
    (
        "PAL-DF-008",
        "FROM a:1\nENV DB_PASSWORD=hunter2secret\n",
        true,
    ),
    (
        "PAL-DF-008",
        "FROM a:1\nENV DB_PASSWORD_FILE=/run/secrets/db\n",
        false,
    ),
    ("PAL-DF-008", "FROM a:1\nARG GITHUB_TOKEN\n", true),
    ("PAL-DF-008", "FROM a:1\nENV X=AKIAIOSFODNN7EXAMPLE\n", true),
    ("PAL-DF-008", "FROM a:1\nENV GPG_KEY=0xDEADBEEF\n", false),
    (
        "PAL-DF-019",
        "FROM a:1\nEXPOSE 80/tcp 443 8000-8080 ${PORT}\n",
        false,
    ),
    ("PAL-DF-043", "ARG X=1\nFROM a:1\n", false),
    ("PAL-DF-040", "FROM a:1\nONBUILD ONBUILD RUN x\n", true),
    ("PAL-DF-049", "FROM a:1\nFOO bar\n", true),
    ("PAL-DF-006", "FROM quay.io/x/y:1\n", true),
    ("PAL-DF-006", "FROM debian:12\n", false),
    (
        "PAL-DF-002",
        "FROM a:1 AS build\nRUN apk add gcc\nFROM b:1\n",
        false,
    ),
    (
        "PAL-DF-005",
        "FROM a:1\nRUN apk upgrade --no-cache && apk add --no-cache x\n",
        false,
    ),
];

#[test]
fn restated_peer_cases() {
    let mut problems = Vec::new();
    for (id, src, want) in CASES {
        let n = fired(src, id, &opts());
        if (n > 0) != *want {
            problems.push(format!(
                "{id} fired {n} times, expected {}:\n{src}",
                if *want { "some" } else { "none" }
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn pragmas_ignore_the_next_instruction_only() {
    let src = "FROM a:1\n# hadolint ignore=DL3004\nRUN sudo x\nRUN sudo y\n# palisade ignore=PAL-DF-015\nRUN sudo z\n";
    let df = parse(src).unwrap();
    let r = lint(&df, "Dockerfile", &LintOptions::default());
    let lines: Vec<u32> = r
        .findings
        .iter()
        .filter(|f| f.rule == "PAL-DF-015")
        .map(|f| f.location.line.unwrap())
        .collect();
    assert_eq!(lines, [4]);
    assert_eq!(
        r.suppressed
            .iter()
            .filter(|f| f.rule == "PAL-DF-015")
            .count(),
        2
    );
}

#[test]
fn positions_point_at_the_command() {
    let df = parse("FROM a:1\nRUN apt-get update && \\\n    sudo apt-get install -y x\n").unwrap();
    let r = lint(&df, "Dockerfile", &LintOptions::default());
    let f = r.findings.iter().find(|f| f.rule == "PAL-DF-015").unwrap();
    assert_eq!((f.location.line, f.location.column), (Some(3), Some(5)));
    assert!(f.references.contains(&"DL3004".to_string()));
}

#[test]
fn secrets_are_never_printed_in_full() {
    let df =
        parse("FROM a:1\nENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
            .unwrap();
    let r = lint(&df, "Dockerfile", &LintOptions::default());
    let f = r.findings.iter().find(|f| f.rule == "PAL-DF-008").unwrap();
    assert!(!f.message.contains("wJalrXUtnFEMI/K7"), "{}", f.message);
}
