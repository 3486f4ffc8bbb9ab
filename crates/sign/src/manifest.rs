//! The OCI manifests that hold signatures and attestations. Descriptors
//! keep every field they were read with (`extra`), so a read-modify-write
//! of a `.sig` tag never drops what another signer wrote.

use crate::error::Error;
use palisade_image::Digest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// Most layers (signatures) read from one `.sig`/`.att` manifest.
pub const MAX_LAYERS: usize = 1000;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Descriptor {
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    pub size: u64,
    pub digest: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(
        rename = "artifactType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub artifact_type: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Descriptor {
    pub fn new(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_string(),
            size: bytes.len() as u64,
            digest: Digest::sha256_of(bytes).to_string(),
            annotations: BTreeMap::new(),
            artifact_type: None,
            extra: BTreeMap::new(),
        }
    }

    pub fn parsed_digest(&self) -> Result<Digest, Error> {
        self.digest.parse::<Digest>().map_err(|e| {
            Error::format(
                "descriptor",
                format!("bad digest {:?}: {e}", short(&self.digest)),
            )
        })
    }

    /// Identity for merging: the same blob with the same annotations is the
    /// same signature.
    pub fn same_as(&self, other: &Descriptor) -> bool {
        self.digest == other.digest && self.annotations == other.annotations
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(
        rename = "artifactType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Manifest {
    pub fn parse(what: &str, bytes: &[u8]) -> Result<Manifest, Error> {
        let m: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| Error::format(what, format!("not an OCI image manifest: {e}")))?;
        if m.schema_version != 2 {
            return Err(Error::format(
                what,
                format!("schemaVersion {}", m.schema_version),
            ));
        }
        if m.layers.len() > MAX_LAYERS {
            return Err(Error::format(
                what,
                format!("more than {MAX_LAYERS} layers"),
            ));
        }
        Ok(m)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

impl Index {
    pub fn parse(what: &str, bytes: &[u8]) -> Result<Index, Error> {
        let i: Index = serde_json::from_slice(bytes)
            .map_err(|e| Error::format(what, format!("not an OCI image index: {e}")))?;
        if i.manifests.len() > MAX_LAYERS {
            return Err(Error::format(
                what,
                format!("more than {MAX_LAYERS} entries"),
            ));
        }
        Ok(i)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The config cosign's signature images carry (go-containerregistry's
/// empty image with the layers appended): one history entry and one
/// diff-id (the layer digest: layers are uncompressed) per layer.
pub fn signature_config(layers: &[Descriptor]) -> Vec<u8> {
    let zero = "0001-01-01T00:00:00Z";
    let config = serde_json::json!({
        "architecture": "",
        "created": zero,
        "history": layers.iter().map(|_| serde_json::json!({"created": zero})).collect::<Vec<_>>(),
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.digest.clone()).collect::<Vec<_>>()},
        "config": {}
    });
    serde_json::to_vec(&config).unwrap_or_default()
}

/// At most 80 characters of untrusted text, without control characters.
pub fn short(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}
