//! npm: installed packages (`**/node_modules/NAME/package.json`,
//! `**/node_modules/@SCOPE/NAME/package.json`), lock files
//! (`**/package-lock.json`, v1 `dependencies`, v2/v3 `packages`) and the
//! hidden lock file npm ≥ 7 writes into the tree it installed
//! (`DIR/node_modules/.package-lock.json`, the v3 `packages` of what is in
//! `DIR/node_modules`). How they combine is [`crate::build`]'s business.

use crate::{MAX_WARNINGS, bounded, short};
use palisade_image::{Analysis, Analyzer, FileRef};
use serde_json::{Map, Value};

/// Largest installed `package.json` read (a lock file may be up to the
/// analyzer's limit).
pub const MAX_PACKAGE_JSON: u64 = 1 << 20;
/// Most entries kept from one lock file.
const MAX_ENTRIES: usize = 100_000;
/// Deepest v1 `dependencies` nesting followed.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmPackage {
    /// With its scope: `@types/node`.
    pub name: String,
    pub version: String,
    pub licenses: Vec<String>,
}

/// One package of a lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockEntry {
    /// Where it is installed, relative to the lock file's directory:
    /// `node_modules/a/node_modules/@s/b`.
    pub path: String,
    pub package: NpmPackage,
}

#[derive(Debug, Clone)]
pub enum NpmFile {
    Installed(NpmPackage),
    /// A `package.json` without a name or version (not a package).
    NotAPackage,
    Lock {
        entries: Vec<LockEntry>,
        warnings: Vec<String>,
    },
    /// `node_modules/.package-lock.json`: what npm installed there (entry
    /// paths are relative to the directory that holds `node_modules`).
    HiddenLock {
        entries: Vec<LockEntry>,
        warnings: Vec<String>,
    },
    Invalid(String),
    TooLarge(u64),
}

pub struct NpmAnalyzer;

impl Analyzer for NpmAnalyzer {
    fn name(&self) -> &'static str {
        "catalog-npm"
    }
    fn patterns(&self) -> &[&str] {
        &[
            "**/node_modules/*/package.json",
            "**/node_modules/@*/*/package.json",
            "**/package-lock.json",
            "**/node_modules/.package-lock.json",
        ]
    }
    fn max_size(&self) -> u64 {
        32 << 20
    }
    fn accept(&self, path: &str, _size: u64) -> bool {
        // A lock file shipped inside a published package describes its
        // author's development tree, not what is installed here.
        // Only the hidden lock file of a project's own `node_modules`
        // (npm writes no other).
        match hidden_lock_project(path) {
            Some(project) => !project.contains("node_modules/"),
            None => !(is_lock(path) && path.contains("node_modules/")),
        }
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        let out = if hidden_lock_project(file.path).is_some() {
            match parse_lock(content) {
                Ok((entries, warnings)) => NpmFile::HiddenLock { entries, warnings },
                Err(e) => NpmFile::Invalid(e),
            }
        } else if is_lock(file.path) {
            match parse_lock(content) {
                Ok((entries, warnings)) => NpmFile::Lock { entries, warnings },
                Err(e) => NpmFile::Invalid(e),
            }
        } else if file.size > MAX_PACKAGE_JSON {
            NpmFile::TooLarge(file.size)
        } else {
            match parse_package_json(content) {
                Ok(Some(p)) => NpmFile::Installed(p),
                Ok(None) => NpmFile::NotAPackage,
                Err(e) => NpmFile::Invalid(e),
            }
        };
        Ok(Some(Box::new(out)))
    }
    fn too_large(&self, file: FileRef<'_>) -> Option<Analysis> {
        Some(Box::new(NpmFile::TooLarge(file.size)))
    }
}

/// The hidden lock file's name below the project directory.
pub const HIDDEN_LOCK: &str = "node_modules/.package-lock.json";

