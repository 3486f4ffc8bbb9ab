//! PAL-DF-054: zypper dist-upgrade in a Dockerfile.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-054",
    title: "zypper dist-upgrade in a Dockerfile",
    severity: Severity::Low,
    rationale: r#"dist-upgrade moves the image to whatever the repositories hold today, possibly a new distribution release: the base image no longer says what the image is, and builds are not reproducible."#,
    fix: r#"Use a newer base image, or `zypper patch` / `zypper update` for security fixes."#,
    bad: r#"FROM opensuse/leap:15.6
RUN zypper -n dist-upgrade
"#,
    good: r#"FROM opensuse/leap:15.6
RUN zypper -n patch
"#,
    peer_ids: &["DL3035"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["zypper"]) {
                if c.has_any(&["dist-upgrade", "dup"]) {
                    out.push(cx.at_command(&DOC, run, c, "zypper dist-upgrade"));
                }
            }
        }
    }
}
