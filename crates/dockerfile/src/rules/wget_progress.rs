//! PAL-DF-060: wget without a quiet or progress option.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-060",
    title: "wget without a quiet or progress option",
    severity: Severity::Info,
    rationale: r#"wget's default progress bar writes thousands of lines to the build log for a large download, burying the output that matters."#,
    fix: r#"Use `wget -q`, `wget -nv` or `wget --progress=dot:giga`."#,
    bad: r#"FROM debian:12
RUN wget https://example.com/app.tgz
"#,
    good: r#"FROM debian:12
RUN wget -nv https://example.com/app.tgz
"#,
    peer_ids: &["DL3047"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["wget"]) {
                let quiet = c.has_option('q', &["--quiet", "--progress"])
                    || c.has_option('o', &["--output-file"])
                    || c.has_option('a', &["--append-output"])
                    || c.has_any(&["-nv", "--no-verbose"]);
                if !quiet {
                    out.push(cx.at_command(&DOC, run, c, "wget without -q, -nv or --progress"));
                }
            }
        }
    }
}