/// For `DIR/node_modules/.package-lock.json`, `DIR/` (empty at the root).
pub fn hidden_lock_project(path: &str) -> Option<&str> {
    let dir = path.strip_suffix(HIDDEN_LOCK)?;
    (dir.is_empty() || dir.ends_with('/')).then_some(dir)
}

pub fn is_lock(path: &str) -> bool {
    path == "package-lock.json" || path.ends_with("/package-lock.json")
}

fn json(content: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(content) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("not a JSON object".to_string()),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(bounded)
}

/// `license` (a string, or the old `{"type": …}`) and the old `licenses`
/// array.
fn licenses(m: &Map<String, Value>) -> Vec<String> {
    fn one(v: &Value) -> Option<&str> {
        match v {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("type").and_then(Value::as_str),
            _ => None,
        }
    }
    let mut out: Vec<String> = Vec::new();
    if let Some(l) = m.get("license").and_then(one) {
        out.push(bounded(l));
    }
    if let Some(Value::Array(a)) = m.get("licenses") {
        out.extend(a.iter().filter_map(one).take(16).map(bounded));
    }
    out.retain(|l| !l.is_empty());
    out
}

/// An installed `package.json`: `Ok(None)` when it has no name or version.
pub fn parse_package_json(content: &[u8]) -> Result<Option<NpmPackage>, String> {
    let m = json(content)?;
    let (Some(name), Some(version)) = (string(m.get("name")), string(m.get("version"))) else {
        return Ok(None);
    };
    Ok(Some(NpmPackage {
        name,
        version,
        licenses: licenses(&m),
    }))
}

/// The package name a lock path installs: what follows its last
/// `node_modules/`.
fn name_from_path(path: &str) -> Option<&str> {
    let (_, name) = path.rsplit_once("node_modules/")?;
    (!name.is_empty()).then_some(name)
}

/// A lock file: v2/v3 `packages` (keys are install paths; the root `""`
/// and workspace members outside `node_modules` are skipped, as are
/// `link` entries), else v1 `dependencies` (nested by name).
pub fn parse_lock(content: &[u8]) -> Result<(Vec<LockEntry>, Vec<String>), String> {
    let m = json(content)?;
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    let mut warn = |w: String| {
        if warnings.len() < MAX_WARNINGS {
            warnings.push(w);
        } else if warnings.len() == MAX_WARNINGS {
            warnings.push("more problems not shown".to_string());
        }
    };
    if let Some(packages) = m.get("packages") {
        let Value::Object(packages) = packages else {
            return Err("\"packages\" is not an object".to_string());
        };
        for (path, v) in packages {
            if entries.len() >= MAX_ENTRIES {
                warn(format!(
                    "more than {MAX_ENTRIES} packages: the rest skipped"
                ));
                break;
            }
            let Some(key_name) = name_from_path(path) else {
                continue; // "" (the root project) or a workspace member
            };
            let Value::Object(v) = v else {
                warn(format!("packages[{:?}]: not an object", short(path)));
                continue;
            };
            if v.get("link").and_then(Value::as_bool) == Some(true) {
                continue; // a symlink to a workspace member
            }
            let Some(version) = string(v.get("version")) else {
                warn(format!("packages[{:?}]: no version", short(path)));
                continue;
            };
            entries.push(LockEntry {
                path: bounded(path),
                package: NpmPackage {
                    // An alias (`"x": "npm:y@1"`) records the real name.
                    name: string(v.get("name")).unwrap_or_else(|| bounded(key_name)),
                    version,
                    licenses: licenses(v),
                },
            });
        }
    } else if let Some(deps) = m.get("dependencies") {
        v1(deps, "", 0, &mut entries, &mut warn);
    }
    Ok((entries, warnings))
}

