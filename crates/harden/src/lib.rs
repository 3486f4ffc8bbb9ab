//! Hardening a built image statically ("defanging"): strip setuid/setgid,
//! remove shells, package managers and named tools, run as a non-root
//! user, drop package caches, optionally squash; then hand the result to an
//! image writer. The input is never modified: new layers and the config are
//! built in a temporary directory, unchanged layers are copied as they are.
//!
//! ```text
//! image ─► walk (final filesystem) ─► transforms ─► plan
//!   plan + files' content ─► one new top layer, or the squashed layer
//!   ─► config (diff-ids, history, label, user) ─► ImageOut ─► write
//! ```

pub mod config;
pub mod contents;
pub mod entrypoint;
pub mod layer_tar;
pub mod plan;
pub mod squash;
pub mod top_layer;
pub mod transforms;

use palisade_audit::checks::{package_managers::PACKAGE_MANAGERS, shells::SHELLS};
use palisade_image::manifest::{self, Compression};
use palisade_image::write::{Blob, BlobContent, ImageOut};
use palisade_image::{Image, ImageError, Scan};
use plan::Plan;
use std::collections::BTreeSet;
use std::path::Path;
use transforms::user::{AccountFile, UserSpec};

#[derive(Debug, thiserror::Error)]
pub enum HardenError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Input(String),
    /// Removals that would break the image's own start-up.
    #[error("refusing to harden: {}; pass --force to do it anyway", .0.join("; "))]
    Refused(Vec<String>),
}

/// What to change. `Options::default()` is the documented default set:
/// strip setuid/setgid and remove package caches.
#[derive(Debug, Clone)]
pub struct Options {
    pub strip_setuid: bool,
    pub remove_caches: bool,
    /// Program names to remove from the bin directories.
    pub remove: Vec<String>,
    pub remove_shells: bool,
    pub remove_package_managers: bool,
    pub user: Option<UserSpec>,
    pub squash: bool,
    /// Remove programs even when the entrypoint, cmd or healthcheck needs them.
    pub force: bool,
    /// Time for new entries and the history step (SOURCE_DATE_EPOCH);
    /// default: the input config's `created`.
    pub source_date_epoch: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strip_setuid: true,
            remove_caches: true,
            remove: Vec::new(),
            remove_shells: false,
            remove_package_managers: false,
            user: None,
            squash: false,
            force: false,
            source_date_epoch: None,
        }
    }
}

impl Options {
    /// The options as a command line (the history step's `created_by`).
    pub fn describe(&self) -> String {
        let mut s = String::from("palisade harden");
        if !self.strip_setuid {
            s.push_str(" --keep-setuid");
        }
        if !self.remove_caches {
            s.push_str(" --keep-caches");
        }
        if !self.remove.is_empty() {
            s.push_str(&format!(" --remove {}", self.remove.join(",")));
        }
        if self.remove_shells {
            s.push_str(" --remove-shells");
        }
        if self.remove_package_managers {
            s.push_str(" --remove-package-managers");
        }
        if let Some(u) = self.user {
            s.push_str(&format!(" --user {}:{}", u.uid, u.gid));
        }
        if self.squash {
            s.push_str(" --squash");
        }
        if self.force {
            s.push_str(" --force");
        }
        s
    }
}

/// The hardened image, ready to write, and what was done.
pub struct Hardened<'a> {
    pub image: ImageOut<'a>,
    pub plan: Plan,
    pub summary: Summary,
    /// Removals that the entrypoint needed, done anyway under `--force`.
    pub forced: Vec<String>,
    /// Holds the new layer's file until the image is written.
    _work: tempfile::TempDir,
}

/// Figures for the before/after report.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub setuid_stripped: usize,
    pub removed: usize,
    pub files_written: usize,
    pub cache_bytes_removed: u64,
    pub user: Option<String>,
    pub squash: bool,
    pub layers_before: usize,
    pub layers_after: usize,
    /// Sum of the layer blobs (compressed) before and after.
    pub size_before: u64,
    pub size_after: u64,
    pub uncompressed_before: u64,
    pub uncompressed_after: u64,
    /// The new layer, if one was written (compressed / uncompressed).
    pub new_layer_size: Option<u64>,
    pub new_layer_uncompressed: Option<u64>,
}

impl Summary {
    /// One line for the label and the history comment.
    pub fn line(&self) -> String {
        let mut parts = vec![
            format!("setuid-stripped={}", self.setuid_stripped),
            format!("removed={}", self.removed),
            format!("written={}", self.files_written),
        ];
        if let Some(u) = &self.user {
            parts.push(format!("user={u}"));
        }
        if self.squash {
            parts.push("squash=true".into());
        }
        parts.join(" ")
    }
}

