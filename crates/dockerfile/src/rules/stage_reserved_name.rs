//! PAL-DF-074: Stage named with a reserved word.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-074",
    title: "Stage named with a reserved word",
    severity: Severity::Medium,
    rationale: r#"`scratch` and `context` have a meaning of their own in FROM and COPY --from; a stage with that name is confusing at best and shadowed at worst."#,
    fix: r#"Rename the stage."#,
    bad: r#"FROM golang:1.23 AS scratch
"#,
    good: r#"FROM golang:1.23 AS build
"#,
    peer_ids: &["DL3063"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            if let Some(name @ ("scratch" | "context")) = st.name.as_deref() {
                out.push(cx.at(
                    &DOC,
                    st.from,
                    format!("stage name {name} is a reserved word"),
                ));
            }
        }
    }
}
