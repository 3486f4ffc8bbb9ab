//! PAL-DF-026: apk add without --no-cache.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-026",
    title: "apk add without --no-cache",
    severity: Severity::Low,
    rationale: r#"Without --no-cache, apk keeps its index in /var/cache/apk and it ships in the layer."#,
    fix: r#"Use `apk add --no-cache …` (or a cache mount on /var/cache/apk)."#,
    bad: r#"FROM alpine:3.20
RUN apk update && apk add curl
"#,
    good: r#"FROM alpine:3.20
RUN apk add --no-cache curl
"#,
    peer_ids: &["DL3019", "AVD-DS-0025"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            if super::has_cache_mount(run, "/var/cache/apk") {
                continue;
            }
            for c in super::calls(run, &["apk"], "add") {
                if !c.has_any(&["--no-cache"]) {
                    out.push(cx.at_command(&DOC, run, c, "apk add without --no-cache"));
                }
            }
        }
    }
}
