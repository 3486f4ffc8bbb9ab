//! PAL-DF-046: More than one CMD in a stage.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-046",
    title: "More than one CMD in a stage",
    severity: Severity::Low,
    rationale: r#"Only the last CMD takes effect; earlier ones are dead code that misleads readers."#,
    fix: r#"Keep one CMD per stage."#,
    bad: r#"FROM alpine:3.20
CMD ["a"]
CMD ["b"]
"#,
    good: r#"FROM alpine:3.20
CMD ["b"]
"#,
    peer_ids: &["DL4003", "AVD-DS-0016"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            let cmds: Vec<usize> = st
                .instructions
                .clone()
                .filter(|&i| cx.df.instructions[i].is("cmd"))
                .collect();
            for &i in cmds.iter().skip(1) {
                out.push(cx.at(&DOC, i, "more than one CMD in this stage"));
            }
        }
    }
}
