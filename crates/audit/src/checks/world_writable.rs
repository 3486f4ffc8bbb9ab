//! PAL-IMG-007: world-writable files, and world-writable directories without the sticky bit.

use crate::{Check, Context, Scanner, octal};
use palisade_image::EntryKind;
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct WorldWritable;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-007",
    title: "world-writable file or directory",
    severity: Severity::Medium,
    rationale: "Any user in the container can change a world-writable file (a script, a config, a library) \
        and so run code as whoever uses it next; a world-writable directory without the sticky bit lets any \
        user delete or replace other users' files in it.",
    fix: "chmod o-w the path in the Dockerfile (directories shared on purpose, like /tmp, need mode 1777).",
    peer_ids: &[],
    references: &[],
};

impl Check for WorldWritable {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (path, node) in ctx.scan.fs.iter() {
            if node.mode & 0o002 == 0 {
                continue;
            }
            let what = match node.kind {
                EntryKind::File => "file",
                EntryKind::Dir if node.mode & 0o1000 == 0 => "directory without the sticky bit",
                // Symlink modes mean nothing; devices and sticky directories are fine.
                _ => continue,
            };
            out.push(ctx.file_finding(
                &DOC,
                path,
                node.layer,
                format!(
                    "/{path} is a world-writable {what} (mode {})",
                    octal(node.mode)
                ),
            ));
        }
        out
    }
}
