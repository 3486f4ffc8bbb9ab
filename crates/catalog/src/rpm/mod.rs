//! rpm: the SQLite package database (`rpmdb.sqlite`). The Berkeley DB
//! (`Packages`) and ndb (`Packages.db`) formats are not read yet.

pub mod header;
pub mod sqlite;

pub use header::{RpmHeader, split_source_rpm};
use palisade_image::{Analysis, Analyzer, FileRef};

const MAX_WARNINGS: usize = 20;

/// Where rpm keeps its SQLite database (Fedora, RHEL 9 and derivatives use
/// `usr/lib/sysimage/rpm`, with `var/lib/rpm` often a symlink to it).
pub const SQLITE_PATHS: &[&str] = &[
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/share/rpm/rpmdb.sqlite",
];

#[derive(Debug, Clone)]
pub enum RpmFile {
    /// The packages whose header parsed, and a warning per header that did
    /// not (bounded).
    Packages {
        packages: Vec<RpmHeader>,
        warnings: Vec<String>,
    },
    /// The database could not be read at all.
    Invalid(String),
    TooLarge(u64),
}

pub struct RpmAnalyzer;

impl Analyzer for RpmAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-rpm"
    }
    fn patterns(&self) -> &[&str] {
        SQLITE_PATHS
    }
    fn max_size(&self) -> u64 {
        256 << 20
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        Ok(Some(Box::new(read_sqlite(content))))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(RpmFile::TooLarge(file.size)))
    }
}

/// Reads an `rpmdb.sqlite`: every header blob of its `Packages` table.
pub fn read_sqlite(content: &[u8]) -> RpmFile {
    let blobs = match sqlite::read_blobs(content) {
        Ok(b) => b,
        Err(e) => return RpmFile::Invalid(e),
    };
    let mut packages = Vec::with_capacity(blobs.len());
    let mut warnings = Vec::new();
    for (i, blob) in blobs.iter().enumerate() {
        match header::parse(blob) {
            Ok(h) => packages.push(h),
            Err(e) => {
                if warnings.len() < MAX_WARNINGS {
                    warnings.push(format!("package header {}: {e}: skipped", i + 1));
                } else if warnings.len() == MAX_WARNINGS {
                    warnings.push("more problems not shown".to_string());
                }
            }
        }
    }
    RpmFile::Packages { packages, warnings }
}

/// `[EPOCH:]VERSION-RELEASE`, the epoch only when it is above 0 (how OSV's
/// Red Hat, AlmaLinux and Rocky Linux records write rpm versions).
pub fn evr(h: &RpmHeader) -> String {
    match h.epoch {
        Some(e) if e > 0 => format!("{e}:{}-{}", h.version, h.release),
        _ => format!("{}-{}", h.version, h.release),
    }
}
