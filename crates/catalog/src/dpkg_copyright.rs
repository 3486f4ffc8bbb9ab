//! dpkg package licenses: `usr/share/doc/PACKAGE/copyright`, only when it
//! is machine-readable (DEP-5: a first paragraph with a `Format:` field
//! naming the copyright-format specification). Its `License:` fields'
//! first lines (the short names, e.g. `GPL-2+`, `BSD-3-clause`) are the
//! package's licenses, each once, in order. A free-form copyright file
//! gives none: guessing a license from prose is how scanners report wrong
//! licenses.

use crate::bounded;
use palisade_image::{Analysis, Analyzer, FileRef};

/// Most licenses kept per package.
const MAX_LICENSES: usize = 64;

/// The licenses of one copyright file (empty when not machine-readable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copyright(pub Vec<String>);

pub struct DpkgCopyrightAnalyzer;

impl Analyzer for DpkgCopyrightAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-dpkg-copyright"
    }
    fn patterns(&self) -> &[&str] {
        &["usr/share/doc/*/copyright"]
    }
    fn max_size(&self) -> u64 {
        4 << 20
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        Ok(Some(Box::new(Copyright(parse(content)))))
    }
}

/// The package a copyright path documents: `usr/share/doc/NAME/copyright`.
pub fn package_of(path: &str) -> Option<&str> {
    path.strip_prefix("usr/share/doc/")?
        .strip_suffix("/copyright")
}

pub fn parse(content: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(content);
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty()).peekable();
    // The header paragraph must carry `Format:` with the spec's URL.
    let mut machine_readable = false;
    while let Some(line) = lines.next_if(|l| !l.trim().is_empty()) {
        if let Some(v) = field(line, "Format") {
            machine_readable = v.contains("copyright-format") || v.contains("dep5");
        }
    }
    if !machine_readable {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        if let Some(v) = field(line, "License") {
            let v = bounded(v);
            if !v.is_empty() && !out.contains(&v) && out.len() < MAX_LICENSES {
                out.push(v);
            }
        }
    }
    out
}

/// The value of `Name: value` on a field's first line (not a continuation).
fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let (k, v) = line.split_once(':')?;
    k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
}
