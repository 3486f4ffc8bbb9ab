//! Storing signatures and attestations next to the image, as cosign does:
//! one OCI manifest at the tag `sha256-<hex>.sig` (or `.att`) whose layers
//! are the signatures. The tag scheme has no compare-and-swap, so writes
//! are read-modify-write with detection: after each PUT the tag is read
//! again, twice, a short random delay apart; if our layer is missing, or a
//! layer seen in an earlier read vanished (another writer overwrote the
//! tag from an older read), the union is written again. Bounded retries.

use crate::error::Error;
use crate::manifest::{Descriptor, Manifest, OCI_CONFIG, OCI_MANIFEST, signature_config};
use palisade_image::Digest;
use palisade_image::source::registry::client::Client;
use std::time::Duration;

/// Writes (PUTs) attempted before giving up.
const MAX_WRITES: usize = 8;
/// Confirming reads after a PUT that must all show our layer and every
/// layer seen before.
const CONFIRM_READS: usize = 2;

/// `sha256-<hex>.<suffix>` (`sig`, `att`), or `sha256-<hex>` for the
/// referrers tag schema when `suffix` is empty.
pub fn tag_for(digest: &Digest, suffix: &str) -> String {
    let base = format!("{}-{}", digest.algorithm().name(), digest.hex());
    if suffix.is_empty() {
        base
    } else {
        format!("{base}.{suffix}")
    }
}

/// The manifest at `tag`, or `None` when the tag does not exist.
pub fn read_tag(client: &Client, tag: &str) -> Result<Option<Manifest>, Error> {
    match client.fetch_manifest(tag)? {
        None => Ok(None),
        Some(raw) => Ok(Some(Manifest::parse(
            &format!("manifest {tag}"),
            &raw.bytes,
        )?)),
    }
}

/// What an append did.
#[derive(Debug, Clone)]
pub struct Appended {
    pub tag: String,
    pub manifest_digest: Digest,
    /// Layers in the stored manifest, ours included.
    pub layers: usize,
    /// PUTs it took (more than 1 means a concurrent writer was detected).
    pub writes: usize,
}

/// Adds `layer` (whose blob is `blob`) to the manifest at `tag`, keeping
/// every layer already there.
pub fn append_layer(
    client: &Client,
    tag: &str,
    layer: Descriptor,
    blob: &[u8],
) -> Result<Appended, Error> {
    let uploaded = client.upload_blob(blob)?;
    if uploaded.to_string() != layer.digest {
        return Err(Error::Other(format!(
            "internal: layer digest {} does not match its blob {uploaded}",
            layer.digest
        )));
    }
    // Every layer ever seen at the tag: what must survive.
    let mut known: Vec<Descriptor> = Vec::new();
    let mut writes = 0;
    loop {
        let current = read_tag(client, tag)?;
        merge(
            &mut known,
            current.as_ref().map(|m| m.layers.as_slice()).unwrap_or(&[]),
        );
        merge(&mut known, std::slice::from_ref(&layer));
        if writes > 0
            && let Some(m) = &current
            && complete(m, &known)
        {
            // Already all there (another writer merged ours in): confirm below.
        } else {
            if writes >= MAX_WRITES {
                return Err(Error::Other(format!(
                    "{tag}: gave up after {MAX_WRITES} writes: other writers keep changing the tag"
                )));
            }
            write(client, tag, &known)?;
            writes += 1;
        }
        // Confirm: the tag keeps our layer and every known layer.
        let mut stable = true;
        for _ in 0..CONFIRM_READS {
            std::thread::sleep(jitter());
            match read_tag(client, tag)? {
                Some(m) if complete(&m, &known) => {}
                Some(m) => {
                    merge(&mut known, &m.layers);
                    stable = false;
                    break;
                }
                None => {
                    stable = false;
                    break;
                }
            }
        }
        if stable {
            let raw = client
                .fetch_manifest(tag)?
                .ok_or_else(|| Error::Other(format!("{tag}: vanished after writing")))?;
            let m = Manifest::parse(tag, &raw.bytes)?;
            return Ok(Appended {
                tag: tag.to_string(),
                manifest_digest: raw.digest,
                layers: m.layers.len(),
                writes,
            });
        }
    }
}

fn merge(known: &mut Vec<Descriptor>, layers: &[Descriptor]) {
    for l in layers {
        if !known.iter().any(|k| k.same_as(l)) {
            known.push(l.clone());
        }
    }
}

fn complete(m: &Manifest, known: &[Descriptor]) -> bool {
    known.iter().all(|k| m.layers.iter().any(|l| l.same_as(k)))
}

fn write(client: &Client, tag: &str, layers: &[Descriptor]) -> Result<Digest, Error> {
    let config = signature_config(layers);
    client.upload_blob(&config)?;
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.to_string()),
        artifact_type: None,
        config: Descriptor::new(OCI_CONFIG, &config),
        layers: layers.to_vec(),
        subject: None,
        annotations: Default::default(),
    };
    Ok(client.put_manifest(tag, OCI_MANIFEST, &manifest.to_bytes())?)
}

/// 20–120 ms, different per process and call, so racing writers interleave.
fn jitter() -> Duration {
    let mut b = [0u8; 1];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    Duration::from_millis(20 + u64::from(b[0]) * 100 / 255)
}
