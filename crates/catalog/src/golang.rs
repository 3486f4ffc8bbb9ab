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
//! between two 16-byte sentinels). Go 1.13–1.17 binaries store pointers
//! into the loaded image instead, followed by [`crate::golang_pointers`]
//! (ELF only).

use crate::bounded;
use crate::golang_pointers::{self, Progress, Resolver, Seen, Windows};
use palisade_image::{Analysis, Analyzer, FileRef, FileScanner, scan_slice};

const MAGIC: &[u8] = b"\xff Go buildinf:";
/// Most matches of the magic tried in one file (the magic also appears as
/// a constant in programs that read build information, such as `go`).
const MAX_CANDIDATES: usize = 16;
/// Most bytes kept after a match: the header and the two strings.
pub(crate) const MAX_CAPTURE: usize = 1 << 20;
/// The first bytes of an ELF file kept for its program headers.
const HEAD: usize = 64 << 10;
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

/// Bytes from one match of the magic on.
struct Candidate {
    offset: u64,
    bytes: Vec<u8>,
    /// Following the pointers of a Go < 1.18 header.
    resolver: Option<Resolver>,
}

/// What one candidate gave.
enum Step {
    Found(BuildInfo),
    Wait,
    Failed(String),
}

/// Streams an executable looking for its build information.
#[derive(Default)]
pub struct GoScanner {
    /// The first bytes: 4 to know whether this is an executable, up to
    /// [`HEAD`] of an ELF file for its program headers.
    head: Vec<u8>,
    /// The offset of the next byte the stream delivers.
    position: u64,
    /// Bytes that Go < 1.18 pointers may lead back to (ELF files only).
    windows: Windows,
    /// The last bytes of the previous chunk (a magic may straddle chunks),
    /// and the file offset of its first byte.
    tail: Vec<u8>,
    tail_offset: u64,
    /// Bytes from each match of the magic still being collected.
    open: Vec<Candidate>,
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
        while let Some(mut c) = open.next() {
            match self.step(&mut c, at_end) {
                Step::Found(info) => {
                    self.found = Some(info);
                    return;
                }
                Step::Wait => {
                    // Later matches wait for this one.
                    self.open.push(c);
                    self.open.extend(open);
                    return;
                }
                Step::Failed(e) => {
                    self.first_error.get_or_insert(e);
                }
            }
        }
    }

    fn step(&self, c: &mut Candidate, at_end: bool) -> Step {
        if c.resolver.is_none() {
            match parse_prefix(&c.bytes) {
                Ok(Parsed::Inline(info)) => return Step::Found(info),
                Ok(Parsed::Pointers(header)) => {
                    if !self.is_elf() {
                        return Step::Failed(
                            "Go build information in the pre-Go 1.18 pointer format outside ELF: not read"
                                .to_string(),
                        );
                    }
                    let layout = match crate::elf::layout(&self.head) {
                        Ok(l) => l,
                        // The program headers may lie further in.
                        Err(_) if !at_end && self.head.len() < HEAD => return Step::Wait,
                        Err(e) => return Step::Failed(e),
                    };
                    match Resolver::new(header, layout) {
                        Ok(r) => c.resolver = Some(r),
                        Err(e) => return Step::Failed(e),
                    }
                }
                Err(Incomplete) if !at_end && c.bytes.len() < MAX_CAPTURE => return Step::Wait,
                Err(Bad(e)) => return Step::Failed(e),
                Err(Incomplete) => {
                    return Step::Failed("truncated Go build information".to_string());
                }
            }
        }
        let Some(resolver) = c.resolver.as_mut() else {
            return Step::Wait;
        };
        let seen = Seen {
            candidate: &c.bytes,
            candidate_offset: c.offset,
            candidate_open: !at_end && c.bytes.len() < MAX_CAPTURE,
            windows: &self.windows,
            position: self.position,
            at_end,
        };
        match resolver.advance(&seen) {
            Ok(Progress::Waiting) => Step::Wait,
            Ok(Progress::Done(version, modinfo)) => match from_strings(&version, &modinfo) {
                Ok(info) => Step::Found(info),
                Err(e) => Step::Failed(e),
            },
            Err(e) => Step::Failed(e),
        }
    }

    fn start(&mut self, offset: u64, bytes: &[u8]) {
        if self.tried < MAX_CANDIDATES {
            self.tried += 1;
            self.open.push(Candidate {
                offset,
                bytes: bytes[..bytes.len().min(MAX_CAPTURE)].to_vec(),
                resolver: None,
            });
        }
    }

    fn is_elf(&self) -> bool {
        self.head.starts_with(b"\x7fELF")
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
        if self.is_elf() {
            // The program headers (a Go < 1.18 header's pointers need them).
            let have = self.head.len() as u64;
            if have < HEAD as u64
                && let Some(from) = have.checked_sub(offset)
                && let Some(rest) = data.get(from as usize..)
            {
                let take = (HEAD - self.head.len()).min(rest.len());
                self.head.extend_from_slice(&rest[..take]);
            }
            self.windows.chunk(offset, data);
        }
        for c in &mut self.open {
            let room = MAX_CAPTURE.saturating_sub(c.bytes.len());
            c.bytes.extend_from_slice(&data[..room.min(data.len())]);
            if let Some(r) = c.resolver.as_mut() {
                r.feed(offset, data);
            }
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
                    self.start(tail_offset + at as u64, &bytes);
                }
            }
        }
        let aligned: Vec<usize> = memchr::memmem::find_iter(data, MAGIC)
            .filter(|at| (offset + *at as u64).is_multiple_of(16))
            .collect();
        for at in aligned {
            self.start(offset + at as u64, &data[at..]);
        }
        // The stream's last bytes (not only this chunk's: chunks can be tiny).
        let mut tail = std::mem::take(&mut self.tail);
        tail.extend_from_slice(&data[data.len().saturating_sub(MAGIC.len() - 1)..]);
        let keep = tail.len().min(MAGIC.len() - 1);
        self.tail = tail.split_off(tail.len() - keep);
        self.tail_offset = offset + data.len() as u64 - keep as u64;
        // Pointers may lead into this very chunk: a resolver made while
        // settling is handed it again (feeding is idempotent), up to the
        // string headers and then the strings.
        self.position = offset;
        for _ in 0..3 {
            self.settle(false);
            if self.found.is_some() || !self.open.iter().any(|c| c.resolver.is_some()) {
                break;
            }
            for c in &mut self.open {
                if let Some(r) = c.resolver.as_mut() {
                    r.feed(offset, data);
                }
            }
        }
        self.position = offset + data.len() as u64;
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

