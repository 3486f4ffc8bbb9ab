//! PAL-DF-041: ENV refers to a variable set in the same ENV.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};
use crate::ast::Args;

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-041",
    title: "ENV refers to a variable set in the same ENV",
    severity: Severity::Medium,
    rationale: r#"Variables set by an ENV are not visible until the next instruction: `ENV A=1 B=$A` sets B to the old (often empty) A."#,
    fix: r#"Split into two ENV instructions."#,
    bad: r#"FROM alpine:3.20
ENV DIR=/opt PATH=$DIR/bin:$PATH
"#,
    good: r#"FROM alpine:3.20
ENV DIR=/opt
ENV PATH=$DIR/bin:$PATH
"#,
    peer_ids: &["DL3044"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !ins.is("env") {
                continue;
            }
            let Args::Pairs(pairs) = &ins.args else {
                continue;
            };
            let before = cx
                .stage_of(i)
                .map(|st| crate::stages::vars_before(cx.df, st, i))
                .unwrap_or_default();
            for (k, kv) in pairs.iter().enumerate() {
                for prev in &pairs[..k] {
                    let key = &prev.key;
                    let refers = kv.value.contains(&format!("${{{key}}}"))
                        || kv.value.match_indices(&format!("${key}")).any(|(p, m)| {
                            !kv.value[p + m.len()..]
                                .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                        });
                    if refers && !before.iter().any(|(n, _)| n == key) {
                        out.push(cx.at(
                            &DOC,
                            i,
                            format!("{} uses ${key}, which this ENV itself sets", kv.key),
                        ));
                    }
                }
            }
        }
    }
}
