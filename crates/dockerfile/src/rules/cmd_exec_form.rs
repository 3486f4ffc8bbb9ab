//! PAL-DF-032: CMD or ENTRYPOINT in shell form.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-032",
    title: "CMD or ENTRYPOINT in shell form",
    severity: Severity::Low,
    rationale: r#"In shell form the process runs under `/bin/sh -c`, does not receive SIGTERM and is not PID 1: containers stop slowly and uncleanly."#,
    fix: r#"Use the JSON (exec) form: `CMD ["app", "--flag"]`."#,
    bad: r#"FROM alpine:3.20
CMD app --serve
"#,
    good: r#"FROM alpine:3.20
CMD ["app", "--serve"]
"#,
    peer_ids: &["DL3025"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if (ins.is("cmd") || ins.is("entrypoint")) && ins.text().is_some() {
                out.push(cx.at(
                    &DOC,
                    i,
                    format!("{} in shell form: use the JSON array form", ins.name()),
                ));
            }
        }
    }
}
