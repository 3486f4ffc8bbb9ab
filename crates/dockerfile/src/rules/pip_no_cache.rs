//! PAL-DF-039: pip install without --no-cache-dir.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-039",
    title: "pip install without --no-cache-dir",
    severity: Severity::Low,
    rationale: r#"pip keeps downloaded wheels in ~/.cache/pip, which then ships in the layer."#,
    fix: r#"Add `--no-cache-dir`, set `PIP_NO_CACHE_DIR=1`, or use a cache mount."#,
    bad: r#"FROM python:3.12
RUN pip install requests==2.32.3
"#,
    good: r#"FROM python:3.12
RUN pip install --no-cache-dir requests==2.32.3
"#,
    peer_ids: &["DL3042"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            if super::has_cache_mount(run, "/root/.cache") {
                continue;
            }
            let env_set = cx.stage_of(run.index).is_some_and(|st| {
                crate::stages::vars_before(cx.df, st, run.index)
                    .iter()
                    .any(|(k, _)| k == "PIP_NO_CACHE_DIR")
            });
            if env_set {
                continue;
            }
            for c in super::pip_pin::pip_installs(run) {
                if !c.has_any(&["--no-cache-dir"])
                    && !c
                        .assignments
                        .iter()
                        .any(|a| a.starts_with("PIP_NO_CACHE_DIR="))
                {
                    out.push(cx.at_command(&DOC, run, c, "pip install without --no-cache-dir"));
                }
            }
        }
    }
}
