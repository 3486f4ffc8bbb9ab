//! PAL-DF-007: Base image without a tag.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-007",
    title: "Base image without a tag",
    severity: Severity::Medium,
    rationale: r#"An untagged FROM means :latest, which changes under you: builds stop being reproducible and a new base can bring new vulnerabilities or break the image. Pinning a digest (`@sha256:…`) is better still."#,
    fix: r#"Name a version tag, and preferably a digest: `FROM debian:12.8@sha256:…`."#,
    bad: r#"FROM debian
"#,
    good: r#"FROM debian:12.8
"#,
    peer_ids: &["DL3006"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            if st.base_stage.is_some()
                || st.image == "scratch"
                || !st.image_resolved
                || st.image.is_empty()
            {
                continue;
            }
            let (_, tag, digest) = super::split_image(&st.image);
            if tag.is_none() && digest.is_none() {
                out.push(cx.at(
                    &DOC,
                    st.from,
                    format!("base image {} has no tag (it means :latest)", st.image),
                ));
            }
        }
    }
}
