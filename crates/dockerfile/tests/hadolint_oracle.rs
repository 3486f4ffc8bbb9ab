//! hadolint as an oracle: for every rule mapped to a hadolint DL id, the
//! real hadolint must report that id on the rule's bad example and not on
//! its good example (the examples of docs/rules/dockerfile.md). Where the
//! two tools deliberately differ, the case is listed in `DIFFERS` with the
//! reason.
//!
//! Needs hadolint (`HADOLINT`, /opt/peers/venv/bin/hadolint or PATH;
//! install with ../shared/tools/peers-install.sh). Without it the test
//! fails, unless PALISADE_SKIP_PEER_TESTS=1.

use std::path::PathBuf;
use std::process::Command;

use palisade_dockerfile::rules::docs;

/// (our rule, example, why hadolint disagrees there).
const DIFFERS: &[(&str, &str, &str)] = &[
    (
        "PAL-DF-001",
        "bad",
        "no USER at all runs as root too (the guide); DL3002 only looks at an explicit USER root",
    ),
    (
        "PAL-DF-006",
        "bad",
        "our allow-list takes image prefixes (docker.io/library/); hadolint trusts whole registries, so docker.io/randomuser passes",
    ),
];

fn hadolint() -> Option<PathBuf> {
    let candidates = std::env::var_os("HADOLINT")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/opt/peers/venv/bin/hadolint")])
        .chain(
            std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join("hadolint"))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
    for c in candidates {
        if c.is_file() {
            return Some(c);
        }
    }
    if std::env::var_os("PALISADE_SKIP_PEER_TESTS").is_some() {
        eprintln!("skipped: hadolint not found and PALISADE_SKIP_PEER_TESTS is set");
        return None;
    }
    panic!(
        "hadolint not found (set HADOLINT, or install it with ../shared/tools/peers-install.sh); \
         PALISADE_SKIP_PEER_TESTS=1 skips this test"
    );
}

/// The DL codes hadolint reports on `src`, with the settings the rule
/// tests use (trusted registries, the label schema, strict labels) and
/// the rules hadolint keeps off by default turned on.
fn codes(bin: &PathBuf, dir: &std::path::Path, name: &str, src: &str) -> Vec<String> {
    let path = dir.join(name);
    std::fs::write(&path, src).unwrap();
    let mut cmd = Command::new(bin);
    cmd.args(["--no-fail", "-f", "json", "--strict-labels"]);
    for r in ["docker.io", "registry.example.com"] {
        cmd.args(["--trusted-registry", r]);
    }
    for (k, f) in [
        ("title", "text"),
        ("source", "url"),
        ("version", "semver"),
        ("revision", "hash"),
        ("created", "rfc3339"),
        ("licenses", "spdx"),
        ("authors", "email"),
    ] {
        cmd.args([
            "--require-label",
            &format!("org.opencontainers.image.{k}:{f}"),
        ]);
    }
    for off_by_default in ["DL1001", "DL3057"] {
        cmd.args(["--info", off_by_default]);
    }
    let out = cmd.arg(&path).output().expect("run hadolint");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "hadolint output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn hadolint_agrees_on_the_rule_examples() {
    let Some(bin) = hadolint() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for d in docs() {
        let Some(dl) = d.peer_ids.iter().find(|p| p.starts_with("DL")) else {
            continue;
        };
        for (which, src, want) in [("bad", d.bad, true), ("good", d.good, false)] {
            let got = codes(&bin, dir.path(), "Dockerfile", src).contains(&dl.to_string());
            checked += 1;
            let known = DIFFERS.iter().any(|(id, w, _)| *id == d.id && *w == which);
            if got != want && !known {
                problems.push(format!(
                    "{} ({dl}) {which} example: hadolint {} it\n{src}",
                    d.id,
                    if got { "reports" } else { "does not report" }
                ));
            }
            if got == want && known {
                problems.push(format!(
                    "{} {which}: listed in DIFFERS but hadolint now agrees",
                    d.id
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} examples checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
