//! PAL-DF-011: No HEALTHCHECK in the final stage.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-011",
    title: "No HEALTHCHECK in the final stage",
    severity: Severity::Low,
    rationale: r#"Without a HEALTHCHECK the runtime only knows whether the process exists, not whether it works. (Kubernetes ignores HEALTHCHECK and uses probes; this matters for Docker and ECS.)"#,
    fix: r#"Add `HEALTHCHECK CMD …` to the final stage, or `HEALTHCHECK NONE` to say it is deliberate."#,
    bad: r#"FROM nginx:1.27
"#,
    good: r#"FROM nginx:1.27
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
"#,
    peer_ids: &["DL3057", "AVD-DS-0026", "CIS 4.6"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let Some(last) = cx.final_stage() else { return };
        let has = super::chain(cx, last).iter().any(|s| {
            cx.df.instructions[s.instructions.clone()]
                .iter()
                .any(|i| i.is("healthcheck"))
        });
        if !has {
            out.push(cx.at(&DOC, last.from, "the final stage has no HEALTHCHECK"));
        }
    }
}
