//! PAL-DF-030: COPY --from refers to its own stage.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-030",
    title: "COPY --from refers to its own stage",
    severity: Severity::High,
    rationale: r#"A stage cannot copy from itself; the build fails with a cycle."#,
    fix: r#"Copy from an earlier stage."#,
    bad: r#"FROM alpine:3.20 AS app
COPY --from=app /a /b
"#,
    good: r#"FROM alpine:3.20 AS build
RUN touch /a
FROM alpine:3.20 AS app
COPY --from=build /a /b
"#,
    peer_ids: &["DL3023", "AVD-DS-0006"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            let Some(name) = &st.name else { continue };
            for i in st.instructions.clone() {
                let ins = &cx.df.instructions[i];
                if ins.is("copy")
                    && ins
                        .flag("from")
                        .and_then(|f| f.value.as_deref())
                        .is_some_and(|f| f.eq_ignore_ascii_case(name))
                {
                    out.push(cx.at(
                        &DOC,
                        i,
                        format!("COPY --from={name} refers to the stage it is in"),
                    ));
                }
            }
        }
    }
}