fn v1(
    deps: &Value,
    parent: &str,
    depth: usize,
    entries: &mut Vec<LockEntry>,
    warn: &mut dyn FnMut(String),
) {
    let Value::Object(deps) = deps else {
        warn(format!("{parent:?}: \"dependencies\" is not an object"));
        return;
    };
    if depth > MAX_DEPTH {
        warn(format!(
            "dependencies nested deeper than {MAX_DEPTH}: skipped"
        ));
        return;
    }
    for (name, v) in deps {
        if entries.len() >= MAX_ENTRIES {
            warn(format!(
                "more than {MAX_ENTRIES} packages: the rest skipped"
            ));
            return;
        }
        let path = if parent.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{parent}/node_modules/{name}")
        };
        let Value::Object(o) = v else {
            warn(format!("dependencies[{:?}]: not an object", short(name)));
            continue;
        };
        match string(o.get("version")) {
            Some(version) => entries.push(LockEntry {
                path: bounded(&path),
                package: NpmPackage {
                    name: bounded(name),
                    version,
                    licenses: Vec::new(),
                },
            }),
            None => warn(format!("dependencies[{:?}]: no version", short(name))),
        }
        if let Some(nested) = o.get("dependencies") {
            v1(nested, &path, depth + 1, entries, warn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_json() {
        let p = parse_package_json(br#"{"name":"@types/node","version":"20.1.0","license":"MIT"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(p.name, "@types/node");
        assert_eq!(p.licenses, ["MIT"]);
        let p = parse_package_json(
            br#"{"name":"x","version":"1.0.0","licenses":[{"type":"MIT"},"Apache-2.0"]}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.licenses, ["MIT", "Apache-2.0"]);
        assert_eq!(parse_package_json(br#"{"type":"module"}"#).unwrap(), None);
    }

    #[test]
    fn lock_v3() {
        let lock = br#"{"name":"app","lockfileVersion":3,"packages":{
            "":{"name":"app","version":"1.0.0"},
            "node_modules/a":{"version":"1.0.0","license":"MIT"},
            "node_modules/a/node_modules/@s/b":{"version":"2.0.0"},
            "node_modules/alias":{"name":"real","version":"3.0.0"},
            "packages/ws":{"version":"0.0.1"},
            "node_modules/ws":{"resolved":"packages/ws","link":true},
            "node_modules/bad":{}
        }}"#;
        let (e, w) = parse_lock(lock).unwrap();
        let got: Vec<(&str, &str, &str)> = e
            .iter()
            .map(|e| {
                (
                    e.path.as_str(),
                    e.package.name.as_str(),
                    e.package.version.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("node_modules/a", "a", "1.0.0"),
                ("node_modules/a/node_modules/@s/b", "@s/b", "2.0.0"),
                ("node_modules/alias", "real", "3.0.0"),
            ]
        );
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn lock_v1() {
        let lock = br#"{"lockfileVersion":1,"dependencies":{
            "a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}},
            "@s/c":{"version":"3.0.0"}
        }}"#;
        let (e, w) = parse_lock(lock).unwrap();
        let mut got: Vec<(&str, &str)> = e
            .iter()
            .map(|e| (e.path.as_str(), e.package.name.as_str()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("node_modules/@s/c", "@s/c"),
                ("node_modules/a", "a"),
                ("node_modules/a/node_modules/b", "b"),
            ]
        );
        assert!(w.is_empty());
    }

    #[test]
    fn hostile_input() {
        assert!(parse_lock(b"{").unwrap_err().contains("invalid JSON"));
        assert!(parse_lock(b"[]").unwrap_err().contains("not a JSON object"));
        assert!(parse_lock(b"\"\xff\"").is_err());
        assert!(parse_lock(br#"{"packages":[]}"#).is_err());
        assert!(parse_package_json(b"\xff\xfe").is_err());
        let (e, w) = parse_lock(br#"{"dependencies":{"a":1,"b":{"version":7}}}"#).unwrap();
        assert!(e.is_empty());
        assert_eq!(w.len(), 2);
        // Deep nesting: serde_json's own recursion limit answers first.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_lock(deep.as_bytes()).is_err());
    }
}
