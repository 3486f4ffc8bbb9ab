//! Writes an OCI image layout: `oci-layout`, `index.json` (one manifest,
//! tagged with `org.opencontainers.image.ref.name`) and `blobs/sha256/`.
//! The layout is built in a sibling directory and renamed into place.

use super::{Blob, ImageOut, WriteOptions, Written, check_destination, staging_path};
use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::manifest::OCI_INDEX;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

const REF_NAME: &str = "org.opencontainers.image.ref.name";

pub fn write(
    image: &ImageOut<'_>,
    dir: &Path,
    tag: &str,
    options: &WriteOptions,
) -> Result<Written> {
    check_destination(dir, options.force)?;
    if dir.exists() && !dir.join("oci-layout").is_file() {
        // --force replaces an image, never an unrelated directory or file.
        return Err(ImageError::Path {
            path: dir.to_path_buf(),
            reason:
                "exists and is not an OCI image layout; refusing to replace it even with --force"
                    .into(),
        });
    }
    let staged = staging_path(dir)?;
    let io = |what: &str, e: std::io::Error| ImageError::Path {
        path: staged.clone(),
        reason: format!("{what}: {e}"),
    };
    if staged.exists() {
        std::fs::remove_dir_all(&staged)
            .map_err(|e| io("removing a stale staging directory", e))?;
    }
    let result = (|| {
        let blobs = staged.join("blobs").join("sha256");
        std::fs::create_dir_all(&blobs).map_err(|e| io("creating blobs/sha256", e))?;
        let mut seen = HashSet::new();
        let mut written = 0;
        for blob in std::iter::once(&image.config).chain(&image.layers) {
            if seen.insert(blob.digest.clone()) {
                copy_blob(image, blob, &blobs.join(blob.digest.hex()))?;
                written += 1;
            }
        }
        let manifest = image.manifest_bytes();
        let manifest_digest = Digest::sha256_of(&manifest);
        write_file(&blobs.join(manifest_digest.hex()), &manifest)?;
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [{
                "mediaType": image.manifest_media_type,
                "digest": manifest_digest.to_string(),
                "size": manifest.len(),
                "annotations": { REF_NAME: tag },
            }],
        });
        let index = serde_json::to_vec_pretty(&index).expect("index serialises");
        write_file(&staged.join("index.json"), &index)?;
        write_file(
            &staged.join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )?;
        Ok(Written {
            manifest_digest,
            manifest_size: manifest.len() as u64,
            blobs_written: written + 1,
            blobs_skipped: 0,
            blobs_mounted: 0,
        })
    })();
    let written = match result {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
    };
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| ImageError::Path {
            path: dir.to_path_buf(),
            reason: format!("cannot replace the existing layout: {e}"),
        })?;
    }
    std::fs::rename(&staged, dir).map_err(|e| ImageError::Path {
        path: dir.to_path_buf(),
        reason: format!("cannot move the layout into place: {e}"),
    })?;
    Ok(written)
}

/// Copies a blob, verifying its digest on the way; syncs it to disk.
fn copy_blob(image: &ImageOut<'_>, blob: &Blob, path: &Path) -> Result<()> {
    let mut reader = image.open_blob(blob)?;
    let mut file = std::fs::File::create(path).map_err(|e| ImageError::Path {
        path: path.to_path_buf(),
        reason: format!("cannot create blob: {e}"),
    })?;
    std::io::copy(&mut reader, &mut file).map_err(|e| ImageError::Path {
        path: path.to_path_buf(),
        reason: format!("copying blob {}: {e}", blob.digest),
    })?;
    file.sync_all()
        .map_err(|e| ImageError::io(path.display().to_string(), e))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f =
        std::fs::File::create(path).map_err(|e| ImageError::io(path.display().to_string(), e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| ImageError::io(path.display().to_string(), e))
}
