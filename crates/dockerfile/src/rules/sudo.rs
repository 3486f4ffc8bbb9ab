//! PAL-DF-015: sudo used in RUN.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-015",
    title: "sudo used in RUN",
    severity: Severity::High,
    rationale: r#"sudo has unpredictable TTY and signal behaviour and means the image carries a privilege-escalation tool. Builds run as root unless USER says otherwise."#,
    fix: r#"Drop sudo; switch users with USER, or use gosu/su-exec in an entrypoint."#,
    bad: r#"FROM debian:12
USER app
RUN sudo apt-get update
"#,
    good: r#"FROM debian:12
RUN apt-get update
USER app
"#,
    peer_ids: &["DL3004", "AVD-DS-0010"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["sudo"]) {
                out.push(cx.at_command(&DOC, run, c, "do not use sudo in a Dockerfile"));
            }
        }
    }
}
