//! PAL-IMG-011: `ADD` of a remote URL in the image history.

use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct AddRemoteUrl;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-011",
    title: "ADD of a remote URL",
    severity: Severity::Medium,
    rationale: "ADD https://… downloads at build time without any integrity check (unless --checksum is \
        given) and the content can change between builds; a compromised server ends up in the image.",
    fix: "Download with a pinned checksum (ADD --checksum=sha256:… URL, or curl plus sha256sum -c in a build \
        stage), or COPY a file vendored into the build context.",
    peer_ids: &["CIS-DI-0009", "CIS 4.9", "DL3020"],
    references: &[],
};

/// The history step's instruction, without the `/bin/sh -c #(nop) ` prefix of the classic builder.
pub fn instruction(created_by: &str) -> &str {
    let s = created_by.trim();
    let s = s.strip_prefix("/bin/sh -c ").unwrap_or(s);
    s.strip_prefix("#(nop)").map(str::trim).unwrap_or(s)
}

impl Check for AddRemoteUrl {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        ctx.history_steps()
            .filter_map(|(n, created_by)| {
                let step = instruction(created_by);
                let is_add = step.starts_with("ADD ") || step.starts_with("ADD\t");
                let remote = step.contains("http://") || step.contains("https://");
                let pinned = step.contains("--checksum=");
                (is_add && remote && !pinned).then(|| {
                    ctx.finding(
                        &DOC,
                        format!("history step {n}: {}", crate::quote_step(step)),
                    )
                })
            })
            .collect()
    }
}
