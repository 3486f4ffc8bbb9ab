//! PAL-DF-067: Label is not an SPDX license expression.

use palisade_model::Severity;

use super::labels::LabelFormat;
use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-067",
    title: "Label is not an SPDX license expression",
    severity: Severity::Low,
    rationale: r#"License labels are read by compliance tools that expect SPDX identifiers. Unlike hadolint, which accepts a single identifier, expressions such as `MIT OR Apache-2.0` are accepted: the OCI annotation org.opencontainers.image.licenses is defined as an SPDX expression. Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Use SPDX identifiers: `Apache-2.0`, `MIT OR Apache-2.0`."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.licenses="Apache 2"
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.licenses=Apache-2.0
"#,
    peer_ids: &["DL3054"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        super::labels::report_format(
            cx,
            out,
            &DOC,
            LabelFormat::Spdx,
            valid,
            "an SPDX license expression",
        );
    }
}
fn valid(v: &str) -> bool {
    spdx::Expression::parse(v).is_ok()
}
