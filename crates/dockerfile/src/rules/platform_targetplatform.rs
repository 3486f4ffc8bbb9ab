//! PAL-DF-075: FROM --platform=$TARGETPLATFORM is redundant.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-075",
    title: "FROM --platform=$TARGETPLATFORM is redundant",
    severity: Severity::Info,
    rationale: r#"$TARGETPLATFORM is what FROM uses anyway; spelling it out adds noise and hides real --platform choices."#,
    fix: r#"Drop the flag."#,
    bad: r#"FROM --platform=$TARGETPLATFORM alpine:3.20
"#,
    good: r#"FROM alpine:3.20
"#,
    peer_ids: &["DL3065"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            if let Some(p) = st.platform.as_deref()
                && matches!(super::unquote(p), "$TARGETPLATFORM" | "${TARGETPLATFORM}")
            {
                out.push(cx.at(&DOC, st.from, "--platform=$TARGETPLATFORM is the default"));
            }
        }
    }
}
