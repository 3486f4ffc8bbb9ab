//! PAL-IMG-008: password hashes and private keys readable by every user.

use crate::{Check, Context, Scanner, octal};
use palisade_image::EntryKind;
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct SensitiveFileReadable;

/// Files that must not be readable by others (globs on the path without `/`).
const SENSITIVE: &[&str] = &[
    "etc/shadow",
    "etc/gshadow",
    "etc/shadow-",
    "etc/gshadow-",
    "etc/sudoers",
    "etc/ssh/ssh_host_*_key",
    "root/.ssh/id_*",
    "home/*/.ssh/id_*",
];

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-008",
    title: "sensitive file readable by others",
    severity: Severity::High,
    rationale: "/etc/shadow holds password hashes and SSH keys grant access; when every user can read them, \
        any process in the container (whatever user it runs as) can take them.",
    fix: "chmod 0640 /etc/shadow /etc/gshadow (group shadow) and 0600 private keys; better, do not ship keys in images.",
    peer_ids: &[],
    references: &[],
};

impl Check for SensitiveFileReadable {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let patterns: Vec<glob::Pattern> = SENSITIVE
            .iter()
            .filter_map(|p| glob::Pattern::new(p).ok())
            .collect();
        let mut out = Vec::new();
        for (path, node) in ctx.scan.fs.iter() {
            if node.kind != EntryKind::File || node.mode & 0o004 == 0 {
                continue;
            }
            if path.ends_with(".pub") || !patterns.iter().any(|p| p.matches(path)) {
                continue;
            }
            out.push(ctx.file_finding(
                &DOC,
                path,
                node.layer,
                format!(
                    "/{path} is readable by every user (mode {})",
                    octal(node.mode)
                ),
            ));
        }
        out
    }
}
