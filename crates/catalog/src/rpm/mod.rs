//! rpm: the package database in its three formats, SQLite
//! (`rpmdb.sqlite`, rpm ≥ 4.16), Berkeley DB (`Packages`, older RHEL-likes)
//! and ndb (`Packages.db`, SUSE). Each yields header blobs, which one
//! parser ([`header`]) reads.

pub mod bdb;
pub mod header;
pub mod ndb;
pub mod sqlite;

pub use header::{RpmHeader, split_source_rpm};
use palisade_image::{Analysis, Analyzer, FileRef};

const MAX_WARNINGS: usize = 20;

/// Where rpm keeps its database (Fedora, RHEL 9 and SUSE use
/// `usr/lib/sysimage/rpm`, with `var/lib/rpm` often a symlink to it).
pub const DB_DIRS: &[&str] = &["var/lib/rpm", "usr/lib/sysimage/rpm", "usr/share/rpm"];

/// The database files read, in every directory of [`DB_DIRS`].
pub const DB_PATHS: &[&str] = &[
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/rpmdb.sqlite-wal",
    "usr/lib/sysimage/rpm/rpmdb.sqlite-wal",
    "usr/share/rpm/rpmdb.sqlite-wal",
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/share/rpm/rpmdb.sqlite",
    "usr/share/rpm/Packages",
    "usr/share/rpm/Packages.db",
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
    /// An `rpmdb.sqlite`: what it holds on its own, and its bytes, to be
    /// read again with a `-wal` file found beside it in the final image.
    Sqlite {
        read: Box<RpmFile>,
        raw: Vec<u8>,
    },
    /// An `rpmdb.sqlite-wal`: its bytes.
    Wal(Vec<u8>),
}

pub struct RpmAnalyzer;

impl Analyzer for RpmAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-rpm"
    }
    fn patterns(&self) -> &[&str] {
        DB_PATHS
    }
    fn max_size(&self) -> u64 {
        256 << 20
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        let out = if file.path.ends_with("/Packages") {
            read_bdb(content)
        } else if file.path.ends_with("/Packages.db") {
            read_ndb(content)
        } else if file.path.ends_with("-wal") {
            RpmFile::Wal(content.to_vec())
        } else {
            RpmFile::Sqlite {
                read: Box::new(read_sqlite(content)),
                raw: content.to_vec(),
            }
        };
        Ok(Some(Box::new(out)))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(RpmFile::TooLarge(file.size)))
    }
}

/// Reads an `rpmdb.sqlite`: every header blob of its `Packages` table.
pub fn read_sqlite(content: &[u8]) -> RpmFile {
    match sqlite::read_blobs(content) {
        Ok(blobs) => parse_headers(&blobs, Vec::new()),
        Err(e) => RpmFile::Invalid(e),
    }
}

/// Reads an `rpmdb.sqlite` with its write-ahead log.
pub fn read_sqlite_with_wal(db: &[u8], wal: &[u8]) -> RpmFile {
    match sqlite::read_blobs_with_wal(db, wal) {
        Ok(blobs) => parse_headers(&blobs, Vec::new()),
        Err(e) => RpmFile::Invalid(format!("with its -wal file: {e}")),
    }
}

/// Reads a Berkeley DB `Packages`: every value of the hash database.
pub fn read_bdb(content: &[u8]) -> RpmFile {
    match bdb::read_values(content) {
        Ok(v) => parse_headers(&v.values, v.problems),
        Err(e) => RpmFile::Invalid(format!("Berkeley DB: {e}")),
    }
}

/// Reads an ndb `Packages.db`: every blob its slots point to.
pub fn read_ndb(content: &[u8]) -> RpmFile {
    match ndb::read_blobs(content) {
        Ok(v) => parse_headers(&v.blobs, v.problems),
        Err(e) => RpmFile::Invalid(format!("ndb: {e}")),
    }
}

/// Parses every blob; a blob that does not parse is a warning (bounded),
/// after the database's own `problems`.
fn parse_headers(blobs: &[Vec<u8>], problems: Vec<String>) -> RpmFile {
    let mut packages = Vec::with_capacity(blobs.len());
    let mut warnings = problems;
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
