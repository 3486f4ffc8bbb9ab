//! PAL-DF-072: yarn install without yarn cache clean.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-072",
    title: "yarn install without yarn cache clean",
    severity: Severity::Low,
    rationale: r#"yarn keeps every downloaded package in its cache; without `yarn cache clean` in the same RUN the cache ships in the layer."#,
    fix: r#"End the RUN with `yarn cache clean`, or use a cache mount for the yarn cache."#,
    bad: r#"FROM node:22
RUN yarn install --frozen-lockfile
"#,
    good: r#"FROM node:22
RUN yarn install --frozen-lockfile && yarn cache clean
"#,
    peer_ids: &["DL3060"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            let cleaned = run
                .script
                .named(&["yarn"])
                .any(|c| c.has_any(&["cache"]) && c.has_any(&["clean"]));
            let mounted = run
                .ins
                .flag_values("mount")
                .any(|m| m.contains("type=cache") && m.contains("yarn"));
            if cleaned || mounted {
                continue;
            }
            if let Some(c) = run
                .script
                .named(&["yarn"])
                .find(|c| c.has_any(&["install"]))
            {
                out.push(cx.at_command(&DOC, run, c, "yarn install without yarn cache clean"));
            }
        }
    }
}
