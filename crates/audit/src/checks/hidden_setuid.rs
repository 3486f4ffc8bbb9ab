//! PAL-IMG-002: setuid/setgid files deleted or overwritten (e.g. by a
//! `chmod a-s` layer) by a later layer, still in the image.

use crate::{Check, Context, Scanner, octal, special_bits};
use palisade_image::EntryKind;
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct HiddenSetuid;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-002",
    title: "setuid/setgid file hidden by a later layer",
    severity: Severity::Low,
    rationale: "Deleting a file, or removing its bits with chmod, in a later layer only hides the old version: \
        the lower layer still ships it, and anyone who pulls the image can extract it (or a base image built \
        from the lower layers runs with it).",
    fix: "Remove the bits or the file in the same RUN step that installs it, or squash the image \
        (`palisade harden --squash`).",
    peer_ids: &["CIS 4.8"],
    references: &[],
};

impl Check for HiddenSetuid {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let fs = &ctx.scan.fs;
        let deleted = fs.removed().iter().map(|r| (r, "deleted"));
        let overwritten = fs.overwritten().iter().map(|r| (r, "overwritten"));
        deleted
            .chain(overwritten)
            .filter(|(r, _)| r.node.kind == EntryKind::File && r.node.mode & 0o6000 != 0)
            .map(|(r, fate)| {
                ctx.file_finding(
                    &DOC,
                    &r.path,
                    r.node.layer,
                    format!(
                        "/{} ({}, mode {}) from layer {} is {fate} in layer {} but still extractable from layer {}",
                        r.path,
                        special_bits(r.node.mode),
                        octal(r.node.mode),
                        r.node.layer + 1,
                        r.removed_in + 1,
                        r.node.layer + 1
                    ),
                )
            })
            .collect()
    }
}
