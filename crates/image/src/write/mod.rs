//! Image writers: an image made of blobs (layers copied from a source image,
//! new layers in local files, a config in memory) written as an OCI image
//! layout, a docker-archive, or pushed to a registry.
//!
//! Every blob is verified against its digest while it is copied, so a
//! corrupt source or a changed temporary file fails the write instead of
//! producing an image whose digests lie. Unchanged layers are copied byte
//! for byte (same digests). Output is deterministic: manifests are
//! serialised with a fixed field order and archive members get fixed headers.

pub mod docker_archive;
pub mod oci_layout;
pub mod registry;

use crate::digest::{Digest, VerifyingReader};
use crate::error::{ImageError, Result};
use crate::image::Image;
use crate::manifest;
use crate::reference::{ArchiveSelector, ImageRef, RegistryRef, Selector};
use crate::source::registry::RegistryOptions;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// Where a written image goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// An OCI layout directory; the manifest is tagged with `tag`.
    Oci {
        dir: PathBuf,
        tag: String,
    },
    /// A `docker save`-style tar; `repo_tag` (`NAME:TAG`) goes into RepoTags.
    DockerArchive {
        file: PathBuf,
        repo_tag: Option<String>,
    },
    Registry(RegistryRef),
}

impl Destination {
    /// Parses `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME:TAG]`,
    /// `docker://HOST/REPO:TAG` (or a bare `HOST/REPO:TAG`).
    pub fn parse(input: &str) -> Result<Destination> {
        let bad = |reason: &str| ImageError::Reference {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        match ImageRef::parse(input)? {
            ImageRef::Oci { dir, selector } => match selector {
                Selector::Default => Ok(Destination::Oci {
                    dir,
                    tag: "latest".into(),
                }),
                Selector::Tag(tag) => Ok(Destination::Oci { dir, tag }),
                Selector::Digest(_) => Err(bad(
                    "an output is named by a tag, not a digest (the digest is computed)",
                )),
            },
            ImageRef::DockerArchive { file, selector } => match selector {
                ArchiveSelector::Default => Ok(Destination::DockerArchive {
                    file,
                    repo_tag: None,
                }),
                ArchiveSelector::Tag(t) => Ok(Destination::DockerArchive {
                    file,
                    repo_tag: Some(t),
                }),
                ArchiveSelector::Index(_) => Err(bad(
                    "an output docker-archive is named by NAME:TAG, not :@N",
                )),
            },
            ImageRef::Dir { .. } => Err(bad(
                "dir: is an input only; write to oci:DIR, docker-archive:FILE or a registry",
            )),
            ImageRef::Registry(r) => {
                if r.digest.is_some() {
                    return Err(bad(
                        "push to a tag (HOST/REPO:TAG), not a digest: the digest is computed",
                    ));
                }
                Ok(Destination::Registry(r))
            }
        }
    }

    /// The reference that reads the written image back.
    pub fn image_ref(&self) -> ImageRef {
        match self {
            Destination::Oci { dir, tag } => ImageRef::Oci {
                dir: dir.clone(),
                selector: Selector::Tag(tag.clone()),
            },
            Destination::DockerArchive { file, repo_tag } => ImageRef::DockerArchive {
                file: file.clone(),
                selector: match repo_tag {
                    Some(t) => ArchiveSelector::Tag(t.clone()),
                    None => ArchiveSelector::Default,
                },
            },
            Destination::Registry(r) => ImageRef::Registry(r.clone()),
        }
    }

    /// The local path written, if any.
    pub fn local_path(&self) -> Option<&Path> {
        match self {
            Destination::Oci { dir, .. } => Some(dir),
            Destination::DockerArchive { file, .. } => Some(file),
            Destination::Registry(_) => None,
        }
    }
}

/// Where a blob's bytes come from.
#[derive(Debug, Clone)]
pub enum BlobContent {
    Bytes(Vec<u8>),
    /// A local file (a new layer written by the caller).
    File(PathBuf),
    /// Layer `N` of the source image, copied as stored.
    SourceLayer(usize),
}

#[derive(Debug, Clone)]
pub struct Blob {
    pub digest: Digest,
    pub size: u64,
    pub media_type: String,
    pub content: BlobContent,
}

impl Blob {
    /// A blob held in memory (a config), its digest computed here.
    pub fn from_bytes(media_type: &str, bytes: Vec<u8>) -> Blob {
        Blob {
            digest: Digest::sha256_of(&bytes),
            size: bytes.len() as u64,
            media_type: media_type.to_string(),
            content: BlobContent::Bytes(bytes),
        }
    }
}

/// An image to write: a config and layers, bottom first.
pub struct ImageOut<'a> {
    /// The image that `BlobContent::SourceLayer` blobs are read from.
    pub source: &'a Image,
    pub config: Blob,
    pub layers: Vec<Blob>,
    /// OCI or Docker v2 schema 2 (registries and docker-archives keep the
    /// source's family; OCI layouts are always written with OCI types).
    pub manifest_media_type: String,
}

