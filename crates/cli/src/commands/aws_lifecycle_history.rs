//! Untagged images of a registry repository, from a tag history kept in a
//! local file (`--history FILE`).
//!
//! The distribution API lists tags, never manifests: an image whose tag
//! moved to a newer build is still stored (and pullable by digest) but no
//! API call finds it. palisade remembers every digest a tag pointed at in
//! earlier runs; a remembered digest that no tag points at now, and that
//! the registry still serves (`HEAD /v2/REPO/manifests/DIGEST` is 200), is
//! an untagged image, pushed when its config says it was created. Digests
//! the registry no longer has are forgotten. Untagged images pushed before
//! the first run with a history, or by a tag that came and went between
//! two runs, stay invisible.

use anyhow::{Context, Result, bail};
use palisade_aws::lifecycle::Image;
use palisade_aws::lifecycle::history;
pub use palisade_aws::lifecycle::history::{History, Remembered};
use palisade_image::manifest::MANIFEST_ACCEPT;
use palisade_image::source::registry::client::Client;
use std::io::Read;
use std::path::Path;

/// Largest history file read.
const MAX_HISTORY_BYTES: u64 = 64 << 20;

/// Reads the history of `repository`; a missing file is an empty history.
pub fn load(path: &Path, repository: &str) -> Result<History> {
    let mut text = String::new();
    match std::fs::File::open(path) {
        Ok(f) => f
            .take(MAX_HISTORY_BYTES + 1)
            .read_to_string(&mut text)
            .with_context(|| format!("reading {}", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(History {
                repository: repository.to_string(),
                images: Vec::new(),
            });
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    if text.len() as u64 > MAX_HISTORY_BYTES {
        bail!("{}: larger than {MAX_HISTORY_BYTES} bytes", path.display());
    }
    history::parse(&text, repository).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Writes the history (to a temporary file, then renamed, so a crash never
/// leaves half a file).
pub fn save(path: &Path, history: &History) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(history)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// Adds the untagged images the history knows of to `images` (the tagged
/// ones) and returns the updated history: every image seen now, plus the
/// remembered digests the registry still serves.
pub fn untagged(client: &Client, history: &History, images: &mut Vec<Image>) -> Result<History> {
    let mut next = History {
        repository: history.repository.clone(),
        images: images
            .iter()
            .map(|i| Remembered {
                digest: i.digest.clone(),
                pushed_at: i.pushed_at,
                last_tags: i.tags.clone(),
            })
            .collect(),
    };
    for r in &history.images {
        if images.iter().any(|i| i.digest == r.digest) {
            continue;
        }
        if !still_stored(client, &r.digest)? {
            continue;
        }
        images.push(Image {
            digest: r.digest.clone(),
            tags: Vec::new(),
            pushed_at: r.pushed_at,
            last_pulled_at: None,
            storage_class: "standard".into(),
        });
        next.images.push(Remembered {
            last_tags: Vec::new(),
            ..r.clone()
        });
    }
    Ok(next)
}

/// `HEAD /v2/REPO/manifests/DIGEST`: 200 stored, 404 gone, anything else an error.
fn still_stored(client: &Client, digest: &str) -> Result<bool> {
    let url = client.url("manifests", digest);
    let what = format!("manifest {digest}");
    let resp = client.send(
        &|http| http.head(&url).header("Accept", MANIFEST_ACCEPT),
        &what,
    )?;
    match resp.status().as_u16() {
        200 => Ok(true),
        404 => Ok(false),
        s => bail!("{what}: the registry answered {s}"),
    }
}
