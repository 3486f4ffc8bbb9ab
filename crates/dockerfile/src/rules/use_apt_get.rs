//! PAL-DF-033: apt used instead of apt-get.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-033",
    title: "apt used instead of apt-get",
    severity: Severity::Low,
    rationale: r#"apt's command-line interface is meant for people and is not stable for scripts; apt-get and apt-cache are."#,
    fix: r#"Use apt-get or apt-cache."#,
    bad: r#"FROM debian:12
RUN apt update && apt install -y curl
"#,
    good: r#"FROM debian:12
RUN apt-get update && apt-get install -y curl
"#,
    peer_ids: &["DL3027"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["apt"]) {
                out.push(cx.at_command(&DOC, run, c, "use apt-get or apt-cache instead of apt"));
            }
        }
    }
}
