//! PAL-DF-069: Label is not a semantic version.

use palisade_model::Severity;

use super::labels::LabelFormat;
use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-069",
    title: "Label is not a semantic version",
    severity: Severity::Low,
    rationale: r#"Labels the label schema declares as versions are sorted and compared by tools; they must be Semantic Versioning 2.0 (`1.2.3`, `1.2.3-rc.1`). Only with a `label_schema` in the configuration (examples use `org.opencontainers.image.{title: text, source: url, version: semver, revision: hash, created: rfc3339, licenses: spdx, authors: email}`)."#,
    fix: r#"Write `MAJOR.MINOR.PATCH`, without a `v` prefix."#,
    bad: r#"FROM alpine:3.20
LABEL org.opencontainers.image.version=v1.2
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.version=1.2.0
"#,
    peer_ids: &["DL3056"],
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
            LabelFormat::Semver,
            valid,
            "a semantic version",
        );
    }
}
fn valid(v: &str) -> bool {
    semver::Version::parse(v).is_ok()
}
