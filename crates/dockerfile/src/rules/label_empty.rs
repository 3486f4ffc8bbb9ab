//! PAL-DF-064: Label in the label schema is empty.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-064",
    title: "Label in the label schema is empty",
    severity: Severity::Low,
    rationale: r#"An empty value for a label the schema requires satisfies the presence check while carrying no information. Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Give the label a value, e.g. from a build argument."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.title=""
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.title=payments
"#,
    peer_ids: &["DL3051"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for l in super::labels::all(cx) {
            if l.value.trim().is_empty() && cx.settings.label_schema.iter().any(|(k, _)| k == l.key)
            {
                out.push(cx.at(&DOC, l.instruction, format!("label {} is empty", l.key)));
            }
        }
    }
}
