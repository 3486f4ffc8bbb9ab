//! PAL-DF-019: EXPOSE port out of range.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-019",
    title: "EXPOSE port out of range",
    severity: Severity::Medium,
    rationale: r#"Ports are 0-65535; anything else is a typo that breaks the build or the runtime configuration."#,
    fix: r#"Use a valid port number."#,
    bad: r#"FROM nginx:1.27
EXPOSE 80800
"#,
    good: r#"FROM nginx:1.27
EXPOSE 8080
"#,
    peer_ids: &["DL3011", "AVD-DS-0008"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !ins.is("expose") {
                continue;
            }
            for w in ins.words() {
                let port = w.split('/').next().unwrap_or(w);
                for part in port.split('-') {
                    if part.is_empty() || part.contains('$') {
                        continue;
                    }
                    if part.parse::<u64>().map_or(true, |n| n > 65535) {
                        out.push(cx.at(&DOC, i, format!("EXPOSE {w}: not a port in 0-65535")));
                    }
                }
            }
        }
    }
}
