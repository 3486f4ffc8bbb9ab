//! `docker save` archives: a tar holding `manifest.json`, the config and one
//! tar per layer (`<id>/layer.tar`, `<hex>.tar` or `blobs/sha256/<hex>`), or
//! in the oldest layout only `repositories` and `<id>/json` files.
//!
//! The archive is indexed once (entry name → offset) so that layers can be
//! read in parallel by seeking. A gzip-compressed archive cannot be seeked,
//! so it is first decompressed into an anonymous temporary file (deleted on
//! close); layers themselves are never extracted.

use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::image::{BlobSource, Image, LayerDesc};
use crate::manifest::{self, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES};
use crate::reference::{ArchiveSelector, ImageRef};
use crate::source::read_bounded;
use crate::walk::describe_io_error;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

/// Most entries an archive may have before we stop indexing it.
const MAX_ARCHIVE_ENTRIES: usize = 1 << 20;
/// Longest parent chain followed in a legacy archive.
const MAX_LEGACY_DEPTH: usize = 1024;

#[derive(Debug, Clone)]
enum Member {
    Data { offset: u64, size: u64 },
    Link(String),
}

struct Archive {
    input: String,
    file: Arc<File>,
    members: HashMap<String, Member>,
    /// The chosen image's layer members, bottom first.
    layer_paths: Vec<String>,
}

#[derive(Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    layers: Vec<String>,
}

/// Normalises a member name: no leading `./` or `/`, no `.` components.
fn clean_name(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

impl Archive {
    fn index(input: &str, file: File) -> Result<Archive> {
        let mut archive = tar::Archive::new(&file);
        let mut members = HashMap::new();
        let entries = archive.entries_with_seek().map_err(|e| {
            ImageError::format(
                input,
                format!("not a tar archive: {}", describe_io_error(&e)),
            )
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                ImageError::format(
                    input,
                    format!("corrupt tar archive: {}", describe_io_error(&e)),
                )
            })?;
            if members.len() >= MAX_ARCHIVE_ENTRIES {
                return Err(ImageError::format(
                    input,
                    "too many entries for a docker-archive",
                ));
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = clean_name(&name) else {
                return Err(ImageError::format(
                    input,
                    format!("archive member {name:?} escapes the archive root"),
                ));
            };
            let kind = entry.header().entry_type();
            let member = if kind.is_symlink() || kind.is_hard_link() {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let base = if kind.is_symlink() {
                    name.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
                } else {
                    ""
                };
                let joined = if target.starts_with('/') {
                    target
                } else {
                    format!("{base}/{target}")
                };
                match clean_name(&joined) {
                    Some(t) => Member::Link(t),
                    None => continue, // a link out of the archive is never followed
                }
            } else if kind.is_file() || kind == tar::EntryType::Continuous {
                Member::Data {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                }
            } else {
                continue;
            };
            members.insert(name, member);
        }
        Ok(Archive {
            input: input.to_string(),
            file: Arc::new(file),
            members,
            layer_paths: Vec::new(),
        })
    }

    /// Finds a member's data, following links inside the archive.
    fn locate(&self, name: &str) -> Result<(u64, u64)> {
        let mut current = clean_name(name).unwrap_or_default();
        for _ in 0..16 {
            match self.members.get(&current) {
                Some(Member::Data { offset, size }) => return Ok((*offset, *size)),
                Some(Member::Link(target)) => current = target.clone(),
                None => {
                    return Err(ImageError::format(
                        &self.input,
                        format!("the archive has no member {name:?}"),
                    ));
                }
            }
        }
        Err(ImageError::format(
            &self.input,
            format!("member {name:?}: too many links"),
        ))
    }

    fn member_reader(&self, name: &str) -> Result<SectionReader> {
        let (offset, size) = self.locate(name)?;
        Ok(SectionReader {
            file: Arc::clone(&self.file),
            pos: offset,
            end: offset + size,
        })
    }

    fn read_member(&self, name: &str, limit: u64) -> Result<Vec<u8>> {
        read_bounded(&self.input, name, self.member_reader(name)?, limit)
    }

    fn has(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }
}

impl BlobSource for Archive {
    fn open_layer(&self, index: usize, _layer: &LayerDesc) -> Result<Box<dyn Read + Send + '_>> {
        let path = self.layer_paths.get(index).ok_or_else(|| {
            ImageError::format(&self.input, format!("no layer {index} in the archive"))
        })?;
        Ok(Box::new(self.member_reader(path)?))
    }
}

/// Reads one member's bytes with positioned reads, so that several layers
/// of the same archive can stream in parallel from one file handle.
struct SectionReader {
    file: Arc<File>,
    pos: u64,
    end: u64,
}

