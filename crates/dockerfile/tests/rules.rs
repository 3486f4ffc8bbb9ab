//! Every rule fires on its own bad example and not on its good example
//! (the examples are the ones shown in docs/rules/dockerfile.md), plus
//! cases restated from hadolint's and Trivy's rule specifications.

use palisade_dockerfile::lint::{LintOptions, lint};
use palisade_dockerfile::parse;
use palisade_dockerfile::rules::{LabelFormat, Settings, docs};

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
            label_schema: [
                ("title", LabelFormat::Text),
                ("source", LabelFormat::Url),
                ("version", LabelFormat::Semver),
                ("revision", LabelFormat::Hash),
                ("created", LabelFormat::Rfc3339),
                ("licenses", LabelFormat::Spdx),
                ("authors", LabelFormat::Email),
            ]
            .into_iter()
            .map(|(k, f)| (format!("org.opencontainers.image.{k}"), f))
            .collect(),
            strict_labels: true,
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
    // DL1001: each pragma is reported.
    (
        "PAL-DF-050",
        "FROM a:1\n# palisade ignore=PAL-DF-015\nRUN sudo x\n",
        true,
    ),
    // DL3010: only tar archives ADD would extract, only when a RUN extracts them.
    (
        "PAL-DF-051",
        "FROM a:1\nCOPY x.tgz /tmp/\nRUN tar xzf /tmp/x.tgz\n",
        true,
    ),
    ("PAL-DF-051", "FROM a:1\nCOPY x.tgz /tmp/\n", false),
    (
        "PAL-DF-051",
        "FROM a:1\nCOPY x.zip /tmp/\nRUN unzip /tmp/x.zip\n",
        false,
    ),
    (
        "PAL-DF-051",
        "FROM a:1\nCOPY x.tar.gz /tmp/\nFROM b:1\nRUN tar -xf /tmp/x.tar.gz\n",
        false,
    ),
    (
        "PAL-DF-052",
        "FROM a:1\nRUN gem install rails -v 7.2\n",
        false,
    ),
    ("PAL-DF-052", "FROM a:1\nRUN gem i bundler\n", true),
    (
        "PAL-DF-053",
        "FROM a:1\nRUN yum install -y httpd-tools && yum clean all\n",
        true,
    ),
    (
        "PAL-DF-053",
        "FROM a:1\nRUN yum module install -y nodejs:20 && yum clean all\n",
        false,
    ),
    ("PAL-DF-054", "FROM a:1\nRUN zypper dup -y\n", true),
    (
        "PAL-DF-055",
        "FROM a:1\nRUN zypper -n in x=1 && rm -rf /var/cache/zypp\n",
        false,
    ),
    ("PAL-DF-056", "FROM a:1\nRUN zypper -n in 'x>=1'\n", false),
    ("PAL-DF-057", "FROM a:1\nRUN microdnf install x-1\n", true),
    ("PAL-DF-057", "FROM a:1\nRUN dnf -y install x-1\n", false),
    (
        "PAL-DF-058",
        "FROM a:1\nRUN dnf install -y ./local.rpm\n",
        false,
    ),
    // DL3045: WORKDIR inherited from a named base stage counts.
    (
        "PAL-DF-059",
        "FROM a:1 AS base\nWORKDIR /app\nFROM base\nCOPY x y\n",
        false,
    ),
    ("PAL-DF-059", "FROM a:1\nCOPY x $HOME/y\n", false),
    ("PAL-DF-059", "FROM a:1\nCOPY x y\nWORKDIR /app\n", true),
    ("PAL-DF-060", "FROM a:1\nRUN wget -qO- https://x/y\n", false),
    (
        "PAL-DF-060",
        "FROM a:1\nRUN wget -O /tmp/y https://x/y\n",
        true,
    ),
    ("PAL-DF-061", "FROM a:1\nLABEL com.docker.x=1\n", true),
    ("PAL-DF-061", "FROM a:1\nLABEL a..b=1\n", true),
    ("PAL-DF-061", "FROM a:1\nLABEL \"org.example.x\"=1\n", false),
    // A variable's value is not known when linting.
    (
        "PAL-DF-065",
        "FROM a:1\nLABEL org.opencontainers.image.source=$REPO_URL\n",
        false,
    ),
    (
        "PAL-DF-066",
        "FROM a:1\nLABEL org.opencontainers.image.created=2026-12-06T07:30:00.5+01:00\n",
        false,
    ),
    (
        "PAL-DF-066",
        "FROM a:1\nLABEL org.opencontainers.image.created=2026-13-06T07:30:00Z\n",
        true,
    ),
    (
        "PAL-DF-067",
        "FROM a:1\nLABEL org.opencontainers.image.licenses=\"MIT OR Apache-2.0\"\n",
        false,
    ),
    (
        "PAL-DF-068",
        "FROM a:1\nLABEL org.opencontainers.image.revision=abc1234\n",
        false,
    ),
    (
        "PAL-DF-069",
        "FROM a:1\nLABEL org.opencontainers.image.version=1.2.3-rc.1\n",
        false,
    ),
    (
        "PAL-DF-070",
        "FROM a:1\nLABEL org.opencontainers.image.authors=\"Team <t@example.com>\"\n",
        false,
    ),
    // DL3059: comments do not separate, other instructions and different
    // mounts do; RUNs of more than two commands are left alone.
    ("PAL-DF-071", "FROM a:1\nRUN a\n# c\nRUN b\n", true),
    ("PAL-DF-071", "FROM a:1\nRUN a\nENV X=1\nRUN b\n", false),
    (
        "PAL-DF-071",
        "FROM a:1\nRUN a\nRUN --mount=type=cache,target=/x b\n",
        false,
    ),
    ("PAL-DF-071", "FROM a:1\nRUN a && b && c\nRUN d\n", false),
    (
        "PAL-DF-072",
        "FROM a:1\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n",
        false,
    ),
    (
        "PAL-DF-073",
        "FROM a:1\nRUN go install ./... && go install -v ./cmd/x\n",
        false,
    ),
    (
        "PAL-DF-073",
        "FROM a:1\nRUN go install -ldflags '-s -w' example.com/x\n",
        true,
    ),
    (
        "PAL-DF-073",
        "FROM a:1\nRUN go get github.com/x/y/...\n",
        true,
    ),
    ("PAL-DF-074", "FROM a:1 AS Context\n", true),
    (
        "PAL-DF-075",
        "FROM --platform=${TARGETPLATFORM} a:1\n",
        true,
    ),
    ("PAL-DF-075", "FROM --platform=$BUILDPLATFORM a:1\n", false),
    ("PAL-DF-076", "FROM a:1\nUSER 1000:app\n", false),
    ("PAL-DF-076", "FROM a:1\nUSER app:1000\n", true),
    (
        "PAL-DF-077",
        "FROM a:1 AS b\nFROM c:1\nCOPY --from=b / /x/\n",
        false,
    ),
    (
        "PAL-DF-078",
        "FROM a:1\nRUN ln -s /bin/sh /usr/local/bin/x\n",
        false,
    ),
    ("PAL-DF-079", "FROM a:1\nEXPOSE 22/tcp\n", true),
    ("PAL-DF-079", "FROM a:1\nEXPOSE 20-30\n", true),
    ("PAL-DF-079", "FROM a:1\nEXPOSE 2222\n", false),
    // DS-0017: update and install in one RUN is fine, whatever the syntax.
    (
        "PAL-DF-080",
        "FROM a:1\nRUN apk update && apk add x\n",
        false,
    ),
    (
        "PAL-DF-080",
        "FROM a:1\nRUN apt-get install -y x && apt-get update\n",
        true,
    ),
    ("PAL-DF-080", "FROM a:1\nRUN yum update -y\n", false),
    ("PAL-DF-081", "FROM a:1\nWORKDIR /dev\n", true),
    ("PAL-DF-081", "FROM a:1\nWORKDIR /devel\n", false),
    (
        "PAL-DF-039",
        "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x==1\n",
        false,
    ),
    (
        "PAL-DF-039",
        "ENV PIP_NO_CACHE_DIR=1\nFROM a:1\nRUN pip install x==1\n",
        true,
    ),
    (
        "PAL-DF-039",
        "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nFROM b:1\nRUN pip install x==1\n",
        true,
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

#[test]
fn heredoc_findings_point_at_the_body_line() {
    let src = "FROM a:1\nRUN <<EOF\nset -e\n  sudo make install\nEOF\nRUN cat <<EOF > /x && sudo y\nbody\nEOF\n";
    let df = parse(src).unwrap();
    let r = lint(&df, "Dockerfile", &LintOptions::default());
    let at: Vec<(Option<u32>, Option<u32>)> = r
        .findings
        .iter()
        .filter(|f| f.rule == "PAL-DF-015")
        .map(|f| (f.location.line, f.location.column))
        .collect();
    // In the body: its own line and column; on a RUN line with a data heredoc: the RUN line.
    assert_eq!(at, [(Some(4), Some(3)), (Some(6), Some(23))]);
}

/// Hostile sizes: tens of thousands of stages, RUNs, ENVs, labels and
/// COPY --from lint in linear time (quadratic scans took minutes here).
#[test]
fn big_files_lint_in_bounded_time() {
    let mut src = String::new();
    for i in 0..20_000 {
        src.push_str(&format!(
            "FROM a:1 AS s{i}\nLABEL k{i}=v\nENV V{i}=x\nCOPY --from=s{} a{i}.tgz b/\nRUN pip install a && echo $V{i} | tee x && tar -xf b/a{i}.tgz\nRUN wget -q y && curl z\n",
            i / 2
        ));
    }
    let df = parse(&src).unwrap();
    let t = std::time::Instant::now();
    let r = lint(&df, "Dockerfile", &opts());
    assert!(r.findings.len() > 20_000);
    // Linear takes a few seconds even on a loaded machine; quadratic, minutes.
    assert!(t.elapsed().as_secs() < 60, "{:?}", t.elapsed());
}
