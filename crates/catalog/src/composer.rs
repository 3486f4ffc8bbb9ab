//! Composer (PHP): lock files (`**/composer.lock`, `packages` and
//! `packages-dev`) and what is installed
//! (`**/vendor/composer/installed.json`, Composer 1's array or Composer 2's
//! `{"packages": […]}`).

use crate::{MAX_WARNINGS, bounded, short};
use palisade_image::{Analysis, Analyzer, FileRef};
use serde_json::Value;

/// Most packages kept from one file.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposerPackage {
    /// `vendor/name`.
    pub name: String,
    pub version: String,
    pub licenses: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum ComposerFile {
    /// `composer.lock` (`installed: false`) or `installed.json` (`true`).
    Packages {
        installed: bool,
        packages: Vec<ComposerPackage>,
        warnings: Vec<String>,
    },
    Invalid(String),
    TooLarge(u64),
}

pub struct ComposerAnalyzer;

pub const INSTALLED: &str = "vendor/composer/installed.json";

impl Analyzer for ComposerAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-composer"
    }
    fn patterns(&self) -> &[&str] {
        &["**/composer.lock", "**/vendor/composer/installed.json"]
    }
    fn max_size(&self) -> u64 {
        32 << 20
    }
    fn accept(&self, path: &str, _size: u64) -> bool {
        // A lock file shipped inside an installed package is its author's.
        path.ends_with(INSTALLED) || !path.contains("vendor/")
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        let installed = file.path.ends_with(INSTALLED);
        Ok(Some(Box::new(match parse(content, installed) {
            Ok((packages, warnings)) => ComposerFile::Packages {
                installed,
                packages,
                warnings,
            },
            Err(e) => ComposerFile::Invalid(e),
        })))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(ComposerFile::TooLarge(file.size)))
    }
}

/// Parses a lock file (`installed == false`) or an `installed.json`.
pub fn parse(
    content: &[u8],
    installed: bool,
) -> Result<(Vec<ComposerPackage>, Vec<String>), String> {
    let v: Value = serde_json::from_slice(content).map_err(|e| format!("invalid JSON: {e}"))?;
    let lists: Vec<(&str, &Value)> = match (&v, installed) {
        (Value::Array(_), true) => vec![("", &v)],
        (Value::Object(m), true) => m
            .get("packages")
            .map(|p| ("packages", p))
            .into_iter()
            .collect(),
        (Value::Object(m), false) => ["packages", "packages-dev"]
            .iter()
            .filter_map(|k| m.get(*k).map(|p| (*k, p)))
            .collect(),
        _ => return Err("not a Composer package list".to_string()),
    };
    let mut packages = Vec::new();
    let mut warnings = Vec::new();
    let mut warn = |w: String| {
        if warnings.len() < MAX_WARNINGS {
            warnings.push(w);
        } else if warnings.len() == MAX_WARNINGS {
            warnings.push("more problems not shown".to_string());
        }
    };
    for (key, list) in lists {
        let Value::Array(list) = list else {
            return Err(format!("{key:?} is not an array"));
        };
        for (i, p) in list.iter().enumerate() {
            if packages.len() >= MAX_ENTRIES {
                warn(format!(
                    "more than {MAX_ENTRIES} packages: the rest skipped"
                ));
                break;
            }
            let field = |k: &str| {
                p.get(k)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let (Some(name), Some(version)) = (field("name"), field("version")) else {
                let what = field("name").map(short).unwrap_or_else(|| format!("#{i}"));
                warn(format!("{key}: package {what:?}: no name or version"));
                continue;
            };
            let licenses = match p.get("license") {
                Some(Value::String(s)) => vec![bounded(s)],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .take(16)
                    .map(bounded)
                    .collect(),
                _ => Vec::new(),
            };
            packages.push(ComposerPackage {
                name: bounded(name),
                version: bounded(version),
                licenses,
            });
        }
    }
    Ok((packages, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_and_installed() {
        let lock =
            br#"{"packages":[{"name":"monolog/monolog","version":"1.0.0","license":["MIT"]}],
            "packages-dev":[{"name":"phpunit/phpunit","version":"9.0.0"}]}"#;
        let (p, w) = parse(lock, false).unwrap();
        assert!(w.is_empty());
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].licenses, ["MIT"]);
        let v2 = br#"{"packages":[{"name":"a/b","version":"v2.0.1","license":"BSD-3-Clause"}],"dev":true}"#;
        let (p, _) = parse(v2, true).unwrap();
        assert_eq!(p[0].version, "v2.0.1");
        let v1 = br#"[{"name":"a/b","version":"1.0.0"}]"#;
        assert_eq!(parse(v1, true).unwrap().0.len(), 1);
    }

    #[test]
    fn hostile_input() {
        assert!(parse(b"{", false).is_err());
        assert!(parse(b"[]", false).is_err());
        assert!(parse(b"\xff", true).is_err());
        assert!(parse(br#"{"packages":{}}"#, false).is_err());
        let (p, w) = parse(br#"{"packages":[1,{"name":"x/y"},{"version":"1"}]}"#, false).unwrap();
        assert!(p.is_empty());
        assert_eq!(w.len(), 3);
    }
}
