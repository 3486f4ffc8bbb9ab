//! docs/rules/dockerfile.md is generated from the rules' own documents, so
//! it cannot drift: this test fails when the committed page differs.
//! Regenerate with `PALISADE_UPDATE_DOCS=1 cargo test -p palisade-dockerfile --test rule_docs`.

use std::fmt::Write as _;

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn render() -> String {
    let mut s = String::new();
    s.push_str("# `palisade dockerfile` rules\n\n");
    s.push_str("Generated from the rule documents in `crates/dockerfile/src/rules/` by `crates/dockerfile/tests/rule_docs.rs`; do not edit by hand.\n\n");
    s.push_str("`PAL-DF-000` (HIGH) is reported for a file that does not parse.\n\n");
    s.push_str("| id | default severity | title | same rule elsewhere |\n|---|---|---|---|\n");
    for d in palisade_dockerfile::rules::docs() {
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} | {} |",
            d.id,
            d.id.to_ascii_lowercase(),
            d.severity,
            d.title,
            d.peer_ids.join(", ")
        );
    }
    for d in palisade_dockerfile::rules::docs() {
        let _ = write!(
            s,
            "\n## {}\n\n**{}** — default severity {}.\n\n",
            d.id, d.title, d.severity
        );
        let _ = write!(s, "{}\n\n**Fix:** {}\n", squash(d.rationale), squash(d.fix));
        if !d.peer_ids.is_empty() {
            let _ = write!(s, "\n**Same rule elsewhere:** {}\n", d.peer_ids.join(", "));
        }
        let _ = write!(
            s,
            "\nBad:\n\n```dockerfile\n{}```\n\nGood:\n\n```dockerfile\n{}```\n",
            d.bad, d.good
        );
    }
    s
}

#[test]
fn rule_docs_are_current() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/rules/dockerfile.md"
    );
    let want = render();
    if std::env::var_os("PALISADE_UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules/dockerfile.md is out of date: run PALISADE_UPDATE_DOCS=1 cargo test -p palisade-dockerfile --test rule_docs"
    );
}
