//! What a hardening run changes in the final filesystem: new modes,
//! removed paths and written files, each with the reason, keyed by path
//! (root-relative, no leading `/`) so that every output is sorted.

use std::collections::BTreeMap;

/// A file the run writes (an /etc/passwd with the new user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub content: Vec<u8>,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Path → (old mode, new mode).
    pub modes: BTreeMap<String, (u32, u32)>,
    /// Path → why it is removed.
    pub removals: BTreeMap<String, String>,
    pub writes: BTreeMap<String, NewFile>,
    /// New config `User`.
    pub user: Option<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.modes.is_empty()
            && self.removals.is_empty()
            && self.writes.is_empty()
            && self.user.is_none()
    }

    /// Whether `path` or a directory above it is removed.
    pub fn removes(&self, path: &str) -> bool {
        if self.removals.contains_key(path) {
            return true;
        }
        let mut p = path;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if self.removals.contains_key(parent) {
                return true;
            }
            p = parent;
        }
        false
    }
}
