//! Builds synthetic images for tests: layers with chosen entries (modes,
//! owners, links, whiteouts), compression, and the two on-disk formats
//! palisade reads locally (OCI image layout and docker-archive).

pub mod tls;

use sha2::{Digest as _, Sha256};
use std::io::Write;
use std::path::Path;

/// The real OSV data: `$PALISADE_VULNDATA`, else `../shared/vulndata` next
/// to the clone, when it holds `probe` (e.g. `crates.io/all.zip`); None,
/// with a SKIPPED line, when it does not.
pub fn vulndata(probe: &str) -> Option<std::path::PathBuf> {
    let p = std::env::var_os("PALISADE_VULNDATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vulndata"));
    if p.join(probe).exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: no vulnerability data at {} (set PALISADE_VULNDATA)",
            p.display()
        );
        None
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn oci_media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// One tar entry to write.
#[derive(Debug, Clone)]
pub enum Item {
    File {
        path: String,
        content: Vec<u8>,
        mode: u32,
        uid: u64,
        gid: u64,
    },
    Dir {
        path: String,
        mode: u32,
    },
    Symlink {
        path: String,
        target: String,
    },
    HardLink {
        path: String,
        target: String,
    },
    /// A hard link whose header carries `mode`, uid and gid (as docker's
    /// tar writer does: the header describes the shared inode).
    HardLinkOwned {
        path: String,
        target: String,
        mode: u32,
        uid: u64,
        gid: u64,
    },
    /// Raw entry with an arbitrary (possibly hostile) name.
    RawFile {
        name: Vec<u8>,
        content: Vec<u8>,
    },
}

/// A layer under construction.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub items: Vec<Item>,
    pub created_by: Option<String>,
}

impl Layer {
    pub fn new() -> Self {
        Layer::default()
    }
    pub fn created_by(mut self, s: &str) -> Self {
        self.created_by = Some(s.to_string());
        self
    }
    pub fn file(self, path: &str, content: &[u8]) -> Self {
        self.file_mode(path, content, 0o644)
    }
    pub fn file_mode(mut self, path: &str, content: &[u8], mode: u32) -> Self {
        self.items.push(Item::File {
            path: path.into(),
            content: content.to_vec(),
            mode,
            uid: 0,
            gid: 0,
        });
        self
    }
    pub fn file_owned(mut self, path: &str, content: &[u8], mode: u32, uid: u64, gid: u64) -> Self {
        self.items.push(Item::File {
            path: path.into(),
            content: content.to_vec(),
            mode,
            uid,
            gid,
        });
        self
    }
    pub fn dir(mut self, path: &str) -> Self {
        self.items.push(Item::Dir {
            path: path.into(),
            mode: 0o755,
        });
        self
    }
    pub fn dir_mode(mut self, path: &str, mode: u32) -> Self {
        self.items.push(Item::Dir {
            path: path.into(),
            mode,
        });
        self
    }
    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        self.items.push(Item::Symlink {
            path: path.into(),
            target: target.into(),
        });
        self
    }
    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        self.items.push(Item::HardLink {
            path: path.into(),
            target: target.into(),
        });
        self
    }
    /// A hard link with its own header mode and owner (see [`Item::HardLinkOwned`]).
    pub fn hardlink_owned(
        mut self,
        path: &str,
        target: &str,
        mode: u32,
        uid: u64,
        gid: u64,
    ) -> Self {
        self.items.push(Item::HardLinkOwned {
            path: path.into(),
            target: target.into(),
            mode,
            uid,
            gid,
        });
        self
    }
    /// `.wh.NAME` next to the deleted path.
    pub fn whiteout(self, path: &str) -> Self {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let wh = if dir.is_empty() {
            format!(".wh.{name}")
        } else {
            format!("{dir}/.wh.{name}")
        };
        self.file(&wh, b"")
    }
    /// `.wh..wh..opq` inside the directory.
    pub fn opaque(self, dir: &str) -> Self {
        self.file(&format!("{dir}/.wh..wh..opq"), b"")
    }
    pub fn raw(mut self, name: &[u8], content: &[u8]) -> Self {
        self.items.push(Item::RawFile {
            name: name.to_vec(),
            content: content.to_vec(),
        });
        self
    }

    /// The uncompressed tar.
    pub fn tar(&self) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for item in &self.items {
            let mut h = tar::Header::new_gnu();
            h.set_mtime(1_700_000_000);
            // Real tar writers fill the numeric fields (the tar crate's
            // zeroed header leaves them blank).
            h.set_uid(0);
            h.set_gid(0);
            match item {
                Item::File {
                    path,
                    content,
                    mode,
                    uid,
                    gid,
                } => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(*mode);
                    h.set_uid(*uid);
                    h.set_gid(*gid);
                    h.set_size(content.len() as u64);
                    b.append_data(&mut h, path, &content[..]).unwrap();
                }
                Item::Dir { path, mode } => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(*mode);
                    h.set_size(0);
                    b.append_data(&mut h, path, &[][..]).unwrap();
                }
                Item::Symlink { path, target } => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_mode(0o777);
                    h.set_size(0);
                    b.append_link(&mut h, path, target).unwrap();
                }
                Item::HardLink { path, target } => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_mode(0o755);
                    h.set_size(0);
                    b.append_link(&mut h, path, target).unwrap();
                }
                Item::HardLinkOwned {
                    path,
                    target,
                    mode,
                    uid,
                    gid,
                } => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_mode(*mode);
                    h.set_uid(*uid);
                    h.set_gid(*gid);
                    h.set_size(0);
                    b.append_link(&mut h, path, target).unwrap();
                }
                Item::RawFile { name, content } => {
                    // Bypass the tar crate's path checks to write hostile names.
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(content.len() as u64);
                    let field = &mut h.as_old_mut().name;
                    field.fill(0);
                    field[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
                    h.set_cksum();
                    b.append(&h, &content[..]).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }
}

