//! PAL-DF-062: Label of the label schema missing.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-062",
    title: "Label of the label schema missing",
    severity: Severity::Low,
    rationale: r#"Organisations require labels (source repository, revision, owner) so that every image can be traced back to its code and team. Every label of the schema must be set in every stage (a stage built on another inherits its labels). Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Add the label: `LABEL org.opencontainers.image.source=https://…`."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.title=payments
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.title=payments \
      org.opencontainers.image.source=https://github.com/org/payments \
      org.opencontainers.image.version=1.2.0 \
      org.opencontainers.image.revision=4b825dc642cb6eb9a060e54bf8d69288fbee4904 \
      org.opencontainers.image.created=2026-12-06T07:30:00Z \
      org.opencontainers.image.licenses=Apache-2.0 \
      org.opencontainers.image.authors=payments@example.com
"#,
    peer_ids: &["DL3049"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        if cx.settings.label_schema.is_empty() {
            return;
        }
        let labels = super::labels::all(cx);
        for st in &cx.stages {
            let keys = super::labels::keys_by_stage(cx, &labels, st);
            for (k, _) in &cx.settings.label_schema {
                if !keys.contains(&k.as_str()) {
                    out.push(cx.at(&DOC, st.from, format!("label {k} is missing")));
                }
            }
        }
    }
}
