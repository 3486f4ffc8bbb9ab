//! PAL-DF-017: apt-get install without version pins.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-017",
    title: "apt-get install without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned packages make builds unreproducible: the same Dockerfile installs different versions on different days."#,
    fix: r#"Pin versions: `apt-get install -y curl=8.5.0-2ubuntu10.6`."#,
    bad: r#"FROM debian:12
RUN apt-get update && apt-get install -y curl
"#,
    good: r#"FROM debian:12
RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u8
"#,
    peer_ids: &["DL3008"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_unpinned(cx, out, &DOC, "apt", "apt-get install", pinned);
    }
}

/// A version, a range, a local package file or a variable counts as pinned.
fn pinned(p: &str) -> bool {
    p.contains('=') || p.ends_with(".deb") || p.contains('/') || p.contains('$')
}
