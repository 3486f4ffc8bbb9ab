//! The merged filesystem: layers applied bottom to top with overlay
//! semantics (whiteouts, opaque directories, a non-directory replacing a
//! directory), recording for every path which layer added it, which layers
//! overwrote it, and what was deleted where. Also the per-layer change
//! counts and the image efficiency as dive computes it.

use crate::walk::{Entry, EntryKind, LayerContents, Whiteout};
use std::collections::{BTreeMap, HashMap};

/// A path in the final filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub link: Option<String>,
    /// The layer whose version of the path is visible.
    pub layer: usize,
    /// The layer that created the path (in its current lifetime).
    pub added_in: usize,
    /// Later layers that wrote the path again.
    pub overwritten_in: Vec<usize>,
    /// dive's per-path figures, kept on the node rather than in a map of
    /// every path so that a million-file image stays affordable.
    pub(crate) stats: PathEfficiency,
}

/// A path that a later layer deleted (by whiteout, opaque directory, or by
/// replacing a directory with a non-directory). Its bytes are still in the
/// lower layer's blob, so they can still be extracted from the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub path: String,
    pub node: Node,
    pub removed_in: usize,
}

/// Per-layer change counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LayerChanges {
    pub files_added: u64,
    pub files_modified: u64,
    pub files_deleted: u64,
    /// Sum of the sizes of the regular files in this layer.
    pub content_bytes: u64,
    /// Bytes of this layer's files that later layers overwrite or delete:
    /// shipped, but invisible in the final filesystem.
    pub wasted_bytes: u64,
}

/// Image efficiency as dive computes it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Efficiency {
    /// Sum over paths of the smallest version ÷ sum of all versions (1.0 = nothing wasted).
    pub score: f64,
    /// Bytes of every version of every path that appears in more than one layer.
    pub wasted_bytes: u64,
    /// Sum of file sizes in all layers but the first (dive's "user" size).
    pub user_bytes: u64,
    /// The paths that make up `wasted_bytes`, largest first.
    pub inefficient: Vec<InefficientPath>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InefficientPath {
    pub path: String,
    /// How many layers touch the path (writes and deletions).
    pub occurrences: u64,
    pub total_bytes: u64,
}

/// Every version of one path across layers (dive's efficiency inputs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PathEfficiency {
    cumulative: u64,
    minimum: u64,
    occurrences: u64,
    /// `minimum` before the latest layer's write, and that layer and size:
    /// a path written twice in one tar counts once, with its last version.
    minimum_before: u64,
    last_write: Option<(usize, u64)>,
}

impl PathEfficiency {
    /// A whiteout (or opaque marker) of the path in some layer.
    fn deleted(&mut self, size: u64) {
        self.add(size);
    }

    /// A write of the path in `layer`.
    fn written(&mut self, layer: usize, size: u64) {
        match self.last_write {
            Some((l, previous)) if l == layer => {
                self.cumulative = self.cumulative - previous + size;
                self.minimum = self.minimum_before.min(size);
            }
            _ => {
                self.minimum_before = if self.occurrences == 0 {
                    u64::MAX
                } else {
                    self.minimum
                };
                self.add(size);
            }
        }
        self.last_write = Some((layer, size));
    }

    fn add(&mut self, size: u64) {
        self.minimum = if self.occurrences == 0 {
            size
        } else {
            self.minimum.min(size)
        };
        self.cumulative += size;
        self.occurrences += 1;
    }
}

#[derive(Debug, Default)]
pub struct Filesystem {
    nodes: BTreeMap<String, Node>,
    removed: Vec<Removed>,
    efficiency: Efficiency,
    /// Efficiency figures of paths that are not visible (deleted).
    ghosts: HashMap<String, PathEfficiency>,
    /// Versions of files that a later layer wrote again.
    overwritten: Vec<Removed>,
}

/// The key range of everything strictly below `dir`.
fn below(dir: &str) -> (String, String) {
    if dir.is_empty() {
        // Below the root: every path.
        (String::new(), "\u{10FFFF}".to_string())
    } else {
        (format!("{dir}/"), format!("{dir}0")) // '0' is the byte after '/'
    }
}