/// How to write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Replace an existing destination (an OCI layout, a file, a tag).
    pub force: bool,
    pub registry: RegistryOptions,
    /// Blobs larger than this are pushed in chunks (PATCH); 0 means 16 MiB.
    pub chunk_size: u64,
    /// Modification time of docker-archive members.
    pub mtime: u64,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    pub manifest_digest: Digest,
    pub manifest_size: u64,
    /// Blobs pushed or copied, and blobs the registry already had or mounted.
    pub blobs_written: usize,
    pub blobs_skipped: usize,
    pub blobs_mounted: usize,
}

impl ImageOut<'_> {
    /// Opens a blob for copying; the reader fails rather than end cleanly
    /// if the bytes do not match the blob's digest and size.
    pub fn open_blob<'s>(&'s self, blob: &'s Blob) -> Result<Box<dyn Read + Send + 's>> {
        let raw: Box<dyn Read + Send + 's> = match &blob.content {
            BlobContent::Bytes(b) => Box::new(Cursor::new(b.as_slice())),
            BlobContent::File(p) => {
                Box::new(std::fs::File::open(p).map_err(|e| ImageError::Path {
                    path: p.clone(),
                    reason: format!("blob {}: {e}", blob.digest),
                })?)
            }
            BlobContent::SourceLayer(i) => self.source.open_layer(*i)?,
        };
        Ok(Box::new(VerifyingReader::new(
            raw,
            blob.digest.clone(),
            Some(blob.size),
        )))
    }

    /// This image with OCI media types (same blobs, so the same digests).
    pub fn as_oci(&self) -> ImageOut<'_> {
        let to_oci = |b: &Blob| Blob {
            media_type: oci_media_type(&b.media_type),
            ..b.clone()
        };
        ImageOut {
            source: self.source,
            config: to_oci(&self.config),
            layers: self.layers.iter().map(to_oci).collect(),
            manifest_media_type: manifest::OCI_MANIFEST.to_string(),
        }
    }

    /// The manifest, serialised deterministically.
    pub fn manifest_bytes(&self) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Desc<'a> {
            #[serde(rename = "mediaType")]
            media_type: &'a str,
            digest: String,
            size: u64,
        }
        #[derive(serde::Serialize)]
        struct Manifest<'a> {
            #[serde(rename = "schemaVersion")]
            schema_version: u32,
            #[serde(rename = "mediaType")]
            media_type: &'a str,
            config: Desc<'a>,
            layers: Vec<Desc<'a>>,
        }
        fn desc(b: &Blob) -> Desc<'_> {
            Desc {
                media_type: &b.media_type,
                digest: b.digest.to_string(),
                size: b.size,
            }
        }
        let m = Manifest {
            schema_version: 2,
            media_type: &self.manifest_media_type,
            config: desc(&self.config),
            layers: self.layers.iter().map(desc).collect(),
        };
        serde_json::to_vec_pretty(&m).expect("a manifest always serialises")
    }
}

/// The OCI media type for a Docker one (the formats are the same bytes).
pub fn oci_media_type(media_type: &str) -> String {
    match media_type {
        manifest::DOCKER_CONFIG => manifest::OCI_CONFIG.into(),
        manifest::DOCKER_MANIFEST => manifest::OCI_MANIFEST.into(),
        "application/vnd.docker.image.rootfs.diff.tar.gzip" => {
            "application/vnd.oci.image.layer.v1.tar+gzip".into()
        }
        "application/vnd.docker.image.rootfs.diff.tar" => {
            "application/vnd.oci.image.layer.v1.tar".into()
        }
        "application/vnd.docker.image.rootfs.diff.tar.zstd" => {
            "application/vnd.oci.image.layer.v1.tar+zstd".into()
        }
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => {
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip".into()
        }
        other => other.to_string(),
    }
}

/// Writes `image` to `dest`.
pub fn write(image: &ImageOut<'_>, dest: &Destination, options: &WriteOptions) -> Result<Written> {
    match dest {
        Destination::Oci { dir, tag } => oci_layout::write(&image.as_oci(), dir, tag, options),
        Destination::DockerArchive { file, repo_tag } => {
            docker_archive::write(image, file, repo_tag.as_deref(), options)
        }
        Destination::Registry(r) => registry::push(image, r, options),
    }
}

/// A sibling path to build the output in before it is renamed into place,
/// so that a failed write never leaves a half-written destination.
pub(crate) fn staging_path(dest: &Path) -> Result<PathBuf> {
    let name = dest.file_name().ok_or_else(|| ImageError::Path {
        path: dest.to_path_buf(),
        reason: "the output needs a file or directory name".into(),
    })?;
    let mut staged = name.to_os_string();
    staged.push(format!(".palisade-tmp-{}", std::process::id()));
    Ok(dest.with_file_name(staged))
}

/// Refuses an existing destination unless `force`.
pub(crate) fn check_destination(dest: &Path, force: bool) -> Result<()> {
    match std::fs::symlink_metadata(dest) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ImageError::Path {
            path: dest.to_path_buf(),
            reason: format!("cannot check the output: {e}"),
        }),
        Ok(_) if !force => Err(ImageError::Path {
            path: dest.to_path_buf(),
            reason: "the output already exists (pass --force to replace it)".into(),
        }),
        Ok(_) => Ok(()),
    }
}
