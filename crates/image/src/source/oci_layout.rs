//! OCI image layout directories (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`).

use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::image::{BlobSource, Image, LayerDesc, OpenOptions, layers_from_manifest};
use crate::manifest::{self, Document, MAX_CONFIG_BYTES, MAX_INDEX_DEPTH, MAX_MANIFEST_BYTES};
use crate::reference::{ImageRef, Selector};
use crate::source::read_bounded;
use oci_spec::image::{Descriptor, ImageIndex};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

const REF_NAME: &str = "org.opencontainers.image.ref.name";

struct Layout {
    dir: PathBuf,
    input: String,
}

impl Layout {
    fn blob_path(&self, digest: &Digest) -> PathBuf {
        // Digest hex is validated, so this cannot leave blobs/.
        self.dir
            .join("blobs")
            .join(digest.algorithm().name())
            .join(digest.hex())
    }

    fn open_blob(&self, digest: &Digest) -> Result<File> {
        let path = self.blob_path(digest);
        File::open(&path).map_err(|e| ImageError::Path {
            path,
            reason: format!("blob {digest} of {}: {e}", self.input),
        })
    }

    fn read_blob(&self, digest: &Digest, limit: u64, what: &str) -> Result<Vec<u8>> {
        let bytes = read_bounded(&self.input, what, self.open_blob(digest)?, limit)?;
        digest.verify(&format!("{} ({what} {digest})", self.input), &bytes)?;
        Ok(bytes)
    }
}

pub fn open(
    reference: &ImageRef,
    dir: &Path,
    selector: &Selector,
    options: &OpenOptions,
) -> Result<Image> {
    let input = reference.to_string();
    let meta = std::fs::metadata(dir).map_err(|e| ImageError::Path {
        path: dir.to_path_buf(),
        reason: format!("cannot open OCI layout: {e}"),
    })?;
    if !meta.is_dir() {
        return Err(ImageError::Path {
            path: dir.to_path_buf(),
            reason: "not a directory (an OCI layout is a directory with oci-layout and index.json; for a tar file use docker-archive:)".into(),
        });
    }
    let layout_file = dir.join("oci-layout");
    let marker = std::fs::read(&layout_file).map_err(|e| ImageError::Path {
        path: layout_file.clone(),
        reason: format!("not an OCI image layout: {e}"),
    })?;
    let version: serde_json::Value = serde_json::from_slice(&marker)
        .map_err(|e| ImageError::format(&input, format!("oci-layout is not JSON: {e}")))?;
    if version.get("imageLayoutVersion").and_then(|v| v.as_str()) != Some("1.0.0") {
        return Err(ImageError::format(
            &input,
            "oci-layout: unsupported imageLayoutVersion (expected \"1.0.0\")",
        ));
    }
    let layout = Layout {
        dir: dir.to_path_buf(),
        input: input.clone(),
    };
    let index_path = dir.join("index.json");
    let index_file = File::open(&index_path).map_err(|e| ImageError::Path {
        path: index_path,
        reason: e.to_string(),
    })?;
    let index_bytes = read_bounded(&input, "index.json", index_file, MAX_MANIFEST_BYTES)?;
    let index = ImageIndex::from_reader(&index_bytes[..])
        .map_err(|e| ImageError::format(&input, format!("invalid index.json: {e}")))?;

    let top = select_top(&layout, &index, selector)?;
    let (manifest_desc, manifest) = resolve(&layout, top, options, 0)?;
    let manifest_digest = manifest::to_digest(&input, manifest_desc.digest())?;
    let config_desc = manifest.config();
    let config_digest = manifest::to_digest(&input, config_desc.digest())?;
    let config_bytes = layout.read_blob(&config_digest, MAX_CONFIG_BYTES, "config")?;
    let config = manifest::parse_config(&input, config_desc.media_type().as_ref(), &config_bytes)?;
    let layers = layers_from_manifest(&input, &manifest, &config)?;
    Ok(Image {
        reference: input,
        manifest_digest: Some(manifest_digest),
        manifest_media_type: Some(manifest_desc.media_type().to_string()),
        config_digest: Some(config_digest),
        config,
        config_raw: config_bytes,
        layers,
        source: Box::new(layout),
    })
}

/// Chooses the entry of index.json the reference names.
fn select_top<'a>(
    layout: &Layout,
    index: &'a ImageIndex,
    selector: &Selector,
) -> Result<&'a Descriptor> {
    let entries = index.manifests();
    let tags = || {
        let t: Vec<&str> = entries
            .iter()
            .filter_map(|d| d.annotations().as_ref()?.get(REF_NAME).map(String::as_str))
            .collect();
        if t.is_empty() {
            "none".to_string()
        } else {
            t.join(", ")
        }
    };
    match selector {
        Selector::Tag(tag) => entries
            .iter()
            .find(|d| d.annotations().as_ref().and_then(|a| a.get(REF_NAME)) == Some(tag))
            .ok_or_else(|| {
                ImageError::format(
                    &layout.input,
                    format!("no image tagged {tag:?} (tags: {})", tags()),
                )
            }),
        Selector::Digest(want) => entries
            .iter()
            .find(|d| d.digest().to_string() == want.to_string())
            .ok_or_else(|| {
                ImageError::format(
                    &layout.input,
                    format!("index.json lists no manifest {want}"),
                )
            }),
        Selector::Default => match entries.len() {
            0 => Err(ImageError::format(
                &layout.input,
                "index.json lists no images",
            )),
            1 => Ok(&entries[0]),
            n => Err(ImageError::format(
                &layout.input,
                format!(
                    "the layout holds {n} images; name one with oci:DIR:TAG or oci:DIR@DIGEST (tags: {})",
                    tags()
                ),
            )),
        },
    }
}

/// Follows nested indexes down to one image manifest.
fn resolve(
    layout: &Layout,
    desc: &Descriptor,
    options: &OpenOptions,
    depth: usize,
) -> Result<(Descriptor, oci_spec::image::ImageManifest)> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ImageError::format(
            &layout.input,
            "image indexes nest too deeply (a loop?)",
        ));
    }
    let digest = manifest::to_digest(&layout.input, desc.digest())?;
    let bytes = layout.read_blob(&digest, MAX_MANIFEST_BYTES, "manifest")?;
    let declared = desc.media_type().to_string();
    match manifest::parse_document(
        &format!("{} ({digest})", layout.input),
        &bytes,
        Some(&declared),
    )? {
        Document::Manifest(m) => Ok((desc.clone(), *m)),
        Document::Index(index) => {
            let next = manifest::select_platform(&layout.input, &index, &options.platform)?;
            resolve(layout, next, options, depth + 1)
        }
    }
}

impl BlobSource for Layout {
    fn open_layer(&self, _index: usize, layer: &LayerDesc) -> Result<Box<dyn Read + Send + '_>> {
        let digest = layer
            .digest
            .as_ref()
            .ok_or_else(|| ImageError::format(&self.input, "layer without a digest"))?;
        Ok(Box::new(self.open_blob(digest)?))
    }
}
