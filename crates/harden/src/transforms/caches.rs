//! Remove package manager caches and index lists (apt lists and archives,
//! apk, yum, dnf, zypper, pip, npm, yarn caches): the same files the
//! audit's PAL-IMG-014 reports.

use crate::plan::Plan;
use palisade_audit::checks::package_caches::{CACHES, is_cache_file};
use palisade_image::Filesystem;

/// Returns the bytes removed.
pub fn apply(fs: &Filesystem, plan: &mut Plan) -> u64 {
    let mut bytes = 0;
    for (path, node) in fs.iter() {
        if let Some((_, what, _)) = CACHES
            .iter()
            .find(|(dir, _, keep)| is_cache_file(dir, keep, path, node))
        {
            plan.removals.insert(path.to_string(), what.to_string());
            bytes += node.size;
        }
    }
    bytes
}
