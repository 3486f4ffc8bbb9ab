//! Go binaries: the build information the Go linker embeds (what `go
//! version -m` prints): Go version, main module, dependencies with their
//! versions and replacements. The standard library is reported as the
//! package `stdlib` at the Go version, the name OSV's Go ecosystem uses.
//!
//! Where: the `.go.buildinfo` ELF section; for other formats (Mach-O, PE)
//! the 16-byte aligned `\xff Go buildinf:` magic anywhere in the file.
//! Format (Go ≥ 1.18): 32-byte header (magic, pointer size, flags; flag 2
//! = strings inline), then two varint-prefixed strings, the Go version and
//! the module information (`path`, `mod`, `dep`, `=>`, `build` lines
//! between two 16-byte sentinels). Go < 1.18 binaries store pointers into
//! the loaded image instead: reported as not read.

use crate::{bounded, elf};
use palisade_image::{Analysis, Analyzer, FileRef};

const MAGIC: &[u8] = b"\xff Go buildinf:";
/// Most matches of the magic tried in a file without the section.
const MAX_CANDIDATES: usize = 16;
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
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        Ok(read(content).map(|r| {
            Box::new(match r {
                Ok(info) => GoFile::Binary(info),
                Err(e) => GoFile::Invalid(e),
            }) as Analysis
        }))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(GoFile::TooLarge(file.size)))
    }
}

/// The build information of a Go binary; `None` when the file is not one.
pub fn read(file: &[u8]) -> Option<Result<BuildInfo, String>> {
    const EXECUTABLES: [&[u8]; 6] = [
        b"\x7fELF",
        b"MZ",
        b"\xcf\xfa\xed\xfe",
        b"\xce\xfa\xed\xfe",
        b"\xfe\xed\xfa\xcf",
        b"\xfe\xed\xfa\xce",
    ];
    if !EXECUTABLES.iter().any(|m| file.starts_with(m)) {
        return None;
    }
    if let Some(section) = elf::section(file, ".go.buildinfo") {
        return Some(parse(section));
    }
    // Not ELF, or a stripped section table: the aligned magic, the first
    // candidate that parses (the magic also appears as a constant in
    // programs that read build info, such as the go command itself).
    let mut first_error = None;
    let finder = memchr::memmem::Finder::new(MAGIC);
    for at in finder
        .find_iter(file)
        .filter(|at| at % 16 == 0)
        .take(MAX_CANDIDATES)
    {
        match parse(&file[at..]) {
            Ok(info) => return Some(Ok(info)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map(Err)
}

/// Parses build information starting at the magic.
pub fn parse(data: &[u8]) -> Result<BuildInfo, String> {
    if data.len() < 32 || !data.starts_with(MAGIC) {
        return Err("no Go build information header".to_string());
    }
    let flags = data[15];
    if flags & 2 == 0 {
        return Err("Go build information in the pre-Go 1.18 pointer format: not read".to_string());
    }
    let mut rest = &data[32..];
    let go_version = string(&mut rest)?;
    let modinfo = string(&mut rest)?;
    if !go_version.starts_with(b"go") {
        return Err("Go build information without a Go version".to_string());
    }
    let mut info = parse_modinfo(modinfo)?;
    info.go_version = bounded(&String::from_utf8_lossy(go_version));
    Ok(info)
}

/// A varint-prefixed string (Go's `binary.Uvarint` length).
fn string<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], String> {
    let mut len: u64 = 0;
    for i in 0..10 {
        let Some(&b) = rest.get(i) else {
            return Err("truncated Go build information".to_string());
        };
        len |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let len = usize::try_from(len).map_err(|_| "string length too large")?;
            let s = rest
                .get(i + 1..)
                .and_then(|r| r.get(..len))
                .ok_or("Go build information string out of the file")?;
            *rest = &rest[i + 1 + len..];
            return Ok(s);
        }
    }
    Err("bad varint in Go build information".to_string())
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
