//! Remove programs by name from the usual bin directories: the names given
//! with `--remove`, the audit's shells (`--remove-shells`) and package
//! managers (`--remove-package-managers`). Links that lead to a removed
//! program name are removed with it only when they carry a removed name
//! themselves.

use crate::plan::Plan;
use palisade_audit::checks::tools::find_in;
use palisade_image::Filesystem;

/// Removes every program named in `names`; `why` says which option asked.
pub fn apply(fs: &Filesystem, names: &[&str], why: &str, plan: &mut Plan) {
    for program in find_in(fs, names) {
        plan.removals
            .entry(program.path.clone())
            .or_insert_with(|| format!("{why}: {}", program.name));
        // A program that is a link: the file behind it goes too when its
        // own name is one to remove (sh -> dash with dash named).
        if let Some(target) = &program.target {
            let target_name = target.rsplit('/').next().unwrap_or(target);
            if names.contains(&target_name) {
                plan.removals
                    .entry(target.clone())
                    .or_insert_with(|| format!("{why}: {target_name}"));
            }
        }
    }
}
