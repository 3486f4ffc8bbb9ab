//! docs/rules/image.md is generated from the checks' own rule documents, so
//! it cannot drift: this test fails when the committed page differs.
//! Regenerate with `PALISADE_UPDATE_DOCS=1 cargo test -p palisade-audit --test rule_docs`.

use std::fmt::Write as _;

fn render() -> String {
    let mut s = String::new();
    s.push_str("# `palisade image` rules\n\n");
    s.push_str("Generated from the rule documents in `crates/audit/src/checks/` by `crates/audit/tests/rule_docs.rs`; do not edit by hand.\n\n");
    s.push_str("| id | scanner | default severity | title | same rule elsewhere |\n|---|---|---|---|---|\n");
    for check in palisade_audit::checks::ALL {
        let d = check.doc();
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} | {} | {} |",
            d.id,
            d.id.to_ascii_lowercase(),
            check.scanner().name(),
            d.severity,
            d.title,
            d.peer_ids.join(", ")
        );
    }
    for check in palisade_audit::checks::ALL {
        let d = check.doc();
        let _ = write!(
            s,
            "\n## {}\n\n**{}** — default severity {}, scanner `{}`.\n\n",
            d.id,
            d.title,
            d.severity,
            check.scanner().name()
        );
        let _ = write!(s, "{}\n\n**Fix:** {}\n", squash(d.rationale), squash(d.fix));
        if !d.peer_ids.is_empty() {
            let _ = write!(s, "\n**Same rule elsewhere:** {}\n", d.peer_ids.join(", "));
        }
        for r in d.references {
            let _ = write!(s, "\n- <{r}>\n");
        }
    }
    s
}

/// Rule texts are written with `\` line continuations; collapse the indentation.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn rule_docs_are_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules/image.md");
    let want = render();
    if std::env::var_os("PALISADE_UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules/image.md is out of date: run PALISADE_UPDATE_DOCS=1 cargo test -p palisade-audit --test rule_docs"
    );
}
