//! Java archives: `*.jar`, `*.war`, `*.ear` and the archives nested in
//! them (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, `lib/*.jar` in an ear).
//!
//! Each archive yields the Maven coordinates of every
//! `META-INF/maven/GROUP/ARTIFACT/pom.properties` it holds (a shaded jar
//! holds several); an archive without one falls back to its
//! `META-INF/MANIFEST.MF` (`Implementation-Title`/`-Version`, else
//! `Bundle-SymbolicName`/`Bundle-Version`).
//!
//! Archives are hostile: nesting is followed [`MAX_DEPTH`] levels deep (a
//! zip that contains itself stops there), a nested archive is read into
//! memory only up to [`MAX_NESTED`] bytes, small files are inflated up to
//! [`MAX_SMALL`] bytes, and the bytes inflated for one top-level file are
//! capped at [`MAX_INFLATED`] (zip bombs). Every refusal is a warning for
//! that archive; the rest is still read.

use crate::bounded;
use palisade_image::{Analysis, Analyzer, FileRef};
use std::io::{Cursor, Read};

/// Archives inside archives followed (top level = 0).
pub const MAX_DEPTH: usize = 4;
/// Largest nested archive read into memory.
pub const MAX_NESTED: u64 = 64 << 20;
/// Largest pom.properties / MANIFEST.MF read.
pub const MAX_SMALL: u64 = 1 << 20;
/// Most bytes inflated for one file, nested archives included.
pub const MAX_INFLATED: u64 = 512 << 20;
/// Most entries looked at per archive.
pub const MAX_ENTRIES: usize = 200_000;
const MAX_WARNINGS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaPackage {
    /// Maven group id; `None` when only a manifest names the archive.
    pub group: Option<String>,
    pub artifact: String,
    pub version: String,
    /// Where inside the file it was found: `""` for the file itself,
    /// else `WEB-INF/lib/a.jar` (or `x.jar!/y.jar` for deeper nesting).
    pub inner: String,
}

#[derive(Debug, Clone)]
pub enum JavaFile {
    Archive {
        packages: Vec<JavaPackage>,
        warnings: Vec<String>,
    },
    TooLarge(u64),
}

pub struct JavaAnalyzer;

impl Analyzer for JavaAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-java"
    }
    fn patterns(&self) -> &[&str] {
        &["**/*.jar", "**/*.war", "**/*.ear"]
    }
    fn max_size(&self) -> u64 {
        256 << 20
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        let (packages, warnings) = read(content);
        Ok(Some(Box::new(JavaFile::Archive { packages, warnings })))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(JavaFile::TooLarge(file.size)))
    }
}

struct Reader {
    packages: Vec<JavaPackage>,
    warnings: Vec<String>,
    inflated: u64,
}

