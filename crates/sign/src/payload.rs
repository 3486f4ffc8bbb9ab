//! The "simple signing" payload cosign signs for an image:
//! `{"critical":{"identity":{"docker-reference":R},"image":{"docker-manifest-digest":D},"type":"cosign container image signature"},"optional":{…}|null}`.
//! The signature covers the exact bytes, so parsing never re-serializes.

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SIGNATURE_TYPE: &str = "cosign container image signature";
pub const MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// Largest payload read: real ones are a few hundred bytes.
pub const MAX_PAYLOAD: u64 = 1 << 20;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SimpleSigning {
    pub critical: Critical,
    /// cosign writes `null` when there are no annotations.
    #[serde(default)]
    pub optional: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Critical {
    pub identity: Identity,
    pub image: ImageDigest,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Identity {
    #[serde(rename = "docker-reference")]
    pub docker_reference: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImageDigest {
    #[serde(rename = "docker-manifest-digest")]
    pub docker_manifest_digest: String,
}

impl SimpleSigning {
    /// The payload for `digest` of the repository `reference`
    /// (`registry/repo`, no tag, as cosign writes it).
    pub fn new(reference: &str, digest: &str, annotations: &BTreeMap<String, String>) -> Self {
        SimpleSigning {
            critical: Critical {
                identity: Identity {
                    docker_reference: reference.to_string(),
                },
                image: ImageDigest {
                    docker_manifest_digest: digest.to_string(),
                },
                kind: SIGNATURE_TYPE.to_string(),
            },
            optional: if annotations.is_empty() {
                None
            } else {
                Some(
                    annotations
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                        .collect(),
                )
            },
        }
    }

    /// The bytes to sign and store (compact JSON, cosign's field order).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn parse(bytes: &[u8]) -> Result<SimpleSigning, Error> {
        if bytes.len() as u64 > MAX_PAYLOAD {
            return Err(Error::format("simple-signing payload", "larger than 1 MiB"));
        }
        serde_json::from_slice(bytes)
            .map_err(|e| Error::format("simple-signing payload", format!("invalid: {e}")))
    }

    /// The `optional` annotation `key` as a string (numbers and booleans
    /// compared by their JSON text, as cosign's `-a` matching does).
    pub fn annotation(&self, key: &str) -> Option<String> {
        let value = self.optional.as_ref()?.get(key)?;
        Some(match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }
}

/// Does the payload's `docker-reference` name the repository `repo`
/// (`registry/repository`)? cosign writes the repository alone; other
/// signers add a tag or digest, which is accepted.
pub fn reference_matches(docker_reference: &str, repo: &str) -> bool {
    let given = normalize(docker_reference);
    let repo = normalize(repo);
    let without_digest = given.split_once('@').map_or(given.as_str(), |(r, _)| r);
    if without_digest == repo {
        return true;
    }
    // A tag is after the last ':' that follows the last '/'.
    let last_slash = without_digest.rfind('/').unwrap_or(0);
    match without_digest[last_slash..].rfind(':') {
        Some(i) => without_digest[..last_slash + i] == repo,
        None => false,
    }
}

/// Without `docker://`, and Docker Hub's API host spelled `docker.io`.
fn normalize(name: &str) -> String {
    let name = name.strip_prefix("docker://").unwrap_or(name);
    match name.strip_prefix("index.docker.io/") {
        Some(rest) => format!("docker.io/{rest}"),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_matching_accepts_repo_tag_and_digest_forms_only() {
        let repo = "127.0.0.1:5000/team/app";
        assert!(reference_matches("127.0.0.1:5000/team/app", repo));
        assert!(reference_matches("127.0.0.1:5000/team/app:v1", repo));
        assert!(reference_matches("127.0.0.1:5000/team/app@sha256:00", repo));
        assert!(reference_matches(
            "127.0.0.1:5000/team/app:v1@sha256:00",
            repo
        ));
        assert!(!reference_matches("127.0.0.1:5000/team/other", repo));
        assert!(!reference_matches("127.0.0.1:5000/team/app2", repo));
        assert!(!reference_matches("127.0.0.1:5001/team/app", repo));
        assert!(!reference_matches("127.0.0.1:5000/team", repo));
        assert!(reference_matches(
            "index.docker.io/library/x",
            "docker.io/library/x"
        ));
    }

    #[test]
    fn payload_bytes_are_cosigns_shape() {
        let p = SimpleSigning::new("r/x", "sha256:ab", &BTreeMap::new());
        assert_eq!(
            String::from_utf8(p.to_bytes()).unwrap(),
            r#"{"critical":{"identity":{"docker-reference":"r/x"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null}"#
        );
        let a = BTreeMap::from([("env".to_string(), "prod".to_string())]);
        let p = SimpleSigning::new("r/x", "sha256:ab", &a);
        assert_eq!(
            SimpleSigning::parse(&p.to_bytes())
                .unwrap()
                .annotation("env")
                .as_deref(),
            Some("prod")
        );
    }
}
