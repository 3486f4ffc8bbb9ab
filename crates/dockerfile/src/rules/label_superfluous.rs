//! PAL-DF-063: Label not in the label schema.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-063",
    title: "Label not in the label schema",
    severity: Severity::Info,
    rationale: r#"With `strict_labels`, only the labels of the schema are allowed, so images carry a predictable set and typos in keys show up. Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Remove the label, fix its key, or add it to `label_schema`."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.titel=payments
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.title=payments
"#,
    peer_ids: &["DL3050"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        if !cx.settings.strict_labels || cx.settings.label_schema.is_empty() {
            return;
        }
        for l in super::labels::all(cx) {
            if !cx.settings.label_schema.iter().any(|(k, _)| k == l.key) {
                out.push(cx.at(
                    &DOC,
                    l.instruction,
                    format!("label {} is not in the label schema", l.key),
                ));
            }
        }
    }
}