impl Reader {
    fn warn(&mut self, w: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        } else if self.warnings.len() == MAX_WARNINGS {
            self.warnings.push("more problems not shown".to_string());
        }
    }

    /// Reads `entry` fully if it inflates to at most `cap` bytes and the
    /// file's inflation budget allows it.
    fn take(&mut self, entry: &mut impl Read, cap: u64) -> Result<Vec<u8>, String> {
        let cap = cap.min(MAX_INFLATED.saturating_sub(self.inflated));
        let mut buf = Vec::new();
        entry
            .take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("unreadable entry: {e}"))?;
        self.inflated += buf.len() as u64;
        if buf.len() as u64 > cap {
            return Err(format!(
                "inflates past {cap} bytes (zip bomb or too large): not read"
            ));
        }
        Ok(buf)
    }

    fn archive(&mut self, bytes: &[u8], inner: &str, depth: usize) {
        let at = |what: &str| {
            if inner.is_empty() {
                what.to_string()
            } else {
                format!("{inner}: {what}")
            }
        };
        let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(z) => z,
            Err(e) => return self.warn(at(&format!("not a readable zip archive: {e}"))),
        };
        if zip.len() > MAX_ENTRIES {
            self.warn(at(&format!(
                "{} entries: only the first {MAX_ENTRIES} read",
                zip.len()
            )));
        }
        let mut manifest = None;
        let mut found_pom = false;
        for i in 0..zip.len().min(MAX_ENTRIES) {
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.warn(at(&format!("entry {i}: {e}")));
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("meta-inf/maven/") && lower.ends_with("/pom.properties") {
                match self.take(&mut entry, MAX_SMALL) {
                    Ok(b) => {
                        if let Some(p) = pom_properties(&b, inner) {
                            found_pom = true;
                            self.packages.push(p);
                        }
                    }
                    Err(e) => self.warn(at(&format!("{}: {e}", crate::short(&name)))),
                }
            } else if lower == "meta-inf/manifest.mf" {
                match self.take(&mut entry, MAX_SMALL) {
                    Ok(b) => manifest = Some(b),
                    Err(e) => self.warn(at(&format!("{}: {e}", crate::short(&name)))),
                }
            } else if [".jar", ".war", ".ear"].iter().any(|x| lower.ends_with(x)) {
                let nested = if inner.is_empty() {
                    name.clone()
                } else {
                    format!("{inner}!/{name}")
                };
                if depth + 1 > MAX_DEPTH {
                    self.warn(format!(
                        "{}: nested more than {MAX_DEPTH} archives deep (cyclic?): not read",
                        crate::short(&nested)
                    ));
                    continue;
                }
                match self.take(&mut entry, MAX_NESTED) {
                    Ok(b) => self.archive(&b, &nested, depth + 1),
                    Err(e) => self.warn(format!("{}: {e}", crate::short(&nested))),
                }
            }
        }
        if !found_pom && let Some(m) = manifest.and_then(|m| from_manifest(&m, inner)) {
            self.packages.push(m);
        }
    }
}

/// The packages of one archive file and its nested archives.
pub fn read(content: &[u8]) -> (Vec<JavaPackage>, Vec<String>) {
    let mut r = Reader {
        packages: Vec::new(),
        warnings: Vec::new(),
        inflated: 0,
    };
    r.archive(content, "", 0);
    (r.packages, r.warnings)
}

/// `groupId`, `artifactId`, `version` of a pom.properties (a Java
/// properties file: `key=value` or `key: value`, `#`/`!` comments).
fn pom_properties(bytes: &[u8], inner: &str) -> Option<JavaPackage> {
    let text = String::from_utf8_lossy(bytes);
    let (mut group, mut artifact, mut version) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some((k, v)) = line.split_once(['=', ':']) else {
            continue;
        };
        let v = bounded(v);
        match k.trim() {
            "groupId" => group = Some(v),
            "artifactId" => artifact = Some(v),
            "version" => version = Some(v),
            _ => {}
        }
    }
    Some(JavaPackage {
        group: Some(group.filter(|g| !g.is_empty())?),
        artifact: artifact.filter(|a| !a.is_empty())?,
        version: version.filter(|v| !v.is_empty())?,
        inner: inner.to_string(),
    })
}

/// A package from MANIFEST.MF's main section (continuation lines, which
/// start with a space, joined).
fn from_manifest(bytes: &[u8], inner: &str) -> Option<JavaPackage> {
    let text = String::from_utf8_lossy(bytes);
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break; // end of the main section
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(last) = fields.last_mut() {
                last.1.push_str(cont);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, v)| key.eq_ignore_ascii_case(k) && !v.is_empty())
            .map(|(_, v)| bounded(v))
    };
    let (artifact, version) = match (get("Implementation-Title"), get("Implementation-Version")) {
        (Some(t), Some(v)) => (t, v),
        _ => (
            get("Bundle-SymbolicName")?
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_string(),
            get("Bundle-Version")?,
        ),
    };
    (!artifact.is_empty()).then(|| JavaPackage {
        group: get("Implementation-Vendor-Id"),
        artifact,
        version,
        inner: inner.to_string(),
    })
}
