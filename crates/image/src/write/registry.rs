//! Pushes an image through the OCI distribution API: for each blob a HEAD
//! to skip what the registry already has, a cross-repository mount when the
//! source image lives on the same registry, otherwise an upload, monolithic
//! (POST then PUT) for blobs up to the chunk size and chunked (PATCH with
//! Content-Range, then PUT) above it; then the manifest PUT with its media
//! type. Blobs are verified against their digests while they are read, and
//! the registry's `Docker-Content-Digest` answers are checked against ours.

use super::{Blob, BlobContent, ImageOut, WriteOptions, Written};
use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::reference::{ImageRef, RegistryRef};
use crate::source::registry::client::Client;
use reqwest::StatusCode;
use reqwest::blocking::Response;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, LOCATION};
use std::collections::HashSet;
use std::io::Read;

const DEFAULT_CHUNK: u64 = 16 << 20;
const OCTET_STREAM: &str = "application/octet-stream";

pub fn push(image: &ImageOut<'_>, dest: &RegistryRef, options: &WriteOptions) -> Result<Written> {
    let tag = dest.tag.clone().unwrap_or_else(|| "latest".to_string());
    let input = format!("docker://{}/{}:{tag}", dest.registry, dest.repository);
    // A source in another repository of the same registry lends its blobs.
    let mount_from = match ImageRef::parse(&image.source.reference) {
        Ok(ImageRef::Registry(src))
            if src.registry == dest.registry && src.repository != dest.repository =>
        {
            Some(src.repository)
        }
        _ => None,
    };
    let mut scopes = vec![format!("repository:{}:pull,push", dest.repository)];
    if let Some(from) = &mount_from {
        scopes.push(format!("repository:{from}:pull"));
    }
    let client = Client::connect_with_scopes(&input, dest, &options.registry, scopes)?;
    let pusher = Pusher {
        client: &client,
        image,
        chunk: if options.chunk_size == 0 {
            DEFAULT_CHUNK
        } else {
            options.chunk_size
        },
    };
    if !options.force && pusher.manifest_exists(&tag)? {
        return Err(ImageError::registry(
            &input,
            format!("the tag {tag} already exists (pass --force to overwrite it)"),
        ));
    }
    let mut written = Written {
        manifest_digest: Digest::sha256_of(b""),
        manifest_size: 0,
        blobs_written: 0,
        blobs_skipped: 0,
        blobs_mounted: 0,
    };
    let mut seen = HashSet::new();
    for blob in image.layers.iter().chain(std::iter::once(&image.config)) {
        if !seen.insert(blob.digest.clone()) {
            continue;
        }
        if pusher.blob_exists(&blob.digest)? {
            written.blobs_skipped += 1;
            continue;
        }
        let from = match (&mount_from, &blob.content) {
            (Some(from), BlobContent::SourceLayer(_)) => Some(from.as_str()),
            _ => None,
        };
        match pusher.start_upload(&blob.digest, from)? {
            Upload::Mounted => written.blobs_mounted += 1,
            Upload::Session(location) => {
                pusher.upload(blob, location)?;
                written.blobs_written += 1;
            }
        }
    }
    let manifest = image.manifest_bytes();
    let digest = Digest::sha256_of(&manifest);
    pusher.put_manifest(&tag, &image.manifest_media_type, &manifest, &digest)?;
    written.manifest_digest = digest;
    written.manifest_size = manifest.len() as u64;
    Ok(written)
}

struct Pusher<'a, 'b> {
    client: &'a Client,
    image: &'a ImageOut<'b>,
    chunk: u64,
}

enum Upload {
    Mounted,
    /// The upload URL to PATCH or PUT to.
    Session(String),
}

impl Pusher<'_, '_> {
    fn manifest_exists(&self, tag: &str) -> Result<bool> {
        let url = self.client.url("manifests", tag);
        let resp = self.client.send(
            &|h| {
                h.head(&url)
                    .header(reqwest::header::ACCEPT, crate::manifest::MANIFEST_ACCEPT)
            },
            &format!("HEAD manifest {tag}"),
        )?;
        self.exists(resp, &format!("HEAD manifest {tag}"))
    }

    fn blob_exists(&self, digest: &Digest) -> Result<bool> {
        let url = self.client.url("blobs", &digest.to_string());
        let resp = self
            .client
            .send(&|h| h.head(&url), &format!("HEAD blob {digest}"))?;
        self.exists(resp, &format!("HEAD blob {digest}"))
    }

