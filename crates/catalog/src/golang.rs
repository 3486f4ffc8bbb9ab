//! Go binaries: the build information the Go linker embeds (what `go
//! version -m` prints): Go version, main module, dependencies with their
//! versions and replacements. The standard library is reported as the
//! package `stdlib` at the Go version, the name OSV's Go ecosystem uses.
//!
//! Where: the `.go.buildinfo` section (ELF, Mach-O, PE), which starts with
//! the 16-byte aligned `\xff Go buildinf:` magic. The file is scanned as a
//! stream for that magic ([`GoScanner`]): only the bytes after a match are
//! kept, so a 200 MB executable costs one 64 KiB chunk of memory, and
//! reading stops once the build information is parsed.
//! Format (Go ≥ 1.18): 32-byte header (magic, pointer size, flags; flag 2
//! = strings inline), then two varint-prefixed strings, the Go version and
//! the module information (`path`, `mod`, `dep`, `=>`, `build` lines
//! between two 16-byte sentinels). Go < 1.18 binaries store pointers into
//! the loaded image instead: reported as not read.

use crate::bounded;
use palisade_image::{Analysis, Analyzer, FileRef, FileScanner, scan_slice};

const MAGIC: &[u8] = b"\xff Go buildinf:";
/// Most matches of the magic tried in one file (the magic also appears as
/// a constant in programs that read build information, such as `go`).
const MAX_CANDIDATES: usize = 16;
/// Most bytes kept after a match: the header and the two strings.
const MAX_CAPTURE: usize = 1 << 20;
/// Most modules kept per binary.
const MAX_DEPS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoModule {
    pub path: String,
    pub version: String,
    /// The `=>` line under it: (path, version; empty for a local directory).
    pub replaced_by: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    /// e.g. `go1.19.8`.
    pub go_version: String,
    /// The `path` line: the main package's import path.
    pub path: Option<String>,
    pub main: Option<GoModule>,
    pub deps: Vec<GoModule>,
}

#[derive(Debug, Clone)]
pub enum GoFile {
    Binary(BuildInfo),
    /// A Go binary whose build information could not be read.
    Invalid(String),
    TooLarge(u64),
}

pub struct GoAnalyzer;

impl Analyzer for GoAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-go"
    }
    fn patterns(&self) -> &[&str] {
        &["**"]
    }
    fn max_size(&self) -> u64 {
        256 << 20
    }
    fn accept(&self, path: &str, size: u64) -> bool {
        // No ELF executable with build information is this small (the
        // smallest Go binaries are about 1 MB); skip places that hold no
        // programs. The Rust binary cataloger shares this choice.
        size >= 4 << 10
            && !path.starts_with("usr/share/")
            && !path.starts_with("usr/include/")
            && !path.starts_with("var/lib/")
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
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(GoFile::TooLarge(file.size)))
    }
    fn scanner(&self, _file: FileRef<'_>) -> Option<Box<dyn FileScanner>> {
        Some(Box::<GoScanner>::default())
    }
}

/// The build information of a Go binary held in memory; `None` when the
/// file is not one.
pub fn read(file: &[u8]) -> Option<Result<BuildInfo, String>> {
    let mut scanner = GoScanner::default();
    for (i, chunk) in file.chunks(1 << 16).enumerate() {
        if !scanner.chunk((i as u64) << 16, chunk) {
            break;
        }
    }
    scanner.result()
}

/// Streams an executable looking for its build information.
#[derive(Default)]
pub struct GoScanner {
    /// The first bytes, until it is known whether this is an executable.
    head: Vec<u8>,
    /// The last bytes of the previous chunk (a magic may straddle chunks),
    /// and the file offset of its first byte.
    tail: Vec<u8>,
    tail_offset: u64,
    /// Bytes from each match of the magic still being collected.
    open: Vec<Vec<u8>>,
    tried: usize,
    found: Option<BuildInfo>,
    first_error: Option<String>,
}

const EXECUTABLES: [&[u8]; 6] = [
    b"\x7fELF",
    b"MZ",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xfe\xed\xfa\xce",
];

