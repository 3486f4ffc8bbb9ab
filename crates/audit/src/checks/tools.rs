//! Finding programs by name in the usual executable directories, through
//! symlinks and hard links (busybox applets are links to `busybox`).

use crate::Context;
use palisade_image::{EntryKind, Filesystem};

/// Directories a shell's PATH usually covers.
pub const BIN_DIRS: &[&str] = &[
    "bin",
    "sbin",
    "usr/bin",
    "usr/sbin",
    "usr/local/bin",
    "usr/local/sbin",
];

/// A program present in the final filesystem.
#[derive(Debug, Clone)]
pub struct Program {
    /// Path without a leading `/`.
    pub path: String,
    pub name: String,
    /// The file it resolves to, when it is a link.
    pub target: Option<String>,
    /// The layer that provides the path (0-based).
    pub layer: usize,
}

impl Program {
    /// "bash", "sh -> dash", "nc -> busybox (busybox applet)".
    pub fn describe(&self) -> String {
        match &self.target {
            Some(t) if t.ends_with("/busybox") || t == "busybox" => {
                format!("/{} -> /{t} (busybox applet)", self.path)
            }
            Some(t) => format!("/{} -> /{t}", self.path),
            None => format!("/{}", self.path),
        }
    }
}

/// Executables in the bin directories whose file name is in `names`.
/// Links count when they resolve to a regular file inside the image.
pub fn find(ctx: &Context<'_>, names: &[&str]) -> Vec<Program> {
    find_in(&ctx.scan.fs, names)
}

/// [`find`] on a filesystem alone (the harden transforms use it too).
pub fn find_in(fs: &Filesystem, names: &[&str]) -> Vec<Program> {
    let mut found = Vec::new();
    for (path, node) in fs.iter() {
        let Some((dir, name)) = path.rsplit_once('/') else {
            continue;
        };
        if !BIN_DIRS.contains(&dir) || !names.contains(&name) {
            continue;
        }
        let target = match node.kind {
            EntryKind::File => None,
            EntryKind::Symlink => match fs.resolve(path) {
                Some((real, n)) if n.kind == EntryKind::File || n.kind == EntryKind::HardLink => {
                    Some(real)
                }
                _ => continue, // dangling: nothing runs
            },
            EntryKind::HardLink => node.link.clone(),
            _ => continue,
        };
        if node.kind == EntryKind::File && node.mode & 0o111 == 0 {
            continue; // not executable
        }
        found.push(Program {
            path: path.to_string(),
            name: name.to_string(),
            target,
            layer: node.layer,
        });
    }
    found
}
