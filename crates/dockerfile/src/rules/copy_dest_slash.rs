//! PAL-DF-028: COPY of several sources to a destination without a trailing slash.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-028",
    title: "COPY of several sources to a destination without a trailing slash",
    severity: Severity::Medium,
    rationale: r#"With more than one source the destination must be a directory, written with a trailing `/`; otherwise the build fails."#,
    fix: r#"End the destination with `/`."#,
    bad: r#"FROM alpine:3.20
COPY a.txt b.txt /app
"#,
    good: r#"FROM alpine:3.20
COPY a.txt b.txt /app/
"#,
    peer_ids: &["DL3021", "AVD-DS-0011"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !ins.is("copy") || !ins.heredocs.is_empty() {
                continue;
            }
            let words = ins.words();
            if words.len() > 2 {
                let dest = words[words.len() - 1].trim_matches('"');
                if !dest.ends_with('/') && !dest.contains('$') {
                    out.push(cx.at(
                        &DOC,
                        i,
                        format!(
                            "COPY with {} sources: end the destination {dest} with /",
                            words.len() - 1
                        ),
                    ));
                }
            }
        }
    }
}