pub fn compress(data: &[u8], c: Compression) -> Vec<u8> {
    match c {
        Compression::None => data.to_vec(),
        Compression::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        Compression::Zstd => zstd::encode_all(data, 3).unwrap(),
    }
}

/// A whole image to write.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    pub layers: Vec<Layer>,
    pub compression: Compression,
    /// The `config` object of the image config (User, Env, Cmd, …).
    pub config: serde_json::Value,
    pub architecture: String,
    pub os: String,
}

impl ImageSpec {
    pub fn new(layers: Vec<Layer>) -> Self {
        ImageSpec {
            layers,
            compression: Compression::Gzip,
            config: serde_json::json!({"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]}),
            architecture: "amd64".into(),
            os: "linux".into(),
        }
    }
    pub fn compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }
    pub fn config(mut self, config: serde_json::Value) -> Self {
        self.config = config;
        self
    }
    pub fn platform(mut self, os: &str, arch: &str) -> Self {
        self.os = os.into();
        self.architecture = arch.into();
        self
    }

    /// Tars, compressed blobs and the config JSON.
    pub fn build(&self) -> Built {
        let tars: Vec<Vec<u8>> = self.layers.iter().map(Layer::tar).collect();
        let blobs: Vec<Vec<u8>> = tars.iter().map(|t| compress(t, self.compression)).collect();
        let diff_ids: Vec<String> = tars
            .iter()
            .map(|t| format!("sha256:{}", sha256_hex(t)))
            .collect();
        let history: Vec<serde_json::Value> = self
            .layers
            .iter()
            .map(|l| {
                serde_json::json!({
                    "created": "2025-01-01T00:00:00Z",
                    "created_by": l.created_by.clone().unwrap_or_else(|| "COPY . /".into()),
                })
            })
            .collect();
        let config = serde_json::json!({
            "created": "2025-01-01T00:00:00Z",
            "architecture": self.architecture,
            "os": self.os,
            "config": self.config,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        });
        Built {
            tars,
            blobs,
            config: serde_json::to_vec(&config).unwrap(),
            compression: self.compression,
        }
    }
}

pub struct Built {
    pub tars: Vec<Vec<u8>>,
    pub blobs: Vec<Vec<u8>>,
    pub config: Vec<u8>,
    pub compression: Compression,
}

impl Built {
    pub fn manifest(&self) -> Vec<u8> {
        let layers: Vec<serde_json::Value> = self
            .blobs
            .iter()
            .map(|b| {
                serde_json::json!({
                    "mediaType": self.compression.oci_media_type(),
                    "digest": format!("sha256:{}", sha256_hex(b)),
                    "size": b.len(),
                })
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": format!("sha256:{}", sha256_hex(&self.config)),
                "size": self.config.len(),
            },
            "layers": layers,
        }))
        .unwrap()
    }
}