impl Filesystem {
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path.trim_start_matches('/'))
    }

    /// Every visible path, sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(p, n)| (p.as_str(), n))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Paths deleted by a later layer, in the order they were deleted.
    pub fn removed(&self) -> &[Removed] {
        &self.removed
    }

    /// Earlier versions of paths that a later layer wrote again (files,
    /// links and devices; not directories), in the order they were replaced.
    /// Like deleted ones, their bytes are still in the lower layer's blob.
    /// `removed_in` is the layer that wrote the new version.
    pub fn overwritten(&self) -> &[Removed] {
        &self.overwritten
    }

    pub fn efficiency(&self) -> &Efficiency {
        &self.efficiency
    }

    /// Resolves symlinks inside the image, as if the image root were `/`
    /// (`..` stops at the root, absolute targets start at the root), never
    /// leaving it. `None` for dangling links and loops.
    pub fn resolve(&self, path: &str) -> Option<(String, &Node)> {
        let mut pending: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .rev()
            .collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            resolved.push(part);
            let current = resolved.join("/");
            // A layer need not have entries for the directories above its
            // files: a missing component is an implicit directory.
            let Some(node) = self.nodes.get(&current) else {
                continue;
            };
            if node.kind == EntryKind::Symlink {
                hops += 1;
                if hops > 40 {
                    return None;
                }
                let target = node.link.clone().unwrap_or_default();
                resolved.pop();
                if target.starts_with('/') {
                    resolved.clear();
                }
                pending.extend(
                    target
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .rev(),
                );
            }
        }
        let current = resolved.join("/");
        self.nodes.get(&current).map(|n| (current, n))
    }

    /// Applies the layers in order. Returns the filesystem and per-layer
    /// counts. The layers' entries are moved into the filesystem (their
    /// `entries` are empty afterwards), so a path is stored once.
    pub fn merge(layers: &mut [LayerContents]) -> (Filesystem, Vec<LayerChanges>) {
        let mut fs = Filesystem::default();
        let mut changes = vec![LayerChanges::default(); layers.len()];
        for (i, layer) in layers.iter_mut().enumerate() {
            // Whiteouts hide lower layers only, so they go first.
            for w in &layer.whiteouts {
                let (target, include_self) = match w {
                    Whiteout::Path(p) => (p.as_str(), true),
                    Whiteout::Opaque(d) => (d.as_str(), false),
                };
                let removed = fs.remove_tree(target, include_self, i, &mut changes);
                let was_dir = !include_self
                    || removed
                        .iter()
                        .any(|(p, n)| p == target && n.kind == EntryKind::Dir);
                // dive sizes a whiteout by what it deletes below a directory, 0 for a file.
                let size = if was_dir {
                    removed
                        .iter()
                        .filter(|(p, _)| p != target)
                        .map(|(_, n)| n.size)
                        .sum()
                } else {
                    0
                };
                if !removed.is_empty() || include_self {
                    match fs.nodes.get_mut(target) {
                        Some(node) => node.stats.deleted(size),
                        None => fs
                            .ghosts
                            .entry(target.to_string())
                            .or_default()
                            .deleted(size),
                    }
                }
                changes[i].files_deleted += removed.len() as u64;
            }
            for entry in std::mem::take(&mut layer.entries) {
                changes[i].content_bytes += entry.size;
                fs.apply(entry, i, &mut changes);
            }
        }
        let user_bytes = changes.iter().skip(1).map(|c| c.content_bytes).sum();
        let (mut minimum, mut discovered) = (0u64, 0u64);
        let mut inefficient = Vec::new();
        let all = fs
            .nodes
            .iter()
            .map(|(p, n)| (p, &n.stats))
            .chain(fs.ghosts.iter());
        for (path, e) in all {
            if e.occurrences == 0 {
                continue;
            }
            minimum += e.minimum;
            discovered += e.cumulative;
            if e.occurrences >= 2 {
                inefficient.push(InefficientPath {
                    path: path.clone(),
                    occurrences: e.occurrences,
                    total_bytes: e.cumulative,
                });
            }
        }
        fs.ghosts = HashMap::new();
        inefficient.sort_by(|a, b| {
            b.total_bytes
                .cmp(&a.total_bytes)
                .then_with(|| a.path.cmp(&b.path))
        });
        fs.efficiency = Efficiency {
            score: if discovered == 0 {
                1.0
            } else {
                minimum as f64 / discovered as f64
            },
            wasted_bytes: inefficient.iter().map(|p| p.total_bytes).sum(),
            user_bytes,
            inefficient,
        };
        (fs, changes)
    }

    /// Removes `path` (if `include_self`) and everything below it.
    fn remove_tree(
        &mut self,
        path: &str,
        include_self: bool,
        layer: usize,
        changes: &mut [LayerChanges],
    ) -> Vec<(String, Node)> {
        let (lo, hi) = below(path);
        let mut keys: Vec<String> = self.nodes.range(lo..hi).map(|(k, _)| k.clone()).collect();
        if include_self && self.nodes.contains_key(path) {
            keys.push(path.to_string());
        }
        let mut removed = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(node) = self.nodes.remove(&key) {
                changes[node.layer].wasted_bytes += node.size;
                if node.stats.occurrences > 0 {
                    self.ghosts.insert(key.clone(), node.stats);
                }
                self.removed.push(Removed {
                    path: key.clone(),
                    node: node.clone(),
                    removed_in: layer,
                });
                removed.push((key, node));
            }
        }
        removed
    }

    fn apply(&mut self, entry: Entry, layer: usize, changes: &mut [LayerChanges]) {
        let Entry {
            path,
            kind,
            mode,
            uid,
            gid,
            size,
            link,
        } = entry;
        let new = |added_in: usize, overwritten_in: Vec<usize>, stats: PathEfficiency| Node {
            kind,
            mode,
            uid,
            gid,
            size,
            link,
            layer,
            added_in,
            overwritten_in,
            stats,
        };
        // Directories are not counted in dive's figures (their tar size is 0).
        let count = |mut stats: PathEfficiency| {
            if kind != EntryKind::Dir {
                stats.written(layer, size);
            }
            stats
        };
        let Some(old) = self.nodes.get(&path) else {
            changes[layer].files_added += 1;
            let stats = count(self.ghosts.remove(&path).unwrap_or_default());
            self.nodes.insert(path, new(layer, Vec::new(), stats));
            return;
        };
        if old.kind == EntryKind::Dir && kind == EntryKind::Dir {
            // Parent directories are repeated in every layer that writes below them;
            // only a change of owner or mode counts as a modification.
            let changed = (old.mode, old.uid, old.gid) != (mode, uid, gid);
            let mut overwritten = old.overwritten_in.clone();
            let (added_in, stats) = (old.added_in, old.stats);
            if changed && old.layer != layer {
                changes[layer].files_modified += 1;
                overwritten.push(layer);
            }
            self.nodes.insert(path, new(added_in, overwritten, stats));
            return;
        }
        if old.kind == EntryKind::Dir {
            // A non-directory replacing a directory deletes what was below it.
            let removed = self.remove_tree(&path, false, layer, changes);
            changes[layer].files_deleted += removed.len() as u64;
        }
        let old = self.nodes.remove(&path).expect("checked above");
        if old.layer != layer {
            changes[old.layer].wasted_bytes += old.size;
            changes[layer].files_modified += 1;
        } else {
            // The same path twice in one tar: the later entry wins.
            changes[layer].content_bytes -= old.size.min(changes[layer].content_bytes);
        }
        let mut overwritten = old.overwritten_in.clone();
        let (added_in, stats) = (old.added_in, count(old.stats));
        if old.layer != layer {
            overwritten.push(layer);
            if old.kind != EntryKind::Dir {
                self.overwritten.push(Removed {
                    path: path.clone(),
                    node: old,
                    removed_in: layer,
                });
            }
        }
        self.nodes.insert(path, new(added_in, overwritten, stats));
    }
}