impl Read for SectionReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let left = self.end.saturating_sub(self.pos);
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "archive is truncated",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// Opens the archive file, decompressing a gzip'd archive to a temporary file.
fn open_file(input: &str, path: &Path) -> Result<File> {
    let mut file = File::open(path).map_err(|e| ImageError::Path {
        path: path.to_path_buf(),
        reason: format!("cannot open docker-archive: {e}"),
    })?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(ImageError::Path {
            path: path.to_path_buf(),
            reason: "is a directory (for an OCI layout directory use oci:)".into(),
        });
    }
    let mut magic = [0u8; 2];
    let n = file
        .read(&mut magic)
        .map_err(|e| ImageError::io(input, e))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| ImageError::io(input, e))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        let mut spool = tempfile::tempfile().map_err(|e| ImageError::io(input, e))?;
        let mut decoder =
            flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(1 << 17, file));
        std::io::copy(&mut decoder, &mut spool).map_err(|e| {
            ImageError::format(input, format!("corrupt gzip-compressed archive: {e}"))
        })?;
        spool
            .seek(SeekFrom::Start(0))
            .map_err(|e| ImageError::io(input, e))?;
        return Ok(spool);
    }
    Ok(file)
}

pub fn open(reference: &ImageRef, path: &Path, selector: &ArchiveSelector) -> Result<Image> {
    let input = reference.to_string();
    let file = open_file(&input, path)?;
    let mut archive = Archive::index(&input, file)?;
    let (config_bytes, config_digest, layer_paths, manifest_digest) = if archive
        .has("manifest.json")
    {
        let bytes = archive.read_member("manifest.json", MAX_MANIFEST_BYTES)?;
        let entries: Vec<ManifestEntry> = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::format(&input, format!("invalid manifest.json: {e}")))?;
        let entry = choose(&input, &entries, selector)?;
        let config_bytes = archive.read_member(&entry.config, MAX_CONFIG_BYTES)?;
        let config_digest = digest_from_name(&entry.config);
        if let Some(d) = &config_digest {
            d.verify(&format!("{input} (config {})", entry.config), &config_bytes)?;
        }
        (config_bytes, config_digest, entry.layers.clone(), None)
    } else if archive.has("repositories") {
        legacy(&input, &archive, selector)?
    } else {
        return Err(ImageError::format(
            &input,
            "not a docker-archive: no manifest.json or repositories file (an OCI layout tar? unpack it and use oci:DIR)",
        ));
    };
    let config = manifest::parse_config(&input, manifest::DOCKER_CONFIG, &config_bytes)?;
    let diff_ids = config.rootfs().diff_ids();
    let legacy = !archive.has("manifest.json");
    if !legacy && diff_ids.len() != layer_paths.len() {
        return Err(ImageError::format(
            &input,
            format!(
                "manifest.json lists {} layers but the config lists {} diff_ids",
                layer_paths.len(),
                diff_ids.len()
            ),
        ));
    }
    let mut layers = Vec::with_capacity(layer_paths.len());
    for (i, layer_path) in layer_paths.iter().enumerate() {
        let (_, size) = archive.locate(layer_path)?;
        let diff_id = match diff_ids.get(i) {
            Some(d) => Some(
                d.parse::<Digest>()
                    .map_err(|e| ImageError::format(&input, format!("config diff_id: {e}")))?,
            ),
            None => None,
        };
        layers.push(LayerDesc {
            digest: digest_from_name(layer_path),
            size: Some(size),
            media_type: None,
            diff_id,
        });
    }
    archive.layer_paths = layer_paths;
    Ok(Image {
        reference: input,
        manifest_digest,
        manifest_media_type: None,
        config_digest: config_digest.or_else(|| Some(Digest::sha256_of(&config_bytes))),
        config,
        config_raw: config_bytes,
        layers,
        source: Box::new(archive),
    })
}

fn choose<'a>(
    input: &str,
    entries: &'a [ManifestEntry],
    selector: &ArchiveSelector,
) -> Result<&'a ManifestEntry> {
    let all_tags = || {
        entries
            .iter()
            .flat_map(|e| e.repo_tags.iter().flatten())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    match selector {
        ArchiveSelector::Default => match entries.len() {
            0 => Err(ImageError::format(input, "manifest.json lists no images")),
            1 => Ok(&entries[0]),
            n => Err(ImageError::format(
                input,
                format!(
                    "the archive holds {n} images; pick one with docker-archive:FILE:NAME:TAG or :@INDEX (tags: {})",
                    all_tags()
                ),
            )),
        },
        ArchiveSelector::Index(i) => entries.get(*i).ok_or_else(|| {
            ImageError::format(
                input,
                format!("no image @{i}: the archive holds {}", entries.len()),
            )
        }),
        ArchiveSelector::Tag(tag) => {
            let wanted = [
                tag.clone(),
                format!("docker.io/{tag}"),
                format!("docker.io/library/{tag}"),
            ];
            entries
                .iter()
                .find(|e| e.repo_tags.iter().flatten().any(|t| wanted.contains(t)))
                .ok_or_else(|| {
                    ImageError::format(
                        input,
                        format!("no image tagged {tag:?} (tags: {})", all_tags()),
                    )
                })
        }
    }
}

