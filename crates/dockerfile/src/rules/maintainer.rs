//! PAL-DF-044: MAINTAINER is deprecated.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-044",
    title: "MAINTAINER is deprecated",
    severity: Severity::Low,
    rationale: r#"MAINTAINER has been deprecated since Docker 1.13."#,
    fix: r#"Use `LABEL org.opencontainers.image.authors="…"`."#,
    bad: r#"FROM alpine:3.20
MAINTAINER me@example.com
"#,
    good: r#"FROM alpine:3.20
LABEL org.opencontainers.image.authors="me@example.com"
"#,
    peer_ids: &["DL4000", "AVD-DS-0022"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if ins.is("maintainer") {
                out.push(cx.at(&DOC, i, "MAINTAINER is deprecated"));
            }
        }
    }
}