/// Writes `bytes` under `blobs/sha256/` and returns the digest string.
pub fn write_blob(dir: &Path, bytes: &[u8]) -> String {
    let hex = sha256_hex(bytes);
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::write(blobs.join(&hex), bytes).unwrap();
    format!("sha256:{hex}")
}

/// Writes an OCI layout with one image tagged `tag`; returns the manifest digest.
pub fn write_oci(dir: &Path, spec: &ImageSpec, tag: &str) -> String {
    let built = spec.build();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    for b in &built.blobs {
        write_blob(dir, b);
    }
    write_blob(dir, &built.config);
    let manifest = built.manifest();
    let digest = write_blob(dir, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest,
            "size": manifest.len(),
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }],
    });
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    digest
}

/// Writes a docker-archive (`docker save` layout with `<id>/layer.tar`,
/// uncompressed layers as docker writes them) tagged `repo_tag`.
pub fn write_docker_archive(file: &Path, spec: &ImageSpec, repo_tag: &str) {
    let built = spec.clone().compression(Compression::None).build();
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_mtime(0);
        b.append_data(&mut h, name, data).unwrap();
    };
    let config_name = format!("{}.json", sha256_hex(&built.config));
    add(&config_name, &built.config);
    let mut layer_names = Vec::new();
    for (i, t) in built.tars.iter().enumerate() {
        let id = sha256_hex(format!("layer{i}{}", sha256_hex(t)).as_bytes());
        let name = format!("{id}/layer.tar");
        add(&name, t);
        add(&format!("{id}/VERSION"), b"1.0");
        layer_names.push(name);
    }
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": [repo_tag],
        "Layers": layer_names,
    }]);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    std::fs::write(file, b.into_inner().unwrap()).unwrap();
}

impl Layer {
    /// A regular file (mode 0644) of `size` copies of `byte`.
    pub fn file_sized(self, path: &str, size: usize, byte: u8) -> Self {
        self.file(path, &vec![byte; size])
    }
}

/// Writes an image's blobs (layers, config, manifest) into the blob store
/// of an OCI layout at `dir`; returns the manifest's descriptor, to be
/// listed in an index (see [`write_oci_index`], [`with_tag`], [`with_platform`]).
pub fn write_oci_blobs(dir: &Path, built: &Built) -> serde_json::Value {
    for b in &built.blobs {
        write_blob(dir, b);
    }
    write_blob(dir, &built.config);
    let manifest = built.manifest();
    let digest = write_blob(dir, &manifest);
    serde_json::json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": digest,
        "size": manifest.len(),
    })
}

/// Writes a raw manifest-like document (manifest or index) as a blob and
/// returns its descriptor with the given media type.
pub fn write_document(
    dir: &Path,
    document: &serde_json::Value,
    media_type: &str,
) -> serde_json::Value {
    let bytes = serde_json::to_vec(document).unwrap();
    let digest = write_blob(dir, &bytes);
    serde_json::json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
}

/// Writes `oci-layout` and an `index.json` listing `manifests` (descriptors).
pub fn write_oci_index(dir: &Path, manifests: &[serde_json::Value]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": manifests});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// The descriptor with an `org.opencontainers.image.ref.name` annotation.
pub fn with_tag(mut descriptor: serde_json::Value, tag: &str) -> serde_json::Value {
    descriptor["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": tag});
    descriptor
}

