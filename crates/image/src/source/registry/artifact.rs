//! Small registry operations for artifacts that sit next to images
//! (signatures, attestations, referrers): exact manifest bytes with their
//! verified digest, a manifest PUT that returns the digest, a one-shot blob
//! upload and the OCI 1.1 referrers API. Everything fetched is verified
//! against its digest and read with a size bound.

use super::client::Client;
use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::manifest::{MANIFEST_ACCEPT, MAX_MANIFEST_BYTES};
use crate::source::read_bounded;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};

/// A manifest or index exactly as the registry stored it.
#[derive(Debug, Clone)]
pub struct RawManifest {
    pub bytes: Vec<u8>,
    /// Verified: the digest asked for, else the one the registry stated
    /// (checked against the bytes), else computed.
    pub digest: Digest,
    /// The `Content-Type` without parameters (may be empty).
    pub media_type: String,
}

impl Client {
    /// `GET /v2/<repo>/manifests/<reference>` (a tag or a digest); `None`
    /// when the registry answers 404.
    pub fn fetch_manifest(&self, reference: &str) -> Result<Option<RawManifest>> {
        let url = self.url("manifests", reference);
        let what = format!("manifest {reference}");
        let resp = self.send(&|h| h.get(&url).header(ACCEPT, MANIFEST_ACCEPT), &what)?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !resp.status().is_success() {
            return Err(self.unexpected(&what, resp));
        }
        let media_type = header(&resp, CONTENT_TYPE.as_str())
            .map(|c| c.split(';').next().unwrap_or_default().trim().to_string())
            .unwrap_or_default();
        let stated = header(&resp, "docker-content-digest").and_then(|v| v.parse::<Digest>().ok());
        let bytes = read_bounded(&what, "manifest", resp, MAX_MANIFEST_BYTES)?;
        let digest = match (reference.parse::<Digest>().ok(), stated) {
            (Some(asked), _) => {
                asked.verify(&what, &bytes)?;
                asked
            }
            (None, Some(stated)) => {
                stated.verify(&format!("{what} (Docker-Content-Digest)"), &bytes)?;
                stated
            }
            (None, None) => Digest::sha256_of(&bytes),
        };
        Ok(Some(RawManifest {
            bytes,
            digest,
            media_type,
        }))
    }

    /// `GET /v2/<repo>/blobs/<digest>`: the whole blob, at most `limit`
    /// bytes, verified against its digest.
    pub fn fetch_blob(&self, digest: &Digest, limit: u64) -> Result<Vec<u8>> {
        let what = format!("blob {digest}");
        let resp = self.get_blob(&digest.to_string())?;
        let bytes = read_bounded(&what, "blob", resp, limit)?;
        digest.verify(&what, &bytes)?;
        Ok(bytes)
    }

    /// Uploads `bytes` as one blob unless the registry already has it
    /// (monolithic POST then PUT); returns its digest.
    pub fn upload_blob(&self, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::sha256_of(bytes);
        let what = format!("uploading blob {digest}");
        let head_url = self.url("blobs", &digest.to_string());
        let head = self.send(&|h| h.head(&head_url), &what)?;
        if head.status().is_success() {
            return Ok(digest);
        }
        let start_url = self.url("blobs/uploads", "");
        let resp = self.send(&|h| h.post(&start_url).header(CONTENT_LENGTH, 0), &what)?;
        if !matches!(resp.status(), StatusCode::ACCEPTED | StatusCode::CREATED) {
            return Err(self.unexpected(&what, resp));
        }
        let location = header(&resp, LOCATION.as_str())
            .map(|l| self.absolute(l))
            .ok_or_else(|| {
                ImageError::registry(self.base_url(), format!("{what}: no Location header"))
            })?;
        let mut url = reqwest::Url::parse(&location)
            .map_err(|e| ImageError::registry(&location, format!("bad upload URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let resp = self.send(
            &|h| {
                h.put(url.clone())
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .header(CONTENT_LENGTH, bytes.len())
                    .body(bytes.to_vec())
            },
            &what,
        )?;
        if resp.status() != StatusCode::CREATED {
            return Err(self.unexpected(&what, resp));
        }
        check_stated(&resp, &digest, &what)?;
        Ok(digest)
    }

    /// `PUT /v2/<repo>/manifests/<reference>` with `media_type`; returns
    /// the manifest's digest (checked against what the registry states).
    pub fn put_manifest(&self, reference: &str, media_type: &str, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::sha256_of(bytes);
        let url = self.url("manifests", reference);
        let what = format!("PUT manifest {reference}");
        let resp = self.send(
            &|h| {
                h.put(&url)
                    .header(CONTENT_TYPE, media_type)
                    .body(bytes.to_vec())
            },
            &what,
        )?;
        if resp.status() != StatusCode::CREATED {
            return Err(self.unexpected(&what, resp));
        }
        check_stated(&resp, &digest, &what)?;
        Ok(digest)
    }

    /// `GET /v2/<repo>/referrers/<digest>` (OCI 1.1): the image index of
    /// the manifests whose `subject` is `digest`. `None` when the registry
    /// has no referrers API (404), so the caller falls back to the
    /// referrers tag schema (`sha256-<hex>`).
    pub fn fetch_referrers(&self, digest: &Digest) -> Result<Option<Vec<u8>>> {
        let url = self.url("referrers", &digest.to_string());
        let what = format!("referrers of {digest}");
        let resp = self.send(
            &|h| h.get(&url).header(ACCEPT, crate::manifest::OCI_INDEX),
            &what,
        )?;
        match resp.status() {
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => Ok(None),
            s if s.is_success() => Ok(Some(read_bounded(
                &what,
                "referrers index",
                resp,
                MAX_MANIFEST_BYTES,
            )?)),
            _ => Err(self.unexpected(&what, resp)),
        }
    }
}

fn header<'a>(resp: &'a reqwest::blocking::Response, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The registry's `Docker-Content-Digest`, when it sends one, must be ours.
fn check_stated(resp: &reqwest::blocking::Response, expected: &Digest, what: &str) -> Result<()> {
    match header(resp, "docker-content-digest") {
        Some(s) if s != expected.to_string() => Err(ImageError::DigestMismatch {
            input: what.to_string(),
            expected: expected.to_string(),
            actual: s.chars().filter(|c| !c.is_control()).take(140).collect(),
        }),
        _ => Ok(()),
    }
}
