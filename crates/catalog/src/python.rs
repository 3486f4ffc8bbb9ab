//! Python: installed distributions, `**/*.dist-info/METADATA` (wheels,
//! pip) and `**/*.egg-info/PKG-INFO` (setuptools).

use crate::{bounded, short};
use palisade_image::{Analysis, Analyzer, FileRef};

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dist {
    /// `Name` as written (`PyYAML`); see [`normalize`] for the purl name.
    pub name: String,
    pub version: String,
    pub licenses: Vec<String>,
}

/// What the analyzer keeps of one metadata file.
#[derive(Debug, Clone)]
pub enum PythonFile {
    Dist(Dist),
    /// Not usable: why.
    Invalid(String),
    TooLarge(u64),
}

pub struct PythonAnalyzer;

impl Analyzer for PythonAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-python"
    }
    fn patterns(&self) -> &[&str] {
        &["**/*.dist-info/METADATA", "**/*.egg-info/PKG-INFO"]
    }
    fn max_size(&self) -> u64 {
        4 << 20
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        Ok(Some(Box::new(match parse_metadata(content) {
            Ok(d) => PythonFile::Dist(d),
            Err(e) => PythonFile::Invalid(e),
        })))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(PythonFile::TooLarge(file.size)))
    }
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Parses the header block of core metadata (RFC 822 style: `Key: value`
/// lines, continuation lines indented, the body after the first blank
/// line). Content is read lossily; a `Name` or `Version` that is not valid
/// UTF-8 makes the file invalid.
pub fn parse_metadata(content: &[u8]) -> Result<Dist, String> {
    let text = String::from_utf8_lossy(content);
    let mut name = None;
    let mut version = None;
    let mut license = None;
    let mut expression = None;
    let mut classifiers = Vec::new();
    let mut last_key = "";
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            // A continuation: only a multi-line License is affected, and a
            // multi-line License is license text, not a name.
            if last_key.eq_ignore_ascii_case("license") {
                license = None;
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        last_key = key.trim();
        let value = value.trim();
        match last_key.to_ascii_lowercase().as_str() {
            "name" => name = Some(value),
            "version" => version = Some(value),
            "license" => license = Some(value),
            "license-expression" => expression = Some(value),
            "classifier" => {
                if let Some(rest) = value.strip_prefix("License ::") {
                    let last = rest.rsplit("::").next().unwrap_or(rest).trim();
                    if !last.is_empty() && last != "OSI Approved" {
                        classifiers.push(bounded(last));
                    }
                }
            }
            _ => {}
        }
    }
    let name = name.filter(|n| !n.is_empty()).ok_or("no Name header")?;
    let version = version
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("distribution {:?}: no Version header", short(name)))?;
    if name.contains('\u{FFFD}') || version.contains('\u{FFFD}') {
        return Err(format!(
            "distribution {:?}: Name or Version is not valid UTF-8",
            short(name)
        ));
    }
    let licenses = if let Some(e) = expression.filter(|e| !e.is_empty()) {
        vec![bounded(e)]
    } else if let Some(l) = license.filter(|l| !l.is_empty() && *l != "UNKNOWN" && l.len() <= 200) {
        vec![bounded(l)]
    } else {
        classifiers
    };
    Ok(Dist {
        name: bounded(name),
        version: bounded(version),
        licenses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_per_pep_503() {
        assert_eq!(normalize("PyYAML"), "pyyaml");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("Foo__Bar-.-baz"), "foo-bar-baz");
        assert_eq!(normalize("typing_extensions"), "typing-extensions");
    }

    #[test]
    fn parses_headers_not_body() {
        let m = b"Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\nLicense: BSD\nClassifier: License :: OSI Approved :: BSD License\n\nName: NotThis\n";
        let d = parse_metadata(m).unwrap();
        assert_eq!(
            d,
            Dist {
                name: "Jinja2".into(),
                version: "2.10".into(),
                licenses: vec!["BSD".into()],
            }
        );
    }

    #[test]
    fn license_sources() {
        let d = parse_metadata(
            b"Name: a\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense: whatever\n",
        )
        .unwrap();
        assert_eq!(d.licenses, ["MIT OR Apache-2.0"]);
        let d = parse_metadata(b"Name: a\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python\n").unwrap();
        assert_eq!(d.licenses, ["MIT License"]);
        let d = parse_metadata(b"Name: a\nVersion: 1\nLicense: Copyright (c) x\n        Permission is hereby granted\n").unwrap();
        assert!(d.licenses.is_empty());
    }

    #[test]
    fn hostile_input() {
        assert!(parse_metadata(b"").is_err());
        assert!(
            parse_metadata(b"Name: x\n")
                .unwrap_err()
                .contains("no Version")
        );
        assert!(
            parse_metadata(b"Name: \xff\nVersion: 1\n")
                .unwrap_err()
                .contains("UTF-8")
        );
        let long = format!("Name: {}\nVersion: 1\n", "a".repeat(100_000));
        assert_eq!(parse_metadata(long.as_bytes()).unwrap().name.len(), 4096);
        assert!(parse_metadata(b"\xff\xfe\x00\x00::::\n\n").is_err());
    }
}
