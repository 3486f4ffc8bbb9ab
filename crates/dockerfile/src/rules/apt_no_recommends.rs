//! PAL-DF-023: apt-get install without --no-install-recommends.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-023",
    title: "apt-get install without --no-install-recommends",
    severity: Severity::Low,
    rationale: r#"Recommended packages are not needed to run the software; they enlarge the image and its attack surface."#,
    fix: r#"Add `--no-install-recommends`."#,
    bad: r#"FROM debian:12
RUN apt-get update && apt-get install -y curl
"#,
    good: r#"FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl
"#,
    peer_ids: &["DL3015", "AVD-DS-0029"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in super::calls(run, &["apt-get"], "install") {
                let ok = c.has_any(&["--no-install-recommends"])
                    || c.args.iter().any(|a| {
                        a.contains("Install-Recommends=false") || a.contains("Install-Recommends=0")
                    });
                if !ok {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        c,
                        "apt-get install without --no-install-recommends",
                    ));
                }
            }
        }
    }
}
