//! PAL-DF-065: Label is not a URL.

use palisade_model::Severity;

use super::labels::LabelFormat;
use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-065",
    title: "Label is not a URL",
    severity: Severity::Low,
    rationale: r#"Labels the label schema declares as URLs (source, documentation) are followed by people and tools; a bare host name or a typo breaks them. Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Give an absolute URL with a scheme: `https://github.com/org/repo`."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.source=github.com/org/repo
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.source=https://github.com/org/repo
"#,
    peer_ids: &["DL3052"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::labels::report_format(cx, out, &DOC, LabelFormat::Url, valid, "a URL");
    }
}
fn valid(v: &str) -> bool {
    url::Url::parse(v).is_ok()
}
