//! PAL-DF-020: More than one HEALTHCHECK in a stage.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-020",
    title: "More than one HEALTHCHECK in a stage",
    severity: Severity::Low,
    rationale: r#"Only the last HEALTHCHECK of a stage takes effect; earlier ones are dead code that misleads readers."#,
    fix: r#"Keep one HEALTHCHECK per stage."#,
    bad: r#"FROM nginx:1.27
HEALTHCHECK CMD true
HEALTHCHECK CMD curl -f http://localhost/
"#,
    good: r#"FROM nginx:1.27
HEALTHCHECK CMD curl -f http://localhost/
"#,
    peer_ids: &["DL3012", "AVD-DS-0023"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            let hc: Vec<usize> = st
                .instructions
                .clone()
                .filter(|&i| cx.df.instructions[i].is("healthcheck"))
                .collect();
            for &i in hc.iter().skip(1) {
                out.push(cx.at(&DOC, i, "more than one HEALTHCHECK in this stage"));
            }
        }
    }
}