    fn exists(&self, resp: Response, what: &str) -> Result<bool> {
        match resp.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self.client.unexpected(what, resp)),
        }
    }

    /// POST to the uploads endpoint, asking to mount from `from` when given.
    fn start_upload(&self, digest: &Digest, from: Option<&str>) -> Result<Upload> {
        let mut url = self.client.url("blobs/uploads", "");
        if let Some(from) = from {
            let mut u = reqwest::Url::parse(&url)
                .map_err(|e| ImageError::registry(&url, format!("bad URL: {e}")))?;
            u.query_pairs_mut()
                .append_pair("mount", &digest.to_string())
                .append_pair("from", from);
            url = u.to_string();
        }
        let what = format!("starting the upload of {digest}");
        let resp = self
            .client
            .send(&|h| h.post(&url).header(CONTENT_LENGTH, 0), &what)?;
        match resp.status() {
            StatusCode::CREATED if from.is_some() => Ok(Upload::Mounted),
            StatusCode::ACCEPTED | StatusCode::CREATED => {
                Ok(Upload::Session(self.location(&resp, &what)?))
            }
            _ => Err(self.client.unexpected(&what, resp)),
        }
    }

    fn location(&self, resp: &Response, what: &str) -> Result<String> {
        resp.headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| self.client.absolute(l))
            .ok_or_else(|| {
                ImageError::registry(
                    self.client.base_url(),
                    format!("{what}: the registry sent no Location for the upload"),
                )
            })
    }

    /// Uploads the blob's bytes (verified as they are read) and closes the
    /// session with the digest.
    fn upload(&self, blob: &Blob, mut location: String) -> Result<()> {
        let what = format!("uploading blob {}", blob.digest);
        let mut reader = self.image.open_blob(blob)?;
        let read_err =
            |e: std::io::Error| ImageError::registry(&what, format!("reading the blob: {e}"));
        let final_body: Vec<u8> = if blob.size <= self.chunk {
            let mut all = Vec::with_capacity(blob.size as usize);
            reader.read_to_end(&mut all).map_err(read_err)?;
            all
        } else {
            let mut offset = 0u64;
            let mut buf = Vec::with_capacity(self.chunk as usize);
            loop {
                buf.clear();
                (&mut reader)
                    .take(self.chunk)
                    .read_to_end(&mut buf)
                    .map_err(read_err)?;
                if buf.is_empty() {
                    break;
                }
                let end = offset + buf.len() as u64 - 1;
                let range = format!("{offset}-{end}");
                let url = location.clone();
                let resp = self.client.send(
                    &|h| {
                        h.patch(&url)
                            .header(CONTENT_TYPE, OCTET_STREAM)
                            .header(CONTENT_RANGE, &range)
                            .header(CONTENT_LENGTH, buf.len())
                            .body(buf.clone())
                    },
                    &format!("{what} (bytes {range})"),
                )?;
                if resp.status() != StatusCode::ACCEPTED {
                    return Err(self
                        .client
                        .unexpected(&format!("{what} (bytes {range})"), resp));
                }
                location = self.location(&resp, &what)?;
                offset = end + 1;
            }
            Vec::new()
        };
        let mut url = reqwest::Url::parse(&location)
            .map_err(|e| ImageError::registry(&location, format!("bad upload URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("digest", &blob.digest.to_string());
        let resp = self.client.send(
            &|h| {
                h.put(url.clone())
                    .header(CONTENT_TYPE, OCTET_STREAM)
                    .header(CONTENT_LENGTH, final_body.len())
                    .body(final_body.clone())
            },
            &what,
        )?;
        if resp.status() != StatusCode::CREATED {
            return Err(self.client.unexpected(&what, resp));
        }
        check_stated_digest(&resp, &blob.digest, &what)
    }

    fn put_manifest(
        &self,
        tag: &str,
        media_type: &str,
        bytes: &[u8],
        digest: &Digest,
    ) -> Result<()> {
        let url = self.client.url("manifests", tag);
        let what = format!("PUT manifest {tag}");
        let resp = self.client.send(
            &|h| {
                h.put(&url)
                    .header(CONTENT_TYPE, media_type)
                    .body(bytes.to_vec())
            },
            &what,
        )?;
        if resp.status() != StatusCode::CREATED {
            return Err(self.client.unexpected(&what, resp));
        }
        check_stated_digest(&resp, digest, &what)
    }
}

/// The registry's `Docker-Content-Digest`, when it sends one, must be ours.
fn check_stated_digest(resp: &Response, expected: &Digest, what: &str) -> Result<()> {
    let stated = resp
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok());
    match stated {
        Some(s) if s != expected.to_string() => Err(ImageError::DigestMismatch {
            input: what.to_string(),
            expected: expected.to_string(),
            actual: s.chars().filter(|c| !c.is_control()).take(140).collect(),
        }),
        _ => Ok(()),
    }
}
