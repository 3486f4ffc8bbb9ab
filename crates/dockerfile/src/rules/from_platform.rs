//! PAL-DF-034: FROM with a fixed --platform.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-034",
    title: "FROM with a fixed --platform",
    severity: Severity::Low,
    rationale: r#"A hard-coded --platform prevents multi-platform builds and silently runs emulated on other hosts."#,
    fix: r#"Drop --platform, or use a build argument such as `--platform=$BUILDPLATFORM`."#,
    bad: r#"FROM --platform=linux/amd64 debian:12
"#,
    good: r#"FROM --platform=$BUILDPLATFORM debian:12
"#,
    peer_ids: &["DL3029"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            if let Some(p) = &st.platform
                && !p.contains('$')
            {
                out.push(cx.at(
                    &DOC,
                    st.from,
                    format!("FROM --platform={p} fixes the platform"),
                ));
            }
        }
    }
}
