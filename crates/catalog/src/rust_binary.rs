//! Rust binaries built with cargo-auditable: the `.dep-v0` ELF section,
//! zlib-compressed JSON `{"packages": [{"name", "version", "source",
//! "kind", "root", "dependencies"}]}` listing every crate compiled in.
//!
//! Bounded: the section is inflated to at most [`MAX_JSON`] bytes (a
//! compression bomb stops there with an error).
//!
//! Streamed ([`RustScanner`]): an image's executables pass by as a tar
//! stream, and the section table that names `.dep-v0` sits at the end of
//! the file, after the section. So every zlib header in the file (`0x78`
//! and a valid flag byte) starts a trial inflation, dropped as soon as its
//! first output is not `{"...packages"`; the one that inflates to the whole
//! JSON is the answer. Only trials in progress are held in memory.

use crate::{bounded, elf};
use flate2::{Decompress, FlushDecompress, Status};
use palisade_image::{Analysis, Analyzer, FileRef, FileScanner, scan_slice};
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
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        match self.scanner(file) {
            Some(scanner) => scan_slice(scanner, content, 1 << 16),
            None => Ok(None),
        }
    }
    fn too_large(&self, _file: FileRef<'_>) -> Option<Analysis> {
        // The Go cataloger already warns about the same file.
        None
    }
    fn scanner(&self, _file: FileRef<'_>) -> Option<Box<dyn FileScanner>> {
        Some(Box::<RustScanner>::default())
    }
}

/// Output bytes a trial must produce before it is judged.
const JUDGE_AT: usize = 64;
/// Most trial inflations running at once (a hostile file could hold a
/// zlib header at every byte).
const MAX_TRIALS: usize = 64;
/// Most trials judged in one file.
const MAX_TRIALS_PER_FILE: usize = 1 << 20;

/// Streams an ELF file looking for cargo-auditable's zlib-compressed JSON.
#[derive(Default)]
pub struct RustScanner {
    head: Vec<u8>,
    /// The last byte of the previous chunk: a zlib header may straddle.
    last: Option<u8>,
    trials: Vec<Trial>,
    started: usize,
    /// Trials ended with an error after their output looked right.
    error: Option<String>,
    found: Option<Vec<AuditableCrate>>,
}

struct Trial {
    inflater: Decompress,
    json: Vec<u8>,
}

/// zlib header: deflate with a 32 KiB window, no preset dictionary, and
/// a check value that makes the two bytes a multiple of 31.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf == 0x78 && flg & 0x20 == 0 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

impl Trial {
    /// Inflates `input`; `Err` drops the trial, `Ok(true)` means the stream ended.
    fn feed(&mut self, input: &[u8]) -> Result<bool, String> {
        let mut input = input;
        loop {
            let room = (MAX_JSON as usize + 1)
                .saturating_sub(self.json.len())
                .min(1 << 16);
            if room == 0 {
                return Err(format!(
                    "cargo-auditable data: more than {MAX_JSON} bytes once inflated"
                ));
            }
            let before_in = self.inflater.total_in();
            let before_out = self.json.len();
            let status = self
                .inflater
                .decompress_vec(input, reserve(&mut self.json, room), FlushDecompress::None)
                .map_err(|e| format!("cargo-auditable data: bad zlib stream: {e}"))?;
            let used = (self.inflater.total_in() - before_in) as usize;
            input = &input[used..];
            if !self.looks_right() {
                return Err(String::new());
            }
            match status {
                Status::StreamEnd => return Ok(true),
                _ if input.is_empty() => return Ok(false),
                _ if used == 0 && self.json.len() == before_out => return Ok(false),
                _ => {}
            }
        }
    }

    /// Whether what came out so far can still be cargo-auditable's JSON.
    fn looks_right(&self) -> bool {
        let head = &self.json[..self.json.len().min(JUDGE_AT)];
        if head.first().is_some_and(|&b| b != b'{') {
            return false;
        }
        self.json.len() < JUDGE_AT || has_packages(head)
    }
}

/// Whether the start of `json` names the `packages` key.
fn has_packages(json: &[u8]) -> bool {
    json[..json.len().min(JUDGE_AT)]
        .windows(10)
        .any(|w| w == b"\"packages\"")
}

/// `json` with `extra` bytes of spare capacity (flate2 fills the spare part).
fn reserve(json: &mut Vec<u8>, extra: usize) -> &mut Vec<u8> {
    json.reserve_exact(extra);
    json
}

impl RustScanner {
    fn start(&mut self, input: &[u8]) {
        if self.trials.len() >= MAX_TRIALS || self.started >= MAX_TRIALS_PER_FILE {
            return;
        }
        self.started += 1;
        let mut trial = Trial {
            inflater: Decompress::new(true),
            json: Vec::new(),
        };
        self.run(&mut trial, input, true);
    }

    /// Feeds a trial; keeps it when it needs more input.
    fn run(&mut self, trial: &mut Trial, input: &[u8], new: bool) -> bool {
        match trial.feed(input) {
            Ok(true) if !has_packages(&trial.json) => false,
            Ok(true) => {
                match parse_json(&trial.json) {
                    Ok(crates) => self.found = Some(crates),
                    Err(e) => {
                        self.error.get_or_insert(e);
                    }
                }
                false
            }
            Ok(false) => {
                if new {
                    self.trials.push(Trial {
                        inflater: std::mem::replace(&mut trial.inflater, Decompress::new(true)),
                        json: std::mem::take(&mut trial.json),
                    });
                }
                true
            }
            Err(e) => {
                if !e.is_empty() && trial.json.len() >= JUDGE_AT && has_packages(&trial.json) {
                    self.error.get_or_insert(e);
                }
                false
            }
        }
    }

    fn result(self) -> Option<Result<Vec<AuditableCrate>, String>> {
        match (self.found, self.error) {
            (Some(c), _) => Some(Ok(c)),
            (None, Some(e)) => Some(Err(e)),
            (None, None) => None,
        }
    }
}

impl FileScanner for RustScanner {
    fn chunk(&mut self, _offset: u64, data: &[u8]) -> bool {
        if self.head.len() < 4 {
            let take = (4 - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..take]);
            if !b"\x7fELF".starts_with(&self.head[..self.head.len().min(4)]) {
                return false;
            }
        }
        // Trials from earlier chunks go on with this one.
        let mut trials = std::mem::take(&mut self.trials);
        trials.retain_mut(|t| self.found.is_none() && self.run(t, data, false));
        self.trials.extend(trials);
        if let Some(last) = self.last
            && let Some(&first) = data.first()
            && is_zlib_header(last, first)
        {
            let mut input = vec![last];
            input.extend_from_slice(data);
            self.start(&input);
        }
        for at in memchr::memchr_iter(0x78, data) {
            if self.found.is_some() {
                break;
            }
            if let Some(&flg) = data.get(at + 1)
                && is_zlib_header(0x78, flg)
            {
                self.start(&data[at..]);
            }
        }
        self.last = data.last().copied();
        self.found.is_none()
    }

    fn finish(self: Box<Self>) -> Result<Option<Analysis>, String> {
        Ok(self.result().map(|r| {
            Box::new(match r {
                Ok(c) => RustFile::Crates(c),
                Err(e) => RustFile::Invalid(e),
            }) as Analysis
        }))
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
    parse_json(&json)
}

/// Parses cargo-auditable's (inflated) JSON.
fn parse_json(json: &[u8]) -> Result<Vec<AuditableCrate>, String> {
    let info: DepInfo =
        serde_json::from_slice(json).map_err(|e| format!("cargo-auditable data: bad JSON: {e}"))?;
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
