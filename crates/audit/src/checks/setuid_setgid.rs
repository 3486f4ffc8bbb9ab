//! PAL-IMG-001: setuid and setgid files in the final filesystem.

use crate::{Check, Context, Scanner, octal, special_bits};
use palisade_image::EntryKind;
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct SetuidSetgid;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-001",
    title: "setuid/setgid file",
    severity: Severity::Medium,
    rationale: "A setuid or setgid executable runs with its owner's or group's privileges, whoever starts it. \
        In a container that gains nothing but gives an attacker who gets code execution a path to root \
        (the guide: remove SETUID and SETGID bits, 'defanging').",
    fix: "Remove the bits in the Dockerfile: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + \
        (or `palisade harden`), or drop the package that installs the binary.",
    peer_ids: &["CIS-DI-0008", "CIS 4.8"],
    references: &["https://aws.github.io/aws-eks-best-practices/security/docs/image/"],
};

impl Check for SetuidSetgid {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let fs = &ctx.scan.fs;
        let mut out = Vec::new();
        for (path, node) in fs.iter() {
            // A hard link shares its target's inode, so it carries the target's bits.
            let (mode, uid, gid, via) = match node.kind {
                EntryKind::File => (node.mode, node.uid, node.gid, String::new()),
                EntryKind::HardLink => {
                    let link = node.link.as_deref().unwrap_or_default();
                    match fs.get(link) {
                        Some(target) => (
                            node.mode | target.mode,
                            target.uid,
                            target.gid,
                            format!(", hard link to /{link}"),
                        ),
                        // The target path was deleted by a later layer: the
                        // link still holds the inode, which its header describes.
                        None => (
                            node.mode,
                            node.uid,
                            node.gid,
                            format!(", hard link to deleted /{link}"),
                        ),
                    }
                }
                _ => continue,
            };
            if mode & 0o6000 == 0 {
                continue;
            }
            let mut f = ctx.file_finding(
                &DOC,
                path,
                node.layer,
                format!(
                    "/{path} is {} (mode {}, owner {uid}:{gid}{via}), added in layer {}{}",
                    special_bits(mode),
                    octal(mode),
                    node.added_in + 1,
                    ctx.owners
                        .get(path)
                        .map(|p| format!(", from package {p}"))
                        .unwrap_or_default()
                ),
            );
            // setgid alone (to a group such as shadow or mail) is a smaller risk than setuid root.
            if mode & 0o4000 == 0 || uid != 0 {
                f.severity = Severity::Low;
            }
            out.push(f);
        }
        out
    }
}
