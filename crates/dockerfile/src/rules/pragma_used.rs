//! PAL-DF-050: Inline ignore pragma.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-050",
    title: "Inline ignore pragma",
    severity: Severity::Info,
    rationale: r#"Every `# hadolint ignore=` or `# palisade ignore=` comment hides a finding where reviewers rarely look; teams that want all exceptions in one reviewed place (the configuration or the ignore file, with reasons and expiry dates) turn this rule on in CI."#,
    fix: r#"Move the exception to `.palisade.yaml` (`dockerfile: ignore:`) or the ignore file, or fix the finding."#,
    bad: r#"FROM debian:12
# hadolint ignore=DL3008
RUN apt-get install -y curl
"#,
    good: r#"FROM debian:12
RUN apt-get install -y curl=7.88.1-10
"#,
    peer_ids: &["DL1001"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (line, ids) in &cx.df.pragmas {
            // The pragma applies to (and is reported with) the next instruction.
            let Some(i) = cx
                .df
                .instructions
                .iter()
                .position(|ins| ins.span.start.line > *line)
            else {
                continue;
            };
            let mut hit = cx.at(
                &DOC,
                i,
                format!("inline ignore pragma for {}", ids.join(",")),
            );
            hit.pos = crate::ast::Pos {
                line: *line,
                column: 1,
            };
            out.push(hit);
        }
    }
}
