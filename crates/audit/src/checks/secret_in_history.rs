//! PAL-IMG-019: secrets in the image history (`created_by` of each step).

use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct SecretInHistory;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-019",
    title: "secret in the image history",
    severity: Severity::High,
    rationale: "Build arguments and RUN lines are recorded in the image history in clear text \
        (`docker history --no-trunc`): a token passed as ARG or on a RUN line ships with the image.",
    fix: "Rotate the secret; pass it with RUN --mount=type=secret instead of ARG/ENV/command-line flags.",
    peer_ids: &["CIS 4.10", "AVD-DS-0031"],
    references: &["https://docs.docker.com/build/building/secrets/"],
};

impl Check for SecretInHistory {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Secret
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (n, created_by) in ctx.history_steps() {
            for m in crate::secret::scan_value(None, created_by) {
                let mut f = ctx.finding(
                    &DOC,
                    format!("history step {n}: {} ({})", m.title, m.redacted),
                );
                f.severity = m.severity;
                out.push(f);
            }
        }
        out
    }
}
