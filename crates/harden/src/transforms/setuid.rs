//! Strip SETUID and SETGID from every regular file (the guide's
//! `chmod a-s`), hard links to regular files included: a link shares its
//! target's inode, so it carries the target's bits (as the audit's
//! PAL-IMG-001 reads them) and is re-added on its own with the bits cleared.

use crate::plan::Plan;
use palisade_image::{EntryKind, Filesystem};

const SPECIAL: u32 = 0o6000;

pub fn apply(fs: &Filesystem, plan: &mut Plan) {
    for (path, node) in fs.iter() {
        let mode = match node.kind {
            EntryKind::File => node.mode,
            EntryKind::HardLink => match node.link.as_deref().and_then(|t| fs.get(t)) {
                Some(target) if target.kind == EntryKind::File => node.mode | target.mode,
                Some(_) => continue,
                None => node.mode,
            },
            _ => continue,
        };
        if mode & SPECIAL != 0 && !plan.removes(path) {
            plan.modes.insert(path.to_string(), (mode, mode & !SPECIAL));
        }
    }
}
