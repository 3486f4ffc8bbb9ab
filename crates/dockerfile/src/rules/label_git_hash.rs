//! PAL-DF-068: Label is not a git commit hash.

use palisade_model::Severity;

use super::labels::LabelFormat;
use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-068",
    title: "Label is not a git commit hash",
    severity: Severity::Low,
    rationale: r#"Labels the label schema declares as revisions link the image to the exact source commit; anything but a hash (a branch name, say) moves. Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Use the commit hash: `LABEL org.opencontainers.image.revision=$GIT_SHA` with the full or abbreviated (7+) hash."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.revision=main
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.revision=4b825dc642cb6eb9a060e54bf8d69288fbee4904
"#,
    peer_ids: &["DL3055"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::labels::report_format(cx, out, &DOC, LabelFormat::Hash, valid, "a git commit hash");
    }
}
/// 7 to 40 hex digits (SHA-1), or 64 (SHA-256 repositories).
fn valid(v: &str) -> bool {
    ((7..=40).contains(&v.len()) || v.len() == 64) && v.bytes().all(|c| c.is_ascii_hexdigit())
}
