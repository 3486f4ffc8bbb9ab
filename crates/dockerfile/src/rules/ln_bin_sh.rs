//! PAL-DF-078: Default shell changed with ln instead of SHELL.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-078",
    title: "Default shell changed with ln instead of SHELL",
    severity: Severity::Low,
    rationale: r#"Replacing /bin/sh with a link to another shell changes every later RUN, and every script in the image that expects a POSIX sh, behind the reader's back."#,
    fix: r#"Use `SHELL ["/bin/bash", "-c"]` to run the following RUN instructions with another shell."#,
    bad: r#"FROM debian:12
RUN ln -sf /bin/bash /bin/sh
"#,
    good: r#"FROM debian:12
SHELL ["/bin/bash", "-c"]
"#,
    peer_ids: &["DL4005"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["ln"]) {
                // The link name is the last operand; `ln -s /bin/sh x` leaves sh alone.
                if c.operands().last() == Some("/bin/sh") {
                    out.push(cx.at_command(&DOC, run, c, "ln replaces /bin/sh: use SHELL"));
                }
            }
        }
    }
}
