//! Without `--squash`: one new layer on top. A mode change re-adds the file
//! (its content and metadata from the layer that provides it, the new
//! mode); a removal is a whiteout (`.wh.NAME`); a written file is added.
//! Entries are sorted by path. The lower layers still ship the old bytes,
//! so the image grows by the re-added files: that is the trade-off against
//! `--squash`, which the summary reports.

use crate::HardenError;
use crate::contents::Captured;
use crate::layer_tar::{LayerWriter, Meta};
use crate::plan::Plan;
use palisade_image::{EntryKind, Filesystem};
use std::collections::{BTreeMap, BTreeSet};

/// Where the content of a path whose mode changes comes from: the layer
/// that provides it and the path there (a hard link's target).
pub fn content_source(fs: &Filesystem, path: &str) -> Option<(usize, String)> {
    let node = fs.get(path)?;
    match node.kind {
        EntryKind::File => Some((node.layer, path.to_string())),
        EntryKind::HardLink => node.link.clone().map(|t| (node.layer, t)),
        _ => None,
    }
}

enum Item<'a> {
    Readd { captured: &'a Captured, mode: u32 },
    Whiteout,
    Write(&'a crate::plan::NewFile),
    Dir,
}

pub fn write(
    fs: &Filesystem,
    plan: &Plan,
    captured: &BTreeMap<(usize, String), Captured>,
    mtime: u64,
    layer: &mut LayerWriter,
) -> Result<(), HardenError> {
    let mut items: BTreeMap<String, Item<'_>> = BTreeMap::new();
    for (path, (_, new_mode)) in &plan.modes {
        let key = content_source(fs, path)
            .ok_or_else(|| HardenError::Input(format!("/{path}: not a regular file")))?;
        let captured = captured.get(&key).ok_or_else(|| {
            HardenError::Input(format!("/{path}: content not found in layer {}", key.0 + 1))
        })?;
        items.insert(
            path.clone(),
            Item::Readd {
                captured,
                mode: *new_mode,
            },
        );
    }
    for path in plan.removals.keys() {
        let name = match path.rsplit_once('/') {
            Some((parent, name)) => format!("{parent}/.wh.{name}"),
            None => format!(".wh.{path}"),
        };
        items.insert(name, Item::Whiteout);
    }
    let mut dirs = BTreeSet::new();
    for (path, file) in &plan.writes {
        items.insert(path.clone(), Item::Write(file));
        let mut p = path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            if fs.resolve(parent).is_none() {
                dirs.insert(parent.to_string());
            }
            p = parent;
        }
    }
    for d in dirs {
        items.insert(d, Item::Dir);
    }
    let fixed = |mode: u32| Meta {
        mode,
        mtime,
        ..Meta::default()
    };
    for (path, item) in &items {
        match item {
            Item::Readd { captured, mode } => {
                let meta = Meta {
                    mode: *mode,
                    ..captured.meta.clone()
                };
                let file = std::fs::File::open(&captured.spool)?;
                layer.append(
                    path,
                    tar::EntryType::Regular,
                    &meta,
                    None,
                    captured.size,
                    file,
                )?;
            }
            Item::Whiteout => layer.append(
                path,
                tar::EntryType::Regular,
                &fixed(0o644),
                None,
                0,
                std::io::empty(),
            )?,
            Item::Write(f) => {
                let meta = Meta {
                    uid: f.uid,
                    gid: f.gid,
                    ..fixed(f.mode)
                };
                layer.append(
                    path,
                    tar::EntryType::Regular,
                    &meta,
                    None,
                    f.content.len() as u64,
                    &f.content[..],
                )?
            }
            Item::Dir => layer.append(
                path,
                tar::EntryType::Directory,
                &fixed(0o755),
                None,
                0,
                std::io::empty(),
            )?,
        }
    }
    Ok(())
}
