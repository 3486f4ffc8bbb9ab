//! apk: `lib/apk/db/installed`.

use palisade_image::{Analysis, Analyzer, FileRef};

const MAX_WARNINGS: usize = 20;
const MAX_FIELD: usize = 4096;
/// Most owned files kept per package.
const MAX_FILES: usize = 1 << 20;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkRecord {
    pub name: String,
    pub version: String,
    pub arch: Option<String>,
    /// `o:`, the origin (source) package.
    pub origin: Option<String>,
    pub license: Option<String>,
    /// `F:` directories joined with their `R:` files, leading `/`.
    pub files: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum ApkFile {
    Installed {
        packages: Vec<ApkRecord>,
        warnings: Vec<String>,
    },
    TooLarge(u64),
}

pub struct ApkAnalyzer;

pub const INSTALLED: &str = "lib/apk/db/installed";

impl Analyzer for ApkAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-apk"
    }
    fn patterns(&self) -> &[&str] {
        &["lib/apk/db/installed"]
    }
    fn max_size(&self) -> u64 {
        64 << 20
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        let (packages, warnings) = parse_installed(content);
        Ok(Some(Box::new(ApkFile::Installed { packages, warnings })))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(ApkFile::TooLarge(file.size)))
    }
}

fn bounded(s: &str) -> String {
    let s = s.trim();
    let mut end = s.len().min(MAX_FIELD);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Parses the installed database: blank-line separated records of
/// `X:value` lines.
pub fn parse_installed(content: &[u8]) -> (Vec<ApkRecord>, Vec<String>) {
    let text = String::from_utf8_lossy(content);
    let mut packages = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut warn = |w: String| {
        if warnings.len() < MAX_WARNINGS {
            warnings.push(w);
        } else if warnings.len() == MAX_WARNINGS {
            warnings.push("more problems not shown".to_string());
        }
    };
    let mut current = ApkRecord::default();
    let mut dir = String::new();
    let mut start_line = 1;
    let mut any = false;
    let mut finish =
        |rec: &mut ApkRecord, any: &mut bool, start: usize, warn: &mut dyn FnMut(String)| {
            if !*any {
                return;
            }
            let rec = std::mem::take(rec);
            *any = false;
            if rec.name.is_empty() {
                warn(format!("record at line {start}: no P: (name) line"));
            } else if rec.version.is_empty() {
                warn(format!(
                    "record at line {start}: package {:?} has no V: (version) line",
                    short(&rec.name)
                ));
            } else {
                packages.push(rec);
            }
        };
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            finish(&mut current, &mut any, start_line, &mut warn);
            dir.clear();
            start_line = i + 2;
            continue;
        }
        any = true;
        let Some((key, value)) = line.split_once(':') else {
            warn(format!("line {}: not a field: {:?}", i + 1, short(line)));
            continue;
        };
        match key {
            "P" => current.name = bounded(value),
            "V" => current.version = bounded(value),
            "A" => current.arch = Some(bounded(value)),
            "o" => current.origin = Some(bounded(value)),
            "L" => current.license = Some(bounded(value)),
            "F" => dir = bounded(value).trim_matches('/').to_string(),
            "R" if current.files.len() < MAX_FILES => {
                let name = bounded(value);
                current.files.push(if dir.is_empty() {
                    format!("/{name}")
                } else {
                    format!("/{dir}/{name}")
                });
            }
            _ => {}
        }
    }
    finish(&mut current, &mut any, start_line, &mut warn);
    (packages, warnings)
}

fn short(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &str = "\
C:Q1tiIRi4uIwB8TiXqVWuaRwJnfNZM=
P:musl
V:1.2.4-r0
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1685104324
c:b7fb1fa4bb3fa9cd1c1a2bfbfb1b59cbdbd5b434
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1DqZQRzrnoYGMBH4R8qv1wQ4eFVc=
R:libc.musl-x86_64.so.1

P:busybox-binsh
V:1.36.1-r0
A:x86_64
L:GPL-2.0-only
o:busybox
F:bin
R:sh

P:broken
A:x86_64
";

    #[test]
    fn parses_records() {
        let (p, w) = parse_installed(DB.as_bytes());
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "musl");
        assert_eq!(p[0].version, "1.2.4-r0");
        assert_eq!(p[0].arch.as_deref(), Some("x86_64"));
        assert_eq!(p[0].license.as_deref(), Some("MIT"));
        assert_eq!(
            p[0].files,
            ["/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1"]
        );
        assert_eq!(p[1].origin.as_deref(), Some("busybox"));
        assert_eq!(p[1].files, ["/bin/sh"]);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("\"broken\" has no V:"), "{w:?}");
    }

    #[test]
    fn hostile_input() {
        let (p, w) = parse_installed(b"\xff\xfe\nP:\xff\nV:1\n\n\n::::\nR:x\n");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].files, Vec::<String>::new());
        assert!(w.iter().any(|w| w.contains("no P:")), "{w:?}");
        let cut = &DB.as_bytes()[..100];
        let _ = parse_installed(cut);
    }
}