/// A header that parsed: inline strings (Go ≥ 1.18) or pointers.
enum Parsed {
    Inline(BuildInfo),
    Pointers(golang_pointers::Header),
}

/// Build information from the two strings a Go < 1.18 header points to.
fn from_strings(version: &[u8], modinfo: &[u8]) -> Result<BuildInfo, String> {
    let version = std::str::from_utf8(version)
        .ok()
        .filter(|v| v.starts_with("go") || v.starts_with("devel"))
        .ok_or("Go build information without a Go version")?;
    let mut info = parse_modinfo(modinfo)?;
    info.go_version = bounded(version);
    Ok(info)
}

/// Why bytes from a magic on are not build information (yet).
enum ParseError {
    /// More bytes could complete it.
    Incomplete,
    Bad(String),
}
use ParseError::{Bad, Incomplete};

/// Parses Go ≥ 1.18 build information starting at the magic (the
/// pointers of older headers need the whole file: [`read`]).
pub fn parse(data: &[u8]) -> Result<BuildInfo, String> {
    match parse_prefix(data) {
        Ok(Parsed::Inline(info)) => Ok(info),
        Ok(Parsed::Pointers(_)) => Err(
            "Go build information in the pre-Go 1.18 pointer format: needs the whole file"
                .to_string(),
        ),
        Err(Incomplete) => Err("truncated Go build information".to_string()),
        Err(Bad(e)) => Err(e),
    }
}

fn parse_prefix(data: &[u8]) -> Result<Parsed, ParseError> {
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
        return golang_pointers::header(data)
            .map(Parsed::Pointers)
            .map_err(Bad);
    }
    let mut rest = &data[32..];
    let go_version = string(&mut rest)?;
    let modinfo = string(&mut rest)?;
    if !go_version.starts_with(b"go") {
        return Err(Bad("Go build information without a Go version".to_string()));
    }
    let mut info = parse_modinfo(modinfo).map_err(Bad)?;
    info.go_version = bounded(&String::from_utf8_lossy(go_version));
    Ok(Parsed::Inline(info))
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