/// `blobs/sha256/<hex>` names are content addresses (docker ≥ 25); other
/// names (`<id>/layer.tar`, `<hex>.tar`) are not guaranteed to be.
fn digest_from_name(name: &str) -> Option<Digest> {
    let rest = name.strip_prefix("blobs/")?;
    let (algo, hex) = rest.split_once('/')?;
    format!("{algo}:{hex}").parse().ok()
}

#[derive(Deserialize)]
struct LegacyLayer {
    parent: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    config: Option<serde_json::Value>,
    #[serde(default)]
    container_config: Option<serde_json::Value>,
}

type Resolved = (Vec<u8>, Option<Digest>, Vec<String>, Option<Digest>);

/// The pre-1.10 layout: `repositories` names the top layer id; each
/// `<id>/json` names its parent. The config is rebuilt from the top json.
fn legacy(input: &str, archive: &Archive, selector: &ArchiveSelector) -> Result<Resolved> {
    let repos_bytes = archive.read_member("repositories", MAX_MANIFEST_BYTES)?;
    let repos: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_slice(&repos_bytes)
        .map_err(|e| ImageError::format(input, format!("invalid repositories file: {e}")))?;
    let tagged: Vec<(String, String)> = repos
        .iter()
        .flat_map(|(name, tags)| {
            tags.iter()
                .map(move |(tag, id)| (format!("{name}:{tag}"), id.clone()))
        })
        .collect();
    let top = match selector {
        ArchiveSelector::Default if tagged.len() == 1 => tagged[0].1.clone(),
        ArchiveSelector::Default => {
            return Err(ImageError::format(
                input,
                format!(
                    "the archive holds {} tagged images; pick one with docker-archive:FILE:NAME:TAG",
                    tagged.len()
                ),
            ));
        }
        ArchiveSelector::Index(i) => tagged
            .get(*i)
            .map(|t| t.1.clone())
            .ok_or_else(|| ImageError::format(input, format!("no image @{i}")))?,
        ArchiveSelector::Tag(tag) => tagged
            .iter()
            .find(|(t, _)| t == tag)
            .map(|t| t.1.clone())
            .ok_or_else(|| ImageError::format(input, format!("no image tagged {tag:?}")))?,
    };
    let mut chain = Vec::new();
    let mut next = Some(top);
    let mut top_json: Option<LegacyLayer> = None;
    let mut history = Vec::new();
    while let Some(id) = next {
        if chain.len() >= MAX_LEGACY_DEPTH || chain.iter().any(|(i, _)| i == &id) {
            return Err(ImageError::format(
                input,
                "legacy layer chain is too long or loops",
            ));
        }
        if id.contains('/') || id.contains("..") {
            return Err(ImageError::format(
                input,
                format!("invalid legacy layer id {id:?}"),
            ));
        }
        let bytes = archive.read_member(&format!("{id}/json"), MAX_CONFIG_BYTES)?;
        let layer: LegacyLayer = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::format(input, format!("invalid {id}/json: {e}")))?;
        let created_by = layer
            .container_config
            .as_ref()
            .and_then(|c| c.get("Cmd"))
            .and_then(|c| c.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        history.push(serde_json::json!({"created": layer.created, "created_by": created_by}));
        next = layer.parent.clone();
        chain.push((id.clone(), format!("{id}/layer.tar")));
        if top_json.is_none() {
            top_json = Some(layer);
        }
    }
    chain.reverse();
    history.reverse();
    let top = top_json.ok_or_else(|| ImageError::format(input, "empty legacy image"))?;
    let config = serde_json::json!({
        "created": top.created,
        "author": top.author,
        "architecture": top.architecture.unwrap_or_else(|| "amd64".into()),
        "os": top.os.unwrap_or_else(|| "linux".into()),
        "config": top.config.unwrap_or(serde_json::Value::Null),
        "rootfs": {"type": "layers", "diff_ids": []},
        "history": history,
    });
    let config_bytes = serde_json::to_vec(&config).expect("json value serialises");
    Ok((
        config_bytes,
        None,
        chain.into_iter().map(|(_, p)| p).collect(),
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(clean_name("./a/./b").as_deref(), Some("a/b"));
        assert_eq!(clean_name("a/../b").as_deref(), Some("b"));
        assert_eq!(clean_name("../x"), None);
        assert!(
            digest_from_name(
                "blobs/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            )
            .is_some()
        );
        assert!(digest_from_name("abc/layer.tar").is_none());
    }
}
