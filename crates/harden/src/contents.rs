//! Fetching the content of a few files from the source layers (the
//! setuid files re-added with a new mode, /etc/passwd, an entrypoint
//! script): each layer that holds one is read again, verified, and the
//! files are spooled to a temporary directory.

use crate::HardenError;
use crate::layer_tar::{Meta, open_source_tar};
use palisade_image::walk::normalize;
use palisade_image::{Image, Scan};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One file's content (in a spool file) and metadata.
#[derive(Debug, Clone)]
pub struct Captured {
    pub meta: Meta,
    pub size: u64,
    pub spool: PathBuf,
}

impl Captured {
    /// The first `limit` bytes (for account files and shebang lines).
    pub fn head(&self, limit: u64) -> Result<Vec<u8>, HardenError> {
        let mut out = Vec::new();
        std::fs::File::open(&self.spool)?
            .take(limit)
            .read_to_end(&mut out)?;
        Ok(out)
    }
}

/// Captures `wanted` (layer index, path) files; the last version of a path
/// within its layer wins, as in the walk.
pub fn fetch(
    image: &Image,
    scan: &Scan,
    wanted: &BTreeSet<(usize, String)>,
    spool_dir: &Path,
) -> Result<BTreeMap<(usize, String), Captured>, HardenError> {
    let mut out = BTreeMap::new();
    let layers: BTreeSet<usize> = wanted.iter().map(|(l, _)| *l).collect();
    let mut counter = out.len();
    for index in layers {
        let layer = &scan.layers[index];
        let mut archive = tar::Archive::new(open_source_tar(image, layer)?);
        for entry in archive.entries()? {
            let mut entry = entry?;
            if entry.header().entry_type() != tar::EntryType::Regular
                && entry.header().entry_type() != tar::EntryType::Continuous
            {
                continue;
            }
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(path) = normalize(&raw) else {
                continue;
            };
            let key = (index, path);
            if !wanted.contains(&key) {
                continue;
            }
            let meta = Meta::of(&mut entry)?;
            counter += 1;
            let spool = spool_dir.join(format!("f{counter}"));
            let mut file = std::fs::File::create(&spool)?;
            let size = std::io::copy(&mut entry, &mut file)?;
            out.insert(key, Captured { meta, size, spool });
        }
    }
    Ok(out)
}
