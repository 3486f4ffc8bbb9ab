//! PAL-IMG-003: shells in the final filesystem.

use super::tools;
use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct Shells;

pub const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox",
];

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-003",
    title: "shell present",
    severity: Severity::Low,
    rationale: "A shell turns any code-execution bug into an interactive foothold and is what most \
        post-exploitation tooling expects. Minimal images (distroless, FROM scratch) run without one.",
    fix: "Build the final stage FROM scratch or a distroless base and copy only the application in \
        (multi-stage build), or remove the shells with `palisade harden --remove-shells`.",
    peer_ids: &["CIS 4.3"],
    references: &["https://aws.github.io/aws-eks-best-practices/security/docs/image/"],
};

impl Check for Shells {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        tools::find(ctx, SHELLS)
            .into_iter()
            .map(|p| ctx.file_finding(&DOC, &p.path, p.layer, format!("shell {}", p.describe())))
            .collect()
    }
}
