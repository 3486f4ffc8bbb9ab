//! PAL-DF-040: ONBUILD with ONBUILD, FROM or MAINTAINER.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};
use crate::ast::Args;

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-040",
    title: "ONBUILD with ONBUILD, FROM or MAINTAINER",
    severity: Severity::High,
    rationale: r#"ONBUILD cannot chain ONBUILD and does not allow FROM or MAINTAINER; BuildKit rejects them."#,
    fix: r#"Remove the instruction from ONBUILD."#,
    bad: r#"FROM alpine:3.20
ONBUILD FROM debian:12
"#,
    good: r#"FROM alpine:3.20
ONBUILD RUN echo built
"#,
    peer_ids: &["DL3043"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.df.instructions.iter().enumerate() {
            if let Args::Sub(sub) = &ins.args
                && (sub.is("onbuild") || sub.is("from") || sub.is("maintainer"))
            {
                out.push(cx.at(&DOC, i, format!("ONBUILD {} is not allowed", sub.name())));
            }
        }
    }
}
