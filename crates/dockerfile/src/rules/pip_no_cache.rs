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
        // Instructions that put PIP_NO_CACHE_DIR in scope, in file order
        // (found once: a scope walk per RUN is quadratic on big files).
        let globals = crate::stages::global_args(cx.df);
        let sets: Vec<usize> = cx
            .df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, ins)| {
                let mut vars = Vec::new();
                (ins.is("env") || ins.is("arg")) && {
                    crate::stages::apply_scope(cx.df, &globals, ins, &mut vars);
                    vars.iter().any(|(k, _)| k == "PIP_NO_CACHE_DIR")
                }
            })
            .map(|(i, _)| i)
            .collect();
        for run in &cx.runs {
            if super::has_cache_mount(run, "/root/.cache") {
                continue;
            }
            // Only RUNs that call pip pay for the scope lookup.
            if super::pip_pin::pip_installs(run).next().is_none() {
                continue;
            }
            let env_set = cx.stage_of(run.index).is_some_and(|st| {
                let lo = sets.partition_point(|&i| i < st.instructions.start);
                sets.get(lo).is_some_and(|&i| i < run.index)
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
