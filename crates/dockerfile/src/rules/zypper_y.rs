//! PAL-DF-037: zypper without non-interactive flag.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-037",
    title: "zypper without non-interactive flag",
    severity: Severity::Medium,
    rationale: r#"Without -n/-y, zypper asks for confirmation and the build fails."#,
    fix: r#"Use `zypper --non-interactive install …` or `zypper install -y …`."#,
    bad: r#"FROM opensuse/leap:15.6
RUN zypper install httpd
"#,
    good: r#"FROM opensuse/leap:15.6
RUN zypper -n install httpd && zypper clean
"#,
    peer_ids: &["DL3034"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["zypper"]) {
                let acting = c.args.iter().skip(1).any(|a| {
                    matches!(
                        a.as_str(),
                        "install" | "in" | "remove" | "rm" | "source-install" | "si" | "patch"
                    )
                });
                let quiet = c.has_any(&["-n", "--non-interactive", "-y", "--no-confirm"]);
                if acting && !quiet {
                    out.push(cx.at_command(&DOC, run, c, "zypper without --non-interactive"));
                }
            }
        }
    }
}
