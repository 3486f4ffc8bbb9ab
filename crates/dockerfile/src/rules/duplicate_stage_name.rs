//! PAL-DF-031: Two stages with the same name.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-031",
    title: "Two stages with the same name",
    severity: Severity::High,
    rationale: r#"Stage names must be unique; BuildKit rejects the file."#,
    fix: r#"Rename one of the stages."#,
    bad: r#"FROM alpine:3.20 AS build
FROM alpine:3.20 AS build
"#,
    good: r#"FROM alpine:3.20 AS build
FROM alpine:3.20 AS final
"#,
    peer_ids: &["DL3024", "AVD-DS-0012"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let mut seen = std::collections::HashSet::new();
        for st in &cx.stages {
            let Some(name) = &st.name else { continue };
            if !seen.insert(name) {
                out.push(cx.at(&DOC, st.from, format!("stage name {name} is used twice")));
            }
        }
    }
}