/// The descriptor with a `platform`.
pub fn with_platform(mut descriptor: serde_json::Value, os: &str, arch: &str) -> serde_json::Value {
    descriptor["platform"] = serde_json::json!({"os": os, "architecture": arch});
    descriptor
}

/// Writes an OCI layout holding one already built (possibly tampered
/// with) image tagged `tag`; returns the manifest digest.
pub fn write_oci_built(dir: &Path, built: &Built, tag: &str) -> String {
    let desc = write_oci_blobs(dir, built);
    let digest = desc["digest"].as_str().unwrap().to_string();
    write_oci_index(dir, &[with_tag(desc, tag)]);
    digest
}

/// One member of a hand-made tar (archives, not layers).
#[derive(Debug, Clone)]
pub enum Member {
    File(String, Vec<u8>),
    Symlink(String, String),
    Dir(String),
}

/// A tar of `members`, in order.
pub fn tar_bytes(members: &[Member]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for m in members {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        match m {
            Member::File(name, data) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, name, &data[..]).unwrap();
            }
            Member::Symlink(name, target) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, name, target).unwrap();
            }
            Member::Dir(name) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, name, &[][..]).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

/// The bytes of a docker-archive (`docker save` layout, `<id>/layer.tar`,
/// uncompressed layers) holding several images, each with its `RepoTags`,
/// listed in this order in `manifest.json`. Layer ids depend on the image
/// and the position, as docker's v1 ids do. With `link_shared`, a layer
/// whose tar was already written for an earlier image is written as a
/// symlink `<id>/layer.tar -> ../<first id>/layer.tar`, as `docker save`
/// does; otherwise its bytes are written again.
pub fn docker_archive_bytes(images: &[(&ImageSpec, &[&str])], link_shared: bool) -> Vec<u8> {
    let mut members = Vec::new();
    let mut written: Vec<(String, String)> = Vec::new(); // (diff hex, member)
    let mut manifest = Vec::new();
    for (n, (spec, tags)) in images.iter().enumerate() {
        let built = (*spec).clone().compression(Compression::None).build();
        let config_name = format!("{}.json", sha256_hex(&built.config));
        if !members
            .iter()
            .any(|m| matches!(m, Member::File(name, _) if *name == config_name))
        {
            members.push(Member::File(config_name.clone(), built.config.clone()));
        }
        let mut parent = String::new();
        let mut layer_names = Vec::new();
        for t in &built.tars {
            let diff = sha256_hex(t);
            let id = sha256_hex(format!("image{n}:{parent}:{diff}").as_bytes());
            let name = format!("{id}/layer.tar");
            members.push(Member::Dir(id.clone()));
            match written.iter().find(|(d, _)| *d == diff) {
                Some((_, first)) if link_shared => {
                    members.push(Member::Symlink(name.clone(), format!("../{first}")));
                }
                _ => {
                    members.push(Member::File(name.clone(), t.clone()));
                    written.push((diff, name.clone()));
                }
            }
            members.push(Member::File(format!("{id}/VERSION"), b"1.0".to_vec()));
            layer_names.push(name);
            parent = id;
        }
        manifest.push(serde_json::json!({
            "Config": config_name,
            "RepoTags": tags,
            "Layers": layer_names,
        }));
    }
    members.push(Member::File(
        "manifest.json".into(),
        serde_json::to_vec(&manifest).unwrap(),
    ));
    tar_bytes(&members)
}

/// The entry names of a tar stream, in order (to look into layers and
/// archives written by other tools).
pub fn tar_names(reader: impl std::io::Read) -> Vec<String> {
    let mut archive = tar::Archive::new(reader);
    archive
        .entries()
        .unwrap()
        .map(|e| String::from_utf8_lossy(&e.unwrap().path_bytes()).into_owned())
        .collect()
}
