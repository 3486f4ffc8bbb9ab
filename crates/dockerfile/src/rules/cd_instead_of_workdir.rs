//! PAL-DF-014: cd used instead of WORKDIR.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-014",
    title: "cd used instead of WORKDIR",
    severity: Severity::Low,
    rationale: r#"`cd` in a RUN only lasts for that RUN; WORKDIR makes the directory explicit for every later instruction and for the running container."#,
    fix: r#"Use `WORKDIR /path`."#,
    bad: r#"FROM alpine:3.20
RUN cd /app && make
"#,
    good: r#"FROM alpine:3.20
WORKDIR /app
RUN make
"#,
    peer_ids: &["DL3003", "AVD-DS-0013"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            if let Some(c) = run.script.named(&["cd"]).next() {
                out.push(cx.at_command(&DOC, run, c, "use WORKDIR instead of cd"));
            }
        }
    }
}
