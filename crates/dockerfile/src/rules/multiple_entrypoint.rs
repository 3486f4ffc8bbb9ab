//! PAL-DF-047: More than one ENTRYPOINT in a stage.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-047",
    title: "More than one ENTRYPOINT in a stage",
    severity: Severity::Medium,
    rationale: r#"Only the last ENTRYPOINT takes effect; earlier ones are dead code that misleads readers."#,
    fix: r#"Keep one ENTRYPOINT per stage."#,
    bad: r#"FROM alpine:3.20
ENTRYPOINT ["a"]
ENTRYPOINT ["b"]
"#,
    good: r#"FROM alpine:3.20
ENTRYPOINT ["b"]
"#,
    peer_ids: &["DL4004", "AVD-DS-0007"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            let eps: Vec<usize> = st
                .instructions
                .clone()
                .filter(|&i| cx.df.instructions[i].is("entrypoint"))
                .collect();
            for &i in eps.iter().skip(1) {
                out.push(cx.at(&DOC, i, "more than one ENTRYPOINT in this stage"));
            }
        }
    }
}
