//! PAL-DF-016: Base image uses the latest tag.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-016",
    title: "Base image uses the latest tag",
    severity: Severity::Medium,
    rationale: r#":latest is a moving target: builds are not reproducible and can silently pick up a changed or compromised base."#,
    fix: r#"Pin a version tag, and preferably a digest."#,
    bad: r#"FROM node:latest
"#,
    good: r#"FROM node:22.11-bookworm-slim
"#,
    peer_ids: &["DL3007", "AVD-DS-0001"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            if st.base_stage.is_some() || !st.image_resolved {
                continue;
            }
            if let (_, Some("latest"), None) = super::split_image(&st.image) {
                out.push(cx.at(
                    &DOC,
                    st.from,
                    format!("base image {} uses the latest tag", st.image),
                ));
            }
        }
    }
}
