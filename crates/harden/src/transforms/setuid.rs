//! Strip SETUID and SETGID from every regular file (the guide's
//! `chmod a-s`), hard links to regular files included.

use crate::plan::Plan;
use palisade_image::{EntryKind, Filesystem};

const SPECIAL: u32 = 0o6000;

pub fn apply(fs: &Filesystem, plan: &mut Plan) {
    for (path, node) in fs.iter() {
        let regular = match node.kind {
            EntryKind::File => true,
            EntryKind::HardLink => node
                .link
                .as_deref()
                .and_then(|t| fs.get(t))
                .is_none_or(|t| t.kind == EntryKind::File),
            _ => false,
        };
        if regular && node.mode & SPECIAL != 0 && !plan.removes(path) {
            plan.modes
                .insert(path.to_string(), (node.mode, node.mode & !SPECIAL));
        }
    }
}