impl GoScanner {
    /// Whether the file is an executable: `None` until 4 bytes were seen.
    fn is_executable(&mut self, data: &[u8]) -> Option<bool> {
        if self.head.len() < 4 {
            let take = (4 - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..take]);
        }
        let known = self.head.len() >= 4 || EXECUTABLES.iter().any(|m| self.head.starts_with(m));
        known.then(|| EXECUTABLES.iter().any(|m| self.head.starts_with(m)))
    }

    /// Tries to parse collected bytes, in file order; keeps them while more
    /// could help. The first match that parses wins, however the file was
    /// cut into chunks.
    fn settle(&mut self, at_end: bool) {
        let mut open = std::mem::take(&mut self.open).into_iter();
        while let Some(bytes) = open.next() {
            match parse_prefix(&bytes) {
                Ok(info) => {
                    self.found = Some(info);
                    return;
                }
                Err(Incomplete) if !at_end && bytes.len() < MAX_CAPTURE => {
                    // Later matches wait for this one.
                    self.open.push(bytes);
                    self.open.extend(open);
                    return;
                }
                Err(Bad(e)) => {
                    self.first_error.get_or_insert(e);
                }
                Err(Incomplete) => {
                    self.first_error
                        .get_or_insert_with(|| "truncated Go build information".to_string());
                }
            }
        }
    }

    fn start(&mut self, bytes: &[u8]) {
        if self.tried < MAX_CANDIDATES {
            self.tried += 1;
            self.open
                .push(bytes[..bytes.len().min(MAX_CAPTURE)].to_vec());
        }
    }

    fn result(mut self) -> Option<Result<BuildInfo, String>> {
        self.settle(true);
        match (self.found, self.first_error) {
            (Some(info), _) => Some(Ok(info)),
            (None, Some(e)) => Some(Err(e)),
            (None, None) => None,
        }
    }
}

impl FileScanner for GoScanner {
    fn chunk(&mut self, offset: u64, data: &[u8]) -> bool {
        match self.is_executable(data) {
            Some(false) => return false,
            None => return true,
            Some(true) => {}
        }
        for bytes in &mut self.open {
            let room = MAX_CAPTURE.saturating_sub(bytes.len());
            bytes.extend_from_slice(&data[..room.min(data.len())]);
        }
        // A magic that starts in the previous chunk's tail.
        if !self.tail.is_empty() {
            let mut splice = self.tail.clone();
            let from_tail = splice.len();
            splice.extend_from_slice(&data[..(MAGIC.len() - 1).min(data.len())]);
            let tail_offset = self.tail_offset;
            for at in memchr::memmem::find_iter(&splice, MAGIC) {
                if at < from_tail && (tail_offset + at as u64).is_multiple_of(16) {
                    let mut bytes = splice[at..from_tail].to_vec();
                    bytes.extend_from_slice(&data[..(MAX_CAPTURE - bytes.len()).min(data.len())]);
                    self.start(&bytes);
                }
            }
        }
        let aligned: Vec<usize> = memchr::memmem::find_iter(data, MAGIC)
            .filter(|at| (offset + *at as u64).is_multiple_of(16))
            .collect();
        for at in aligned {
            self.start(&data[at..]);
        }
        // The stream's last bytes (not only this chunk's: chunks can be tiny).
        let mut tail = std::mem::take(&mut self.tail);
        tail.extend_from_slice(&data[data.len().saturating_sub(MAGIC.len() - 1)..]);
        let keep = tail.len().min(MAGIC.len() - 1);
        self.tail = tail.split_off(tail.len() - keep);
        self.tail_offset = offset + data.len() as u64 - keep as u64;
        self.settle(false);
        self.found.is_none() && (self.tried < MAX_CANDIDATES || !self.open.is_empty())
    }

    fn finish(self: Box<Self>) -> Result<Option<Analysis>, String> {
        Ok(self.result().map(|r| {
            Box::new(match r {
                Ok(info) => GoFile::Binary(info),
                Err(e) => GoFile::Invalid(e),
            }) as Analysis
        }))
    }
}

