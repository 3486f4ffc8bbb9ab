//! Writes a docker-archive (`docker save` format, as Docker 25+ lays it
//! out): `manifest.json` (Config, RepoTags, Layers) and the config and
//! layer blobs under `blobs/sha256/<hex>`, stored exactly as in the source
//! (compressed layers stay compressed; `docker load` and skopeo accept
//! them). Members get fixed headers so the archive is reproducible.

use super::{Blob, ImageOut, WriteOptions, Written, check_destination, staging_path};
use crate::digest::Digest;
use crate::error::{ImageError, Result};
use std::collections::HashSet;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

pub fn write(
    image: &ImageOut<'_>,
    file: &Path,
    repo_tag: Option<&str>,
    options: &WriteOptions,
) -> Result<Written> {
    check_destination(file, options.force)?;
    if file.is_dir() {
        return Err(ImageError::Path {
            path: file.to_path_buf(),
            reason: "is a directory; a docker-archive is a file".into(),
        });
    }
    let staged = staging_path(file)?;
    let result = build(image, &staged, repo_tag, options);
    let written = match result {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    std::fs::rename(&staged, file).map_err(|e| ImageError::Path {
        path: file.to_path_buf(),
        reason: format!("cannot move the archive into place: {e}"),
    })?;
    Ok(written)
}

fn build(
    image: &ImageOut<'_>,
    staged: &Path,
    repo_tag: Option<&str>,
    options: &WriteOptions,
) -> Result<Written> {
    let io = |e: std::io::Error| ImageError::Path {
        path: staged.to_path_buf(),
        reason: format!("writing the archive: {e}"),
    };
    let out = std::fs::File::create(staged).map_err(io)?;
    let mut tar = tar::Builder::new(BufWriter::with_capacity(1 << 20, out));
    let mut seen = HashSet::new();
    let mut written = 0;
    for blob in std::iter::once(&image.config).chain(&image.layers) {
        if seen.insert(blob.digest.clone()) {
            let reader = image.open_blob(blob)?;
            append(
                &mut tar,
                &member(&blob.digest),
                blob.size,
                reader,
                options.mtime,
            )
            .map_err(|e| ImageError::Path {
                path: staged.to_path_buf(),
                reason: format!("copying blob {}: {e}", blob.digest),
            })?;
            written += 1;
        }
    }
    let manifest = serde_json::json!([{
        "Config": member(&image.config.digest),
        "RepoTags": repo_tag.map(|t| vec![t.to_string()]).unwrap_or_default(),
        "Layers": image.layers.iter().map(|b: &Blob| member(&b.digest)).collect::<Vec<_>>(),
    }]);
    let manifest = serde_json::to_vec(&manifest).expect("manifest.json serialises");
    append(
        &mut tar,
        "manifest.json",
        manifest.len() as u64,
        &manifest[..],
        options.mtime,
    )
    .map_err(io)?;
    let mut w = tar.into_inner().map_err(io)?;
    w.flush().map_err(io)?;
    w.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)?;
    // The archive has no manifest of its own; report the one a registry
    // push of the same blobs would have.
    let m = image.manifest_bytes();
    Ok(Written {
        manifest_digest: Digest::sha256_of(&m),
        manifest_size: m.len() as u64,
        blobs_written: written,
        blobs_skipped: 0,
        blobs_mounted: 0,
    })
}

fn member(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm().name(), digest.hex())
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    size: u64,
    data: impl Read,
    mtime: u64,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, data)
}
