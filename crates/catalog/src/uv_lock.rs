//! Python applications: `**/uv.lock`, uv's lock file (TOML): every
//! `[[package]]` `name` and `version` whose `source` is a registry, a git
//! repository or a URL. Local sources are the application's own code, not
//! published on PyPI, and are skipped: the root project (`virtual = "."`
//! when it has no build system, `editable = "."` when it has one), other
//! `editable` and `directory` packages, and `path` archives (as Poetry's
//! `directory` and `file` sources). A package without a `version` (uv
//! omits it for dynamic-version local projects) is skipped too.
//! Dependency-group (dev) packages are reported: the lock file alone does
//! not say which groups were installed.

use crate::bounded;
use crate::manifest::{Listed, LockFileCataloger, push};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const CATALOGER: LockFileCataloger = LockFileCataloger {
    name: "catalog-uv-lock",
    patterns: &["**/uv.lock"],
    max_size: 32 << 20,
    skip_node_modules: false,
    parse,
};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: Option<String>,
    /// One key naming the kind: `registry`, `git`, `url`, `path`,
    /// `directory`, `editable`, `virtual`.
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
}

const LOCAL: [&str; 4] = ["virtual", "editable", "directory", "path"];

pub fn parse(content: &[u8]) -> Result<Vec<Listed>, String> {
    let lock: Lock = crate::manifest::toml_lock(content, "uv.lock")?;
    let mut out = Vec::new();
    for p in lock.package {
        if p.source.keys().any(|k| LOCAL.contains(&k.as_str())) {
            continue;
        }
        let name = bounded(&p.name);
        let version = bounded(p.version.as_deref().unwrap_or(""));
        if name.is_empty() || version.is_empty() {
            continue;
        }
        push(
            &mut out,
            Listed {
                name,
                version,
                licenses: Vec::new(),
            },
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::pairs;

    #[test]
    fn local_sources_are_skipped() {
        let lock = r#"version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }

[[package]]
name = "lib"
version = "0.2.0"
source = { editable = "lib" }

[[package]]
name = "wheel-here"
version = "1.0"
source = { path = "dist/wheel_here-1.0-py3-none-any.whl" }

[[package]]
name = "tool"
version = "1.0"
source = { git = "https://example.com/tool.git?rev=abc#abc" }

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "dynamic"
source = { registry = "https://pypi.org/simple" }
"#;
        assert_eq!(
            pairs(parse(lock.as_bytes())),
            [
                ("tool".to_string(), "1.0".to_string()),
                ("idna".to_string(), "3.7".to_string())
            ]
        );
        assert!(parse(b"[[package]]\nname = 7\n").is_err());
        assert!(parse(b"[[package]\n").is_err());
        assert!(parse(b"\xff").is_err());
        assert!(
            parse(b"[[package]]\nname = \" \"\nversion = \"1\"\n")
                .unwrap()
                .is_empty()
        );
    }
}
