//! PAL-DF-061: Invalid LABEL key.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-061",
    title: "Invalid LABEL key",
    severity: Severity::Info,
    rationale: r#"Label keys are looked up by tools (registries, scanners, Kubernetes admission); the Docker convention is lower-case reverse-DNS keys of letters, digits, dots and dashes, and the com.docker., io.docker. and org.dockerproject. namespaces are reserved."#,
    fix: r#"Use a key such as `org.opencontainers.image.source` or `com.example.team`."#,
    bad: r#"FROM alpine:3.20
LABEL Team_Name=payments
"#,
    good: r#"FROM alpine:3.20
LABEL com.example.team=payments
"#,
    peer_ids: &["DL3048"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let crate::ast::Args::Pairs(pairs) = &ins.args else {
                continue;
            };
            if !ins.is("label") {
                continue;
            }
            for kv in pairs {
                let key = super::unquote(&kv.key);
                if !valid(key) && !key.contains('$') {
                    out.push(cx.at(&DOC, i, format!("invalid label key {key:?}")));
                }
            }
        }
    }
}
fn valid(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && !key.contains("..")
        && !key.contains("--")
        && !["com.docker.", "io.docker.", "org.dockerproject."]
            .iter()
            .any(|p| key.starts_with(p))
}
