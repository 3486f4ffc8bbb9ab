//! The data behind `palisade inspect`: config (secrets redacted), history,
//! per-layer digests, sizes and changes, and dive's efficiency figures.

use crate::analyzer::{Analysis, Analyzer, FileRef};
use crate::digest::Digest;
use crate::fs::InefficientPath;
use crate::image::Image;
use crate::manifest::Compression;
use crate::walk::Scan;
use palisade_model::{REDACTED, looks_like_secret_key, redact_assignment, redact_env};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many of the most wasteful paths the report lists.
pub const TOP_INEFFICIENT: usize = 20;

#[derive(Debug, Serialize)]
pub struct InspectReport {
    pub reference: String,
    pub manifest_digest: Option<Digest>,
    pub manifest_media_type: Option<String>,
    pub config_digest: Option<Digest>,
    pub platform: String,
    /// `PRETTY_NAME` from the image's os-release, when it has one.
    pub os: Option<String>,
    pub created: Option<String>,
    pub author: Option<String>,
    pub config: ConfigSummary,
    pub history: Vec<HistoryItem>,
    pub layers: Vec<LayerReport>,
    pub totals: Totals,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ConfigSummary {
    pub user: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub working_dir: Option<String>,
    pub exposed_ports: Vec<String>,
    pub volumes: Vec<String>,
    pub stop_signal: Option<String>,
    /// `KEY=VALUE`, with secret-looking values redacted.
    pub env: Vec<String>,
    /// Secret-looking values redacted.
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct HistoryItem {
    pub created: Option<String>,
    /// Secret-looking assignments redacted.
    pub created_by: Option<String>,
    pub comment: Option<String>,
    pub empty_layer: bool,
}

#[derive(Debug, Serialize)]
pub struct LayerReport {
    /// 1-based, bottom layer first.
    pub index: usize,
    pub digest: Digest,
    /// Whether `digest` was stated by the source and verified (else computed).
    pub digest_verified: bool,
    pub diff_id: Digest,
    pub media_type: Option<String>,
    pub compression: Compression,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub created_by: Option<String>,
    pub files_added: u64,
    pub files_modified: u64,
    pub files_deleted: u64,
    /// Sum of regular file sizes in the layer.
    pub content_bytes: u64,
    /// Bytes of this layer's files hidden by later layers.
    pub wasted_bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub layers: usize,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    /// Paths in the final filesystem.
    pub paths: usize,
    /// dive's efficiency score, 0..=1.
    pub efficiency: f64,
    /// dive's "potential wasted space".
    pub wasted_bytes: u64,
    /// Wasted bytes as a share of the non-base layers' content (dive's "user wasted percent").
    pub wasted_user_percent: f64,
    pub inefficient_paths: Vec<InefficientPath>,
}

/// Reads `os-release` during the walk, so inspect can name the OS.
pub struct OsReleaseAnalyzer;

impl Analyzer for OsReleaseAnalyzer {
    fn name(&self) -> &'static str {
        "os-release"
    }
    fn patterns(&self) -> &[&str] {
        &["etc/os-release", "usr/lib/os-release"]
    }
    fn max_size(&self) -> u64 {
        64 << 10
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        let text = String::from_utf8_lossy(content);
        let mut fields: BTreeMap<String, String> = BTreeMap::new();
        for line in text.lines() {
            if let Some((k, v)) = line.split_once('=') {
                let v = v.trim().trim_matches('"').trim_matches('\'');
                fields.insert(k.trim().to_string(), v.to_string());
            }
        }
        let name = fields
            .get("PRETTY_NAME")
            .or_else(|| fields.get("NAME"))
            .cloned()
            .map(|n| {
                n.chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect::<String>()
            });
        Ok(name.map(|n| Box::new(n) as Analysis))
    }
}

fn os_name(scan: &Scan, analyzer_index: usize) -> Option<String> {
    for path in ["etc/os-release", "usr/lib/os-release"] {
        if let Some((real, _)) = scan.fs.resolve(path)
            && let Some(out) = scan.analysis(&real, analyzer_index)
        {
            return out.downcast_ref::<String>().cloned();
        }
    }
    None
}

/// Builds the report. `os_analyzer` is the index of [`OsReleaseAnalyzer`]
/// in the analyzers the scan ran with, if it ran.
pub fn report(image: &Image, scan: &Scan, os_analyzer: Option<usize>) -> InspectReport {
    let cfg = image.config.config().as_ref();
    let config = ConfigSummary {
        user: cfg.and_then(|c| c.user().clone()).filter(|u| !u.is_empty()),
        entrypoint: cfg.and_then(|c| c.entrypoint().clone()),
        cmd: cfg.and_then(|c| c.cmd().clone()),
        working_dir: cfg
            .and_then(|c| c.working_dir().clone())
            .filter(|w| !w.is_empty()),
        exposed_ports: cfg
            .and_then(|c| c.exposed_ports().clone())
            .unwrap_or_default(),
        volumes: cfg.and_then(|c| c.volumes().clone()).unwrap_or_default(),
        stop_signal: cfg.and_then(|c| c.stop_signal().clone()),
        env: cfg
            .and_then(|c| c.env().clone())
            .unwrap_or_default()
            .iter()
            .map(|e| redact_env(e))
            .collect(),
        labels: cfg
            .and_then(|c| c.labels().clone())
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let v = if looks_like_secret_key(&k) && !v.is_empty() {
                    REDACTED.to_string()
                } else {
                    v
                };
                (k, v)
            })
            .collect(),
    };
    let history: Vec<HistoryItem> = image
        .config
        .history()
        .as_ref()
        .map(|h| {
            h.iter()
                .map(|item| HistoryItem {
                    created: item.created().clone(),
                    created_by: item.created_by().as_deref().map(redact_assignment),
                    comment: item.comment().clone(),
                    empty_layer: item.empty_layer().unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default();
    // History entries that made a layer, in order, pair with the layers.
    let layer_history: Vec<&HistoryItem> = history.iter().filter(|h| !h.empty_layer).collect();
    let layers: Vec<LayerReport> = scan
        .layers
        .iter()
        .zip(&scan.changes)
        .map(|(l, c)| LayerReport {
            index: l.index + 1,
            digest: l.digest.clone(),
            digest_verified: l.digest_verified,
            diff_id: l.diff_id.clone(),
            media_type: image.layers[l.index].media_type.clone(),
            compression: l.compression,
            compressed_size: l.compressed_size,
            uncompressed_size: l.uncompressed_size,
            created_by: if layer_history.len() == scan.layers.len() {
                layer_history[l.index].created_by.clone()
            } else {
                None
            },
            files_added: c.files_added,
            files_modified: c.files_modified,
            files_deleted: c.files_deleted,
            content_bytes: c.content_bytes,
            wasted_bytes: c.wasted_bytes,
        })
        .collect();
    let eff = scan.fs.efficiency();
    let totals = Totals {
        layers: layers.len(),
        compressed_size: layers.iter().map(|l| l.compressed_size).sum(),
        uncompressed_size: layers.iter().map(|l| l.uncompressed_size).sum(),
        paths: scan.fs.len(),
        efficiency: eff.score,
        wasted_bytes: eff.wasted_bytes,
        wasted_user_percent: if eff.user_bytes == 0 {
            0.0
        } else {
            100.0 * eff.wasted_bytes as f64 / eff.user_bytes as f64
        },
        inefficient_paths: eff
            .inefficient
            .iter()
            .take(TOP_INEFFICIENT)
            .cloned()
            .collect(),
    };
    let warnings = scan
        .layers
        .iter()
        .flat_map(|l| l.warnings.iter().cloned())
        .collect();
    InspectReport {
        reference: image.reference.clone(),
        manifest_digest: image.manifest_digest.clone(),
        manifest_media_type: image.manifest_media_type.clone(),
        config_digest: image.config_digest.clone(),
        platform: image.platform(),
        os: os_analyzer.and_then(|i| os_name(scan, i)),
        created: image.config.created().clone(),
        author: image.config.author().clone(),
        config,
        history,
        layers,
        totals,
        warnings,
    }
}
