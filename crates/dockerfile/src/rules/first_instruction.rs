//! PAL-DF-043: First instruction is not FROM or ARG.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-043",
    title: "First instruction is not FROM or ARG",
    severity: Severity::Medium,
    rationale: r#"A Dockerfile must start with FROM (ARG may come before it); anything else is rejected by BuildKit."#,
    fix: r#"Start with `FROM` (or global `ARG`s then `FROM`)."#,
    bad: r#"LABEL x=y
FROM alpine:3.20
"#,
    good: r#"FROM alpine:3.20
LABEL x=y
"#,
    peer_ids: &["DL3061"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        if let Some(i) = cx.df.instructions.iter().position(|ins| !ins.is("arg"))
            && !cx.df.instructions[i].is("from")
        {
            {
                out.push(cx.at(
                    &DOC,
                    i,
                    format!("{} before the first FROM", cx.df.instructions[i].name()),
                ));
            }
        }
    }
}
