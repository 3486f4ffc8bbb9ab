//! Rust binaries built with cargo-auditable: the `.dep-v0` ELF section,
//! zlib-compressed JSON `{"packages": [{"name", "version", "source",
//! "kind", "root", "dependencies"}]}` listing every crate compiled in.
//!
//! Bounded: the section is inflated to at most [`MAX_JSON`] bytes (a
//! compression bomb stops there with an error).

use crate::{bounded, elf};
use palisade_image::{Analysis, Analyzer, FileRef};
use serde::Deserialize;
use std::io::Read;

/// Largest inflated `.dep-v0` accepted (cargo-auditable's own reader
/// defaults to 8 MiB).
pub const MAX_JSON: u64 = 8 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditableCrate {
    pub name: String,
    pub version: String,
    /// `crates.io`, `git`, `local`, `registry`, or another source kind.
    pub source: String,
    /// `build` for build dependencies (build scripts, proc macros), which
    /// are not in the binary's code.
    pub build_only: bool,
    pub root: bool,
}

#[derive(Debug, Clone)]
pub enum RustFile {
    Crates(Vec<AuditableCrate>),
    Invalid(String),
    TooLarge(u64),
}

pub struct RustBinaryAnalyzer;

impl Analyzer for RustBinaryAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-rust-binary"
    }
    fn patterns(&self) -> &[&str] {
        &["**"]
    }
    fn max_size(&self) -> u64 {
        crate::golang::GoAnalyzer.max_size()
    }
    fn accept(&self, path: &str, size: u64) -> bool {
        crate::golang::GoAnalyzer.accept(path, size)
    }
    fn accept_mode(&self, mode: u32) -> bool {
        mode & 0o111 != 0
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        Ok(read(content).map(|r| {
            Box::new(match r {
                Ok(c) => RustFile::Crates(c),
                Err(e) => RustFile::Invalid(e),
            }) as Analysis
        }))
    }
    fn too_large(&self, _file: FileRef<'_>) -> Option<Analysis> {
        // The Go cataloger already warns about the same file.
        None
    }
}

#[derive(Deserialize)]
struct DepInfo {
    packages: Vec<DepPackage>,
}

#[derive(Deserialize)]
struct DepPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    root: bool,
}

/// The crates of a cargo-auditable binary; `None` when the file has no
/// `.dep-v0` section.
pub fn read(file: &[u8]) -> Option<Result<Vec<AuditableCrate>, String>> {
    let section = elf::section(file, ".dep-v0")?;
    Some(parse(section))
}

/// Inflates and parses a `.dep-v0` section.
pub fn parse(section: &[u8]) -> Result<Vec<AuditableCrate>, String> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(section)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("cargo-auditable data: bad zlib stream: {e}"))?;
    if json.len() as u64 > MAX_JSON {
        return Err(format!(
            "cargo-auditable data: more than {MAX_JSON} bytes once inflated"
        ));
    }
    let info: DepInfo = serde_json::from_slice(&json)
        .map_err(|e| format!("cargo-auditable data: bad JSON: {e}"))?;
    Ok(info
        .packages
        .into_iter()
        .map(|p| AuditableCrate {
            name: bounded(&p.name),
            version: bounded(&p.version),
            source: bounded(p.source.as_deref().unwrap_or("crates.io")),
            build_only: p.kind.as_deref() == Some("build"),
            root: p.root,
        })
        .collect())
}
