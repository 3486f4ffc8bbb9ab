//! PAL-DF-048: Pipe without pipefail.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-048",
    title: "Pipe without pipefail",
    severity: Severity::Low,
    rationale: r#"`/bin/sh -c` returns the status of the last command of a pipeline: `curl … | tar x` succeeds even when the download fails, and the build goes on with a broken layer."#,
    fix: r#"Set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN, or start the script with `set -o pipefail`."#,
    bad: r#"FROM debian:12
RUN curl -fsSL https://x/a.tgz | tar xz
"#,
    good: r#"FROM debian:12
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://x/a.tgz | tar xz
"#,
    peer_ids: &["DL4006", "AVD-DS-0032"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            if !run.script.has_pipe || run.ins.is_exec_form() {
                continue;
            }
            let shell_set = cx.stage_of(run.index).is_some_and(|st| {
                (st.instructions.start..run.index).any(|i| {
                    let ins = &cx.df.instructions[i];
                    ins.is("shell")
                        && ins.words().iter().any(|w| {
                            w.contains("pipefail")
                                || w.contains("pwsh")
                                || w.contains("powershell")
                                || w == "cmd"
                        })
                })
            });
            let set_in_script = run
                .script
                .named(&["set"])
                .any(|c| c.args.iter().any(|a| a == "pipefail"));
            if !shell_set && !set_in_script {
                out.push(cx.at(&DOC, run.index, "RUN with a pipe but no -o pipefail"));
            }
        }
    }
}
