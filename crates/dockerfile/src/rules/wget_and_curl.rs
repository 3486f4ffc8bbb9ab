//! PAL-DF-045: Both wget and curl used.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-045",
    title: "Both wget and curl used",
    severity: Severity::Info,
    rationale: r#"Using both tools means shipping (and patching) two HTTP clients where one does."#,
    fix: r#"Pick one of wget or curl."#,
    bad: r#"FROM debian:12
RUN wget -q https://a/x
RUN curl -fsSLO https://b/y
"#,
    good: r#"FROM debian:12
RUN curl -fsSLO https://a/x && curl -fsSLO https://b/y
"#,
    peer_ids: &["DL4001", "AVD-DS-0014"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            let runs: Vec<_> = cx.runs_in(st).collect();
            let wget = runs
                .iter()
                .find_map(|r| r.script.named(&["wget"]).next().map(|c| (*r, c)));
            let curl = runs
                .iter()
                .any(|r| r.script.named(&["curl"]).next().is_some());
            if let (Some((run, c)), true) = (wget, curl) {
                out.push(cx.at_command(&DOC, run, c, "both wget and curl are used in this stage"));
            }
        }
    }
}
