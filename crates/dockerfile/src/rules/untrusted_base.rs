//! PAL-DF-006: Base image outside the curated allow-list.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

/// `debian` → `docker.io/library/debian`, `user/x` → `docker.io/user/x`.
pub(crate) fn normalize(image: &str) -> String {
    let first = image.split('/').next().unwrap_or("");
    if !image.contains('/') {
        format!("docker.io/library/{image}")
    } else if first.contains('.') || first.contains(':') || first == "localhost" {
        image.to_string()
    } else {
        format!("docker.io/{image}")
    }
}

/// A pattern is a registry (`gcr.io`, `*.gcr.io`) or an image prefix
/// (`docker.io/library/`, `registry.example.com/base/debian`).
fn allowed(pattern: &str, image: &str) -> bool {
    let host = image.split('/').next().unwrap_or("");
    let p = pattern.trim_end_matches('*');
    if let Some(suffix) = pattern.strip_prefix("*.") {
        return host.ends_with(&format!(".{suffix}"));
    }
    if !pattern.contains('/') {
        return host == pattern;
    }
    image.starts_with(p)
        && (p.ends_with('/')
            || image.len() == p.len()
            || matches!(image.as_bytes()[p.len()], b':' | b'@' | b'/'))
}

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-006",
    title: "Base image outside the curated allow-list",
    severity: Severity::High,
    rationale: r#"The guide asks teams to build only on curated base images. When the configuration lists trusted registries or base images (`trusted_bases` in .palisade.yaml), every FROM must use one of them."#,
    fix: r#"Use a base image from the allow-list, or add it to `trusted_bases` after review."#,
    bad: r#"FROM randomuser/debian:12
"#,
    good: r#"FROM registry.example.com/base/debian:12
"#,
    peer_ids: &["DL3026"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        if cx.settings.trusted_bases.is_empty() {
            return;
        }
        for st in &cx.stages {
            if st.base_stage.is_some() || st.image == "scratch" || !st.image_resolved {
                continue;
            }
            let full = normalize(&st.image);
            if !cx.settings.trusted_bases.iter().any(|p| allowed(p, &full)) {
                out.push(cx.at(
                    &DOC,
                    st.from,
                    format!("base image {} is not in the trusted list", st.image),
                ));
            }
        }
    }
}