/// Builds the hardened image of `image`, whose layers `scan` walked.
/// New files go under `work_dir` (default: the system temp directory).
pub fn harden<'a>(
    image: &'a Image,
    scan: &Scan,
    options: &Options,
    work_dir: Option<&Path>,
) -> Result<Hardened<'a>, HardenError> {
    let fs = &scan.fs;
    let config: serde_json::Value = serde_json::from_slice(&image.config_raw)
        .map_err(|e| HardenError::Input(format!("image config: {e}")))?;
    let work = match work_dir {
        Some(d) => tempfile::Builder::new()
            .prefix("palisade-harden")
            .tempdir_in(d)?,
        None => tempfile::Builder::new()
            .prefix("palisade-harden")
            .tempdir()?,
    };
    let spool = work.path().join("spool");
    std::fs::create_dir(&spool)?;

    // Removals first, so the setuid pass skips what goes anyway.
    let mut plan = Plan::default();
    let mut summary = Summary {
        squash: options.squash,
        ..Summary::default()
    };
    if options.remove_caches {
        summary.cache_bytes_removed = transforms::caches::apply(fs, &mut plan);
    }
    let named: Vec<&str> = options.remove.iter().map(String::as_str).collect();
    transforms::remove_tools::apply(fs, &named, "--remove", &mut plan);
    if options.remove_shells {
        transforms::remove_tools::apply(fs, SHELLS, "--remove-shells", &mut plan);
    }
    if options.remove_package_managers {
        transforms::remove_tools::apply(
            fs,
            PACKAGE_MANAGERS,
            "--remove-package-managers",
            &mut plan,
        );
    }
    if options.strip_setuid {
        transforms::setuid::apply(fs, &mut plan);
    }

    // What start-up needs, including an entrypoint script's interpreter:
    // read the script's first line (and the account files) in one pass.
    let mut needed = entrypoint::direct(&config);
    // `locate` lists (path, real path) pairs: the real file of argv[0].
    let script = needed
        .first()
        .and_then(|n| entrypoint::locate(fs, &n.program).into_iter().nth(1))
        .filter(|real| {
            fs.get(real)
                .is_some_and(|n| n.kind == palisade_image::EntryKind::File)
        });
    let account = |name: &str| fs.resolve(name).map(|(real, n)| (real, n.layer, n.mode));
    let passwd = account("etc/passwd");
    let group = account("etc/group");
    let mut wanted = BTreeSet::new();
    for (real, layer, _) in [&passwd, &group].into_iter().flatten() {
        wanted.insert((*layer, real.clone()));
    }
    if let Some(s) = &script {
        wanted.insert((fs.get(s).expect("checked").layer, s.clone()));
    }
    // The files a new top layer re-adds with a new mode, in the same pass
    // (a squash streams every layer anyway).
    if !options.squash {
        wanted.extend(
            plan.modes
                .keys()
                .filter_map(|p| top_layer::content_source(fs, p)),
        );
    }
    let captured = contents::fetch(image, scan, &wanted, &spool)?;
    let small = &captured;
    if let Some(s) = &script {
        let key = (fs.get(s).expect("checked").layer, s.clone());
        if let Some(c) = small.get(&key) {
            needed.extend(entrypoint::shebang(&c.head(256)?, &format!("/{s}")));
        }
    }
    let mut forced = Vec::new();
    let broken: Vec<String> = needed
        .iter()
        .filter_map(|n| entrypoint::broken(fs, &plan, n))
        .collect();
    if !broken.is_empty() {
        if !options.force {
            return Err(HardenError::Refused(broken));
        }
        forced = broken;
    }

    if let Some(spec) = options.user {
        let file = |found: &Option<(String, usize, u32)>,
                    default: &str|
         -> Result<AccountFile, HardenError> {
            Ok(match found {
                Some((real, layer, mode)) => AccountFile {
                    path: real.clone(),
                    content: match small.get(&(*layer, real.clone())) {
                        Some(c) if c.size <= 4 << 20 => Some(c.head(4 << 20)?),
                        Some(_) => {
                            return Err(HardenError::Input(format!(
                                "/{real} is larger than 4 MiB"
                            )));
                        }
                        None => None,
                    },
                    mode: *mode,
                },
                None => AccountFile {
                    path: default.into(),
                    content: None,
                    mode: 0o644,
                },
            })
        };
        transforms::user::apply(
            spec,
            &file(&passwd, "etc/passwd")?,
            &file(&group, "etc/group")?,
            &mut plan,
        )?;
    }
    summary.setuid_stripped = plan.modes.len();
    summary.removed = plan.removals.len();
    summary.files_written = plan.writes.len();
    summary.user = plan.user.clone();

    let mtime = options
        .source_date_epoch
        .or_else(|| config["created"].as_str().and_then(config::parse_rfc3339))
        .unwrap_or(0);
    let docker = image
        .manifest_media_type
        .as_deref()
        .is_some_and(|m| m == manifest::DOCKER_MANIFEST);
    let layer_media_type = if docker {
        "application/vnd.docker.image.rootfs.diff.tar.gzip"
    } else {
        "application/vnd.oci.image.layer.v1.tar+gzip"
    };
    let needs_layer = options.squash
        || !plan.modes.is_empty()
        || !plan.removals.is_empty()
        || !plan.writes.is_empty();
    let new_layer = if needs_layer {
        let path = work.path().join("layer.tar.gz");
        let mut writer = layer_tar::LayerWriter::create(&path)?;
        if options.squash {
            squash::write(image, scan, &plan, mtime, &mut writer)?;
        } else {
            top_layer::write(fs, &plan, &captured, mtime, &mut writer)?;
        }
        Some(writer.finish()?)
    } else {
        None
    };

    let mut layers: Vec<Blob> = if options.squash {
        Vec::new()
    } else {
        scan.layers
            .iter()
            .map(|l| Blob {
                digest: l.digest.clone(),
                size: l.compressed_size,
                media_type: image.layers[l.index]
                    .media_type
                    .clone()
                    .unwrap_or_else(|| source_media_type(l.compression, docker)),
                content: BlobContent::SourceLayer(l.index),
            })
            .collect()
    };
    if let Some(l) = &new_layer {
        layers.push(Blob {
            digest: l.digest.clone(),
            size: l.size,
            media_type: layer_media_type.into(),
            content: BlobContent::File(l.path.clone()),
        });
    }
    summary.layers_before = scan.layers.len();
    summary.layers_after = layers.len();
    summary.size_before = scan.layers.iter().map(|l| l.compressed_size).sum();
    summary.uncompressed_before = scan.layers.iter().map(|l| l.uncompressed_size).sum();
    summary.size_after = layers.iter().map(|b| b.size).sum();
    summary.uncompressed_after = if options.squash {
        0
    } else {
        summary.uncompressed_before
    } + new_layer.as_ref().map_or(0, |l| l.uncompressed_size);
    summary.new_layer_size = new_layer.as_ref().map(|l| l.size);
    summary.new_layer_uncompressed = new_layer.as_ref().map(|l| l.uncompressed_size);

    let line = summary.line();
    let created_by = options.describe();
    let new_config = config::rewrite(
        &image.config_raw,
        &config::ConfigChange {
            new_diff_id: new_layer.as_ref().map(|l| l.diff_id.to_string()),
            squash: options.squash,
            user: plan.user.as_deref(),
            summary: &line,
            created_by: &created_by,
            created: options
                .source_date_epoch
                .map(config::format_rfc3339)
                .or_else(|| config["created"].as_str().map(str::to_string)),
        },
    )?;
    let config_type = if docker {
        manifest::DOCKER_CONFIG
    } else {
        manifest::OCI_CONFIG
    };
    let image_out = ImageOut {
        source: image,
        config: Blob::from_bytes(config_type, new_config),
        layers,
        manifest_media_type: if docker {
            manifest::DOCKER_MANIFEST
        } else {
            manifest::OCI_MANIFEST
        }
        .to_string(),
    };
    Ok(Hardened {
        image: image_out,
        plan,
        summary,
        forced,
        _work: work,
    })
}

fn source_media_type(c: Compression, docker: bool) -> String {
    match (c, docker) {
        (Compression::Gzip, true) => "application/vnd.docker.image.rootfs.diff.tar.gzip",
        (Compression::None, true) => "application/vnd.docker.image.rootfs.diff.tar",
        (Compression::Zstd, true) => "application/vnd.docker.image.rootfs.diff.tar.zstd",
        (Compression::Gzip, false) => "application/vnd.oci.image.layer.v1.tar+gzip",
        (Compression::None, false) => "application/vnd.oci.image.layer.v1.tar",
        (Compression::Zstd, false) => "application/vnd.oci.image.layer.v1.tar+zstd",
    }
    .to_string()
}
