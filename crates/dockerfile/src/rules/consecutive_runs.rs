//! PAL-DF-071: Consecutive RUNs that could be one.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-071",
    title: "Consecutive RUNs that could be one",
    severity: Severity::Info,
    rationale: r#"Every RUN is a layer; short RUNs in a row (with the same mounts and flags) make more layers and a bigger image than one RUN joined with &&. Long RUNs are left alone: splitting them is often deliberate, for the build cache."#,
    fix: r#"Join the commands into one RUN with `&&`."#,
    bad: r#"FROM debian:12
RUN mkdir /app
RUN chown 1000 /app
"#,
    good: r#"FROM debian:12
RUN mkdir /app && chown 1000 /app
"#,
    peer_ids: &["DL3059"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        // (flags, command count) of the previous RUN when it came right before.
        let mut prev: Option<(Vec<String>, usize)> = None;
        for (i, ins) in cx.df.instructions.iter().enumerate() {
            let Some(run) = cx.run_at(i).filter(|_| ins.is("run")) else {
                prev = None;
                continue;
            };
            let flags: Vec<String> = ins.flags.iter().map(|f| f.raw.clone()).collect();
            let count = run.script.commands.iter().filter(|c| !c.nested).count();
            if let Some((pflags, pcount)) = &prev
                && *pflags == flags
                && *pcount <= 2
                && count <= 2
            {
                out.push(cx.at(&DOC, i, "RUN right after a RUN: consider joining them"));
            }
            prev = Some((flags, count));
        }
    }
}
