//! PAL-DF-077: COPY --from copies a whole filesystem.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-077",
    title: "COPY --from copies a whole filesystem",
    severity: Severity::Medium,
    rationale: r#"`COPY --from=stage / /` overwrites the target stage with everything in the source stage, build tools and secrets included, defeating the point of a multi-stage build."#,
    fix: r#"Copy only the artefacts: `COPY --from=build /app/bin /usr/local/bin/`."#,
    bad: r#"FROM golang:1.23 AS build
FROM alpine:3.20
COPY --from=build / /
"#,
    good: r#"FROM golang:1.23 AS build
FROM alpine:3.20
COPY --from=build /go/bin/app /usr/local/bin/
"#,
    peer_ids: &["DL3067"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !ins.is("copy") || ins.flag("from").is_none() {
                continue;
            }
            let words = ins.words();
            if let Some((dest, srcs)) = words.split_last()
                && super::unquote(dest) == "/"
                && srcs.iter().any(|s| super::unquote(s) == "/")
            {
                out.push(cx.at(&DOC, i, "copies / of another stage onto /"));
            }
        }
    }
}
