//! PAL-DF-025: apk add without version pins.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-025",
    title: "apk add without version pins",
    severity: Severity::Low,
    rationale: r#"Unpinned Alpine packages make builds unreproducible."#,
    fix: r#"Pin versions: `apk add --no-cache curl=8.11.0-r2`."#,
    bad: r#"FROM alpine:3.20
RUN apk add --no-cache curl
"#,
    good: r#"FROM alpine:3.20
RUN apk add --no-cache curl=8.11.0-r2
"#,
    peer_ids: &["DL3018"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::report_unpinned(cx, out, &DOC, "apk", "apk add", pinned);
    }
}

/// A version, a range, a local package file or a variable counts as pinned.
fn pinned(p: &str) -> bool {
    p.contains('=')
        || p.contains('~')
        || p.contains('>')
        || p.contains('<')
        || p.ends_with(".apk")
        || p.contains('$')
}
