//! PAL-DF-022: apt-get install without -y.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-022",
    title: "apt-get install without -y",
    severity: Severity::Medium,
    rationale: r#"Without -y, apt-get asks for confirmation and the non-interactive build fails or aborts the install."#,
    fix: r#"Add `-y` (or `--yes`, `-qq`)."#,
    bad: r#"FROM debian:12
RUN apt-get update && apt-get install curl
"#,
    good: r#"FROM debian:12
RUN apt-get update && apt-get install -y curl
"#,
    peer_ids: &["DL3014", "AVD-DS-0021"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in super::calls(run, &["apt-get"], "install") {
                let yes = c.has_option('y', &["--yes", "--assume-yes"])
                    || c.has_any(&["-qq", "-q=2", "--quiet=2"]);
                if !yes {
                    out.push(cx.at_command(&DOC, run, c, "apt-get install without -y"));
                }
            }
        }
    }
}
