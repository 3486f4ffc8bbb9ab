//! `--squash`: the final filesystem as one layer. Layers are read again
//! bottom first and each entry is kept only if it is the visible version of
//! its path and the plan does not remove or rewrite it; modes come from the
//! plan. Whiteouts disappear (nothing is below). Entries keep their
//! headers' metadata and extended attributes, in the order of the source
//! layers, so the output is as deterministic as the input.
//!
//! Hard links: a link whose target is not kept from the same layer (the
//! target was overwritten later, removed, or hidden) takes over the
//! target's content, and later links to that target point at it.

use crate::HardenError;
use crate::layer_tar::{LayerWriter, Meta, open_source_tar};
use crate::plan::Plan;
use palisade_image::walk::normalize;
use palisade_image::{EntryKind, Filesystem, Image, Scan};
use std::collections::{BTreeSet, HashMap};

pub fn write(
    image: &Image,
    scan: &Scan,
    plan: &Plan,
    mtime: u64,
    layer_out: &mut LayerWriter,
) -> Result<(), HardenError> {
    let fs = &scan.fs;
    let kept = |index: usize, path: &str| -> bool {
        fs.get(path).is_some_and(|n| n.layer == index)
            && !plan.removes(path)
            && !plan.writes.contains_key(path)
    };
    for layer in &scan.layers {
        let index = layer.index;
        // Targets whose content a visible link must take over: target → link.
        // (The merged view owns the layers' entries, so ask it for the links.)
        let mut adopt: HashMap<String, String> = HashMap::new();
        for (path, node) in fs.iter() {
            if node.kind == EntryKind::HardLink
                && node.layer == index
                && kept(index, path)
                && let Some(t) = &node.link
                && !kept(index, t)
            {
                adopt.entry(t.clone()).or_insert_with(|| path.to_string());
            }
        }
        let adopters: BTreeSet<&String> = adopt.values().collect();
        let mut renamed: HashMap<String, String> = HashMap::new();
        let mut archive = tar::Archive::new(open_source_tar(image, layer)?);
        for entry in archive.entries()? {
            let mut entry = entry?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(path) = normalize(&raw) else {
                return Err(HardenError::Input(format!(
                    "tar entry {raw:?} escapes the root"
                )));
            };
            let kind = entry.header().entry_type();
            if path.is_empty() || kind == tar::EntryType::XGlobalHeader {
                continue;
            }
            let name = path.rsplit('/').next().unwrap_or(&path);
            if name.starts_with(".wh.") {
                continue;
            }
            let mut meta = Meta::of(&mut entry)?;
            let kind = match kind {
                tar::EntryType::Continuous | tar::EntryType::GNUSparse => tar::EntryType::Regular,
                k => k,
            };
            if kind == tar::EntryType::Regular
                && let Some(link_name) = adopt.get(&path)
            {
                if let Some((_, new)) = plan.modes.get(link_name).or(plan.modes.get(&path)) {
                    meta.mode = *new;
                }
                let size = entry.size();
                layer_out.append(link_name, kind, &meta, None, size, &mut entry)?;
                renamed.insert(path.clone(), link_name.clone());
                if !kept(index, &path) {
                    continue;
                }
            }
            if !kept(index, &path) || adopters.contains(&path) {
                continue;
            }
            if let Some((_, new)) = plan.modes.get(&path) {
                meta.mode = *new;
            }
            let link = match kind {
                tar::EntryType::Symlink => entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned()),
                tar::EntryType::Link => {
                    let t = entry
                        .link_name_bytes()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .and_then(|t| normalize(&t))
                        .unwrap_or_default();
                    Some(renamed.get(&t).cloned().unwrap_or(t))
                }
                _ => None,
            };
            let size = entry.size();
            layer_out.append(&path, kind, &meta, link.as_deref(), size, &mut entry)?;
        }
    }
    append_writes(fs, plan, mtime, layer_out)
}

/// Files the plan writes, after everything else (their parents exist by then,
/// or are created here).
fn append_writes(
    fs: &Filesystem,
    plan: &Plan,
    mtime: u64,
    layer_out: &mut LayerWriter,
) -> Result<(), HardenError> {
    let mut dirs = BTreeSet::new();
    for path in plan.writes.keys() {
        let mut p = path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            if fs.resolve(parent).is_none() {
                dirs.insert(parent.to_string());
            }
            p = parent;
        }
    }
    for d in dirs {
        let meta = Meta {
            mode: 0o755,
            mtime,
            ..Meta::default()
        };
        layer_out.append(
            &d,
            tar::EntryType::Directory,
            &meta,
            None,
            0,
            std::io::empty(),
        )?;
    }
    for (path, f) in &plan.writes {
        let meta = Meta {
            mode: f.mode,
            uid: f.uid,
            gid: f.gid,
            mtime,
            ..Meta::default()
        };
        layer_out.append(
            path,
            tar::EntryType::Regular,
            &meta,
            None,
            f.content.len() as u64,
            &f.content[..],
        )?;
    }
    Ok(())
}
