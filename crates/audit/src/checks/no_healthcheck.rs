//! PAL-IMG-010: no HEALTHCHECK in the image config.

use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct NoHealthcheck;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-010",
    title: "no HEALTHCHECK",
    severity: Severity::Low,
    rationale: "Without a health check the runtime cannot tell a hung service from a working one. \
        (Kubernetes ignores HEALTHCHECK and uses probes; this matters for plain Docker and ECS.)",
    fix: "Add HEALTHCHECK CMD ... to the Dockerfile, or define liveness/readiness probes in the pod spec.",
    peer_ids: &["CIS-DI-0006", "CIS 4.6", "AVD-DS-0026"],
    references: &[],
};

impl Check for NoHealthcheck {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let raw = ctx.raw_config();
        let test = &raw["config"]["Healthcheck"]["Test"];
        let present = test
            .as_array()
            .is_some_and(|t| t.first().and_then(|v| v.as_str()) != Some("NONE") && !t.is_empty());
        if present {
            return Vec::new();
        }
        vec![ctx.finding(&DOC, "the image config has no HEALTHCHECK".to_string())]
    }
}
