//! Manifests, indexes and configs (OCI and Docker v2 schema 2), parsed with
//! bounded sizes and checked media types.

use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::platform::Platform;
use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
const DOCKER_SCHEMA1: &[&str] = &[
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
];

/// Largest manifest or index accepted (containerd uses the same bound).
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// Largest image config accepted.
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;
/// How deep indexes may nest before we call it a loop.
pub const MAX_INDEX_DEPTH: usize = 8;

/// What the `Accept` header of a manifest request lists.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// How a layer blob is compressed, as its media type declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Classifies a layer media type; `None` for anything that is not a layer.
pub fn layer_compression(media_type: &str) -> Option<Compression> {
    match media_type {
        "application/vnd.oci.image.layer.v1.tar"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar"
        | "application/vnd.docker.image.rootfs.diff.tar" => Some(Compression::None),
        "application/vnd.oci.image.layer.v1.tar+gzip"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        | "application/vnd.docker.image.rootfs.diff.tar.gzip"
        | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Some(Compression::Gzip),
        "application/vnd.oci.image.layer.v1.tar+zstd"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
        | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Some(Compression::Zstd),
        _ => None,
    }
}

/// A parsed manifest-like document.
pub enum Document {
    Manifest(Box<ImageManifest>),
    Index(Box<ImageIndex>),
}

/// The media type a document declares, falling back to what the transport said.
fn declared_media_type(bytes: &[u8], transport_type: Option<&str>) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        manifests: Option<serde::de::IgnoredAny>,
        layers: Option<serde::de::IgnoredAny>,
        #[serde(rename = "schemaVersion")]
        schema_version: Option<u32>,
    }
    let probe: Option<Probe> = serde_json::from_slice(bytes).ok();
    if let Some(p) = &probe {
        if let Some(mt) = &p.media_type {
            return Some(mt.clone());
        }
        if p.schema_version == Some(1) {
            return Some(DOCKER_SCHEMA1[0].to_string());
        }
    }
    let transport_type = transport_type
        .map(|t| t.split(';').next().unwrap_or(t).trim())
        .filter(|t| !t.is_empty() && *t != "application/json" && *t != "application/octet-stream");
    if let Some(t) = transport_type {
        return Some(t.to_string());
    }
    // An OCI document may omit mediaType: tell index from manifest by shape.
    match probe {
        Some(p) if p.manifests.is_some() => Some(OCI_INDEX.to_string()),
        Some(p) if p.layers.is_some() => Some(OCI_MANIFEST.to_string()),
        _ => None,
    }
}

/// Parses a manifest or index.
pub fn parse_document(input: &str, bytes: &[u8], transport_type: Option<&str>) -> Result<Document> {
    let media_type = declared_media_type(bytes, transport_type)
        .ok_or_else(|| ImageError::format(input, "not a JSON manifest or index"))?;
    match media_type.as_str() {
        OCI_MANIFEST | DOCKER_MANIFEST => ImageManifest::from_reader(bytes)
            .map(|m| Document::Manifest(Box::new(m)))
            .map_err(|e| ImageError::format(input, format!("invalid image manifest: {e}"))),
        OCI_INDEX | DOCKER_MANIFEST_LIST => ImageIndex::from_reader(bytes)
            .map(|i| Document::Index(Box::new(i)))
            .map_err(|e| ImageError::format(input, format!("invalid image index: {e}"))),
        mt if DOCKER_SCHEMA1.contains(&mt) => Err(ImageError::MediaType {
            input: input.to_string(),
            media_type: mt.to_string(),
            hint: " (Docker schema 1 manifests are deprecated; re-push the image with a current client)".into(),
        }),
        mt => Err(ImageError::MediaType {
            input: input.to_string(),
            media_type: mt.to_string(),
            hint: " (expected an OCI or Docker v2 image manifest or index)".into(),
        }),
    }
}

/// Parses an image config, refusing artifacts that are not container images.
pub fn parse_config(input: &str, media_type: &str, bytes: &[u8]) -> Result<ImageConfiguration> {
    if media_type != OCI_CONFIG && media_type != DOCKER_CONFIG {
        return Err(ImageError::MediaType {
            input: input.to_string(),
            media_type: media_type.to_string(),
            hint: " for the config: this is an OCI artifact, not a container image".into(),
        });
    }
    ImageConfiguration::from_reader(bytes)
        .map_err(|e| ImageError::format(input, format!("invalid image config: {e}")))
}

/// Converts oci-spec's digest to ours (which also validates it).
pub fn to_digest(input: &str, d: &oci_spec::image::Digest) -> Result<Digest> {
    d.to_string()
        .parse()
        .map_err(|e: String| ImageError::format(input, e))
}

/// Picks the manifest of an index for a platform. Entries without a
/// platform (attestations, nested indexes) only count when nothing else does.
pub fn select_platform<'a>(
    input: &str,
    index: &'a ImageIndex,
    platform: &Platform,
) -> Result<&'a oci_spec::image::Descriptor> {
    let manifests = index.manifests();
    if manifests.is_empty() {
        return Err(ImageError::format(
            input,
            "the image index lists no manifests",
        ));
    }
    let found = manifests.iter().find(|d| {
        d.platform().as_ref().is_some_and(|p| {
            platform.matches(
                &p.os().to_string(),
                &p.architecture().to_string(),
                p.variant().as_deref(),
            )
        })
    });
    if let Some(d) = found {
        return Ok(d);
    }
    let with_platform = manifests.iter().filter(|d| d.platform().is_some()).count();
    if with_platform == 0 && manifests.len() == 1 {
        return Ok(&manifests[0]);
    }
    let available: Vec<String> = manifests
        .iter()
        .filter_map(|d| d.platform().as_ref())
        .map(|p| {
            let mut s = format!("{}/{}", p.os(), p.architecture());
            if let Some(v) = p.variant() {
                s.push('/');
                s.push_str(v);
            }
            s
        })
        .filter(|s| s != "unknown/unknown")
        .collect();
    Err(ImageError::Platform {
        input: input.to_string(),
        platform: platform.to_string(),
        available: if available.is_empty() {
            "none".into()
        } else {
            available.join(", ")
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(
            layer_compression("application/vnd.oci.image.layer.v1.tar+zstd"),
            Some(Compression::Zstd)
        );
        assert_eq!(
            layer_compression("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(
            layer_compression("application/vnd.cncf.helm.chart.content.v1.tar+gzip"),
            None
        );
    }

    #[test]
    fn rejects_bad_documents() {
        for (bytes, want) in [
            (&b"not json"[..], "not a JSON"),
            (br#"{"schemaVersion":1,"name":"x"}"#, "schema 1"),
            (br#"{"schemaVersion":2,"mediaType":"application/x-foo"}"#, "application/x-foo"),
            (br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":"x"}"#, "invalid image manifest"),
        ] {
            let err = match parse_document("in", bytes, None) {
                Ok(_) => panic!("parsed"),
                Err(e) => e.to_string(),
            };
            assert!(err.contains(want), "{err}");
            assert!(err.starts_with("in:"), "{err}");
        }
    }

    #[test]
    fn artifact_config_refused() {
        let err =
            parse_config("in", "application/vnd.cncf.helm.config.v1+json", b"{}").unwrap_err();
        assert!(err.to_string().contains("artifact"));
    }
}
