//! PAL-DF-018: apt lists left in the image.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-018",
    title: "apt lists left in the image",
    severity: Severity::Low,
    rationale: r#"`apt-get update` downloads package lists (tens of MB) that stay in the layer unless removed in the same RUN."#,
    fix: r#"End the RUN with `rm -rf /var/lib/apt/lists/*`, or use `RUN --mount=type=cache,target=/var/lib/apt`."#,
    bad: r#"FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl
"#,
    good: r#"FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
"#,
    peer_ids: &["DL3009"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let Some(last) = cx.final_stage() else { return };
        for run in cx.runs_in(last) {
            let updates = run.script.commands.iter().any(|c| {
                matches!(c.name(), "apt-get" | "apt") && c.args.iter().any(|a| a == "update")
            });
            if updates
                && !super::removes(run, "/var/lib/apt/lists")
                && !super::has_cache_mount(run, "/var/lib/apt")
            {
                out.push(cx.at(
                    &DOC,
                    run.index,
                    "apt lists are not deleted after apt-get update",
                ));
            }
        }
    }
}