/// Why bytes from a magic on are not build information (yet).
enum ParseError {
    /// More bytes could complete it.
    Incomplete,
    Bad(String),
}
use ParseError::{Bad, Incomplete};

/// Parses build information starting at the magic.
pub fn parse(data: &[u8]) -> Result<BuildInfo, String> {
    parse_prefix(data).map_err(|e| match e {
        Incomplete => "truncated Go build information".to_string(),
        Bad(e) => e,
    })
}

fn parse_prefix(data: &[u8]) -> Result<BuildInfo, ParseError> {
    if data.len() < 32 {
        return Err(if MAGIC.starts_with(&data[..data.len().min(MAGIC.len())]) {
            Incomplete
        } else {
            Bad("no Go build information header".to_string())
        });
    }
    if !data.starts_with(MAGIC) {
        return Err(Bad("no Go build information header".to_string()));
    }
    let flags = data[15];
    if flags & 2 == 0 {
        return Err(Bad(
            "Go build information in the pre-Go 1.18 pointer format: not read".to_string(),
        ));
    }
    let mut rest = &data[32..];
    let go_version = string(&mut rest)?;
    let modinfo = string(&mut rest)?;
    if !go_version.starts_with(b"go") {
        return Err(Bad("Go build information without a Go version".to_string()));
    }
    let mut info = parse_modinfo(modinfo).map_err(Bad)?;
    info.go_version = bounded(&String::from_utf8_lossy(go_version));
    Ok(info)
}

/// A varint-prefixed string (Go's `binary.Uvarint` length).
fn string<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], ParseError> {
    let mut len: u64 = 0;
    for i in 0..10 {
        let Some(&b) = rest.get(i) else {
            return Err(Incomplete);
        };
        len |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let len = usize::try_from(len)
                .ok()
                .filter(|&l| l <= MAX_CAPTURE)
                .ok_or_else(|| Bad("Go build information string too long".to_string()))?;
            let s = rest
                .get(i + 1..)
                .and_then(|r| r.get(..len))
                .ok_or(Incomplete)?;
            *rest = &rest[i + 1 + len..];
            return Ok(s);
        }
    }
    Err(Bad("bad varint in Go build information".to_string()))
}

/// The module lines, without the 16-byte sentinels around them.
fn parse_modinfo(raw: &[u8]) -> Result<BuildInfo, String> {
    let text = if raw.len() >= 33 && raw[raw.len() - 17] == b'\n' {
        &raw[16..raw.len() - 16]
    } else {
        raw
    };
    let text = String::from_utf8_lossy(text);
    let mut info = BuildInfo {
        go_version: String::new(),
        path: None,
        main: None,
        deps: Vec::new(),
    };
    // Which module the next `=>` line replaces: the main one or the last dep.
    let mut last_is_main = false;
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let module = |f: &[&str]| GoModule {
            path: bounded(f.get(1).copied().unwrap_or("")),
            version: bounded(f.get(2).copied().unwrap_or("")),
            replaced_by: None,
        };
        match fields[0] {
            "path" => info.path = fields.get(1).map(|p| bounded(p)),
            "mod" => {
                info.main = Some(module(&fields));
                last_is_main = true;
            }
            "dep" => {
                if info.deps.len() >= MAX_DEPS {
                    return Err(format!("more than {MAX_DEPS} modules"));
                }
                info.deps.push(module(&fields));
                last_is_main = false;
            }
            "=>" => {
                let m = module(&fields);
                let target = if last_is_main {
                    info.main.as_mut()
                } else {
                    info.deps.last_mut()
                };
                if let Some(t) = target {
                    t.replaced_by = Some((m.path, m.version));
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// A `pkg:golang` purl: the module path's segments are kept as they are
/// (Go module paths are case-sensitive), each percent-encoded.
pub fn golang_purl(path: &str, version: &str) -> String {
    use palisade_model::package::purl_encode;
    let segments: Vec<String> = path.split('/').map(purl_encode).collect();
    if version.is_empty() {
        format!("pkg:golang/{}", segments.join("/"))
    } else {
        format!("pkg:golang/{}@{}", segments.join("/"), purl_encode(version))
    }
}
