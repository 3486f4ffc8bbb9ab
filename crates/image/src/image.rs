//! An opened image: its resolved manifest, config and layer list, and the
//! source its layer blobs stream from.

use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::manifest;
use crate::platform::Platform;
use crate::reference::ImageRef;
use crate::source::{self, registry::RegistryOptions};
use oci_spec::image::ImageConfiguration;
use std::io::Read;

/// One layer as the manifest and config describe it.
#[derive(Debug, Clone)]
pub struct LayerDesc {
    /// The blob's digest, when the source states it (registry, OCI layout,
    /// docker-archives with content-addressed names).
    pub digest: Option<Digest>,
    /// The blob's size, when the source states it.
    pub size: Option<u64>,
    pub media_type: Option<String>,
    /// The uncompressed tar's digest, from the config's rootfs (absent only
    /// in legacy docker-archives; the walk computes it then).
    pub diff_id: Option<Digest>,
}

/// Where layer blobs come from. Returns the raw blob bytes; the layer walk
/// verifies them against the digest and diff-id while it reads.
pub trait BlobSource: Send + Sync {
    fn open_layer(&self, index: usize, layer: &LayerDesc) -> Result<Box<dyn Read + Send + '_>>;
}

pub struct Image {
    /// The reference as the user gave it (used to name errors).
    pub reference: String,
    pub manifest_digest: Option<Digest>,
    pub manifest_media_type: Option<String>,
    pub config_digest: Option<Digest>,
    pub config: ImageConfiguration,
    /// The config as stored (verified against its digest where one is
    /// known), for Docker extensions oci-spec does not model (Healthcheck).
    pub config_raw: Vec<u8>,
    pub layers: Vec<LayerDesc>,
    pub(crate) source: Box<dyn BlobSource>,
}

impl Image {
    pub fn open_layer(&self, index: usize) -> Result<Box<dyn Read + Send + '_>> {
        self.source.open_layer(index, &self.layers[index])
    }

    /// The `os/arch[/variant]` the config declares.
    pub fn platform(&self) -> String {
        let mut s = format!("{}/{}", self.config.os(), self.config.architecture());
        if let Some(v) = self.config.variant() {
            s.push('/');
            s.push_str(v);
        }
        s
    }
}

/// How to open an image.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Which manifest of a multi-platform index to use.
    pub platform: Platform,
    pub registry: RegistryOptions,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            platform: Platform::host(),
            registry: RegistryOptions::default(),
        }
    }
}

/// Opens an image: resolves the reference to one manifest and its config.
/// No layer is read yet.
pub fn open(reference: &ImageRef, options: &OpenOptions) -> Result<Image> {
    match reference {
        ImageRef::Oci { dir, selector } => {
            source::oci_layout::open(reference, dir, selector, options)
        }
        ImageRef::DockerArchive { file, selector } => {
            source::docker_archive::open(reference, file, selector)
        }
        ImageRef::Registry(r) => source::registry::open(reference, r, options),
        ImageRef::Dir { dir } => source::dir::open(reference, dir),
    }
}

/// Builds the layer list from a manifest and its config, checking that they agree.
pub(crate) fn layers_from_manifest(
    input: &str,
    manifest: &oci_spec::image::ImageManifest,
    config: &ImageConfiguration,
) -> Result<Vec<LayerDesc>> {
    let diff_ids = config.rootfs().diff_ids();
    if manifest.layers().len() != diff_ids.len() {
        return Err(ImageError::format(
            input,
            format!(
                "the manifest lists {} layers but the config lists {} diff_ids",
                manifest.layers().len(),
                diff_ids.len()
            ),
        ));
    }
    manifest
        .layers()
        .iter()
        .zip(diff_ids)
        .map(|(desc, diff_id)| {
            let media_type = desc.media_type().to_string();
            if manifest::layer_compression(&media_type).is_none() {
                return Err(ImageError::MediaType {
                    input: input.to_string(),
                    media_type,
                    hint: " for a layer (expected an OCI or Docker tar layer, optionally gzip or zstd)".into(),
                });
            }
            Ok(LayerDesc {
                digest: Some(manifest::to_digest(input, desc.digest())?),
                size: Some(desc.size()),
                media_type: Some(media_type),
                diff_id: Some(
                    diff_id
                        .parse()
                        .map_err(|e: String| ImageError::format(input, format!("config diff_id: {e}")))?,
                ),
            })
        })
        .collect()
}
