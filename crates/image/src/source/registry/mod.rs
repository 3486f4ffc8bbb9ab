//! Images in a registry, read through the OCI distribution API.

pub mod artifact;
pub mod auth;
pub mod client;
pub mod credentials;

use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::image::{BlobSource, Image, LayerDesc, OpenOptions, layers_from_manifest};
use crate::manifest::{
    self, Document, MANIFEST_ACCEPT, MAX_CONFIG_BYTES, MAX_INDEX_DEPTH, MAX_MANIFEST_BYTES,
};
use crate::reference::{ImageRef, RegistryRef};
use crate::source::read_bounded;
use client::Client;
use reqwest::header::CONTENT_TYPE;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

/// How to talk to registries.
#[derive(Clone)]
pub struct RegistryOptions {
    /// Allow plain HTTP and unverified TLS for any host (loopback hosts may
    /// always fall back to plain HTTP).
    pub insecure: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Docker config file to read credentials from (default: `$DOCKER_CONFIG`
    /// or `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
    /// Connect timeout, and the longest wait for a response or for any read.
    pub timeout: Duration,
    /// Retries after the first attempt on 429, 5xx and transport errors.
    pub retries: u32,
    /// First backoff delay; it doubles with each retry.
    pub backoff: Duration,
}

impl std::fmt::Debug for RegistryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryOptions")
            .field("insecure", &self.insecure)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            insecure: false,
            username: None,
            password: None,
            docker_config: None,
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

struct RegistrySource {
    client: Client,
}

impl BlobSource for RegistrySource {
    fn open_layer(&self, _index: usize, layer: &LayerDesc) -> Result<Box<dyn Read + Send + '_>> {
        let digest = layer
            .digest
            .as_ref()
            .ok_or_else(|| ImageError::format("registry", "layer without a digest"))?;
        Ok(Box::new(self.client.get_blob(&digest.to_string())?))
    }
}

/// Fetches a manifest or index, verifying it against the digest asked for or
/// the one the registry states.
fn fetch_document(
    client: &Client,
    input: &str,
    reference: &str,
) -> Result<(Digest, String, Document)> {
    let resp = client.get_manifest(reference, MANIFEST_ACCEPT)?;
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let stated = resp
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Digest>().ok());
    let bytes = read_bounded(input, "manifest", resp, MAX_MANIFEST_BYTES)?;
    let digest = match (reference.parse::<Digest>().ok(), stated) {
        (Some(asked), _) => {
            asked.verify(&format!("{input} (manifest)"), &bytes)?;
            asked
        }
        (None, Some(stated)) => {
            stated.verify(
                &format!("{input} (manifest, Docker-Content-Digest)"),
                &bytes,
            )?;
            stated
        }
        (None, None) => Digest::sha256_of(&bytes),
    };
    let document = manifest::parse_document(input, &bytes, content_type.as_deref())?;
    let media_type = content_type
        .map(|c| c.split(';').next().unwrap_or_default().trim().to_string())
        .unwrap_or_default();
    Ok((digest, media_type, document))
}

pub fn open(reference: &ImageRef, r: &RegistryRef, options: &OpenOptions) -> Result<Image> {
    let input = reference.to_string();
    let client = Client::connect(&input, r, &options.registry)?;
    let mut wanted = r.manifest_reference();
    let mut depth = 0;
    let (manifest_digest, media_type, manifest) = loop {
        let (digest, media_type, document) = fetch_document(&client, &input, &wanted)?;
        match document {
            Document::Manifest(m) => break (digest, media_type, m),
            Document::Index(index) => {
                depth += 1;
                if depth > MAX_INDEX_DEPTH {
                    return Err(ImageError::format(&input, "image indexes nest too deeply"));
                }
                let desc = manifest::select_platform(&input, &index, &options.platform)?;
                wanted = manifest::to_digest(&input, desc.digest())?.to_string();
            }
        }
    };
    let config_desc = manifest.config();
    let config_digest = manifest::to_digest(&input, config_desc.digest())?;
    let resp = client.get_blob(&config_digest.to_string())?;
    let config_bytes = read_bounded(&input, "config", resp, MAX_CONFIG_BYTES)?;
    config_digest.verify(&format!("{input} (config)"), &config_bytes)?;
    let config = manifest::parse_config(&input, config_desc.media_type().as_ref(), &config_bytes)?;
    let layers = layers_from_manifest(&input, &manifest, &config)?;
    Ok(Image {
        reference: input,
        manifest_digest: Some(manifest_digest),
        manifest_media_type: Some(if media_type.is_empty() {
            manifest
                .media_type()
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_else(|| manifest::OCI_MANIFEST.to_string())
        } else {
            media_type
        }),
        config_digest: Some(config_digest),
        config,
        config_raw: config_bytes,
        layers,
        source: Box::new(RegistrySource { client }),
    })
}

/// One tag of a repository: the digest it points at (an index or a
/// manifest) and the `created` time of its image config (of the
/// `options.platform` image, for an index).
#[derive(Debug, Clone)]
pub struct TaggedImage {
    pub tag: String,
    pub digest: Digest,
    pub created: Option<String>,
}

/// Every tag of the repository `r` (tags/list API) with its digest and
/// config creation time, and the client, for later calls such as
/// [`Client::delete_manifest`]. Registries record no push time: the
/// config's `created` is the closest thing they have.
pub fn tagged_images(
    input: &str,
    r: &RegistryRef,
    options: &OpenOptions,
) -> Result<(Client, Vec<TaggedImage>)> {
    let client = Client::connect(input, r, &options.registry)?;
    let mut out = Vec::new();
    for tag in client.list_tags()? {
        let (digest, _, document) = fetch_document(&client, input, &tag)?;
        let manifest = match document {
            Document::Manifest(m) => m,
            Document::Index(index) => {
                let desc = manifest::select_platform(input, &index, &options.platform)?;
                let child = manifest::to_digest(input, desc.digest())?.to_string();
                match fetch_document(&client, input, &child)?.2 {
                    Document::Manifest(m) => m,
                    Document::Index(_) => {
                        return Err(ImageError::format(input, "image indexes nest too deeply"));
                    }
                }
            }
        };
        let config_digest = manifest::to_digest(input, manifest.config().digest())?;
        let resp = client.get_blob(&config_digest.to_string())?;
        let bytes = read_bounded(input, "config", resp, MAX_CONFIG_BYTES)?;
        config_digest.verify(&format!("{input} (config of {tag})"), &bytes)?;
        let created = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| {
                v.get("created")
                    .and_then(|c| c.as_str())
                    .map(str::to_string)
            });
        out.push(TaggedImage {
            tag,
            digest,
            created,
        });
    }
    Ok((client, out))
}
