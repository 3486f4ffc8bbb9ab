//! PAL-DF-073: go install or go get without a version.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-073",
    title: "go install or go get without a version",
    severity: Severity::Low,
    rationale: r#"Since Go 1.16 `go install pkg` outside a module installs whatever the module resolves to today; `pkg@version` makes the build reproducible."#,
    fix: r#"Give a version: `go install golang.org/x/tools/gopls@v0.16.2`."#,
    bad: r#"FROM golang:1.23
RUN go install golang.org/x/tools/gopls
"#,
    good: r#"FROM golang:1.23
RUN go install golang.org/x/tools/gopls@v0.16.2
"#,
    peer_ids: &["DL3062"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            for c in run.script.named(&["go"]) {
                let Some(args) = c
                    .subcommand_args("install")
                    .or_else(|| c.subcommand_args("get"))
                else {
                    continue;
                };
                let mut loose = Vec::new();
                let mut skip_value = false;
                for a in args {
                    if std::mem::take(&mut skip_value) {
                        continue;
                    }
                    if matches!(a, "-ldflags" | "-gcflags" | "-tags" | "-o" | "-mod" | "-p") {
                        skip_value = true;
                    } else if !a.starts_with(['-', '.', '/', '$']) && !a.contains('@') {
                        loose.push(a);
                    }
                }
                if !loose.is_empty() {
                    out.push(cx.at_command(
                        &DOC,
                        run,
                        c,
                        format!(
                            "{} without @version: {}",
                            c.args.get(1).map_or("go", String::as_str),
                            loose.join(", ")
                        ),
                    ));
                }
            }
        }
    }
}
