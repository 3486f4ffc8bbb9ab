//! PAL-DF-012: WORKDIR is not absolute.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-012",
    title: "WORKDIR is not absolute",
    severity: Severity::Medium,
    rationale: r#"A relative WORKDIR depends on the previous WORKDIR and is easy to get wrong; absolute paths make the layout explicit."#,
    fix: r#"Use an absolute path: `WORKDIR /app`."#,
    bad: r#"FROM alpine:3.20
WORKDIR app
"#,
    good: r#"FROM alpine:3.20
WORKDIR /app
"#,
    peer_ids: &["DL3000", "AVD-DS-0009"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !ins.is("workdir") {
                continue;
            }
            let dir = ins
                .text()
                .unwrap_or("")
                .trim_matches(|c| c == '"' || c == '\'');
            let windows = dir.len() >= 2 && dir.as_bytes()[1] == b':';
            if !(dir.starts_with('/') || dir.starts_with('$') || windows || dir.is_empty()) {
                out.push(cx.at(&DOC, i, format!("WORKDIR {dir} is relative")));
            }
        }
    }
}
