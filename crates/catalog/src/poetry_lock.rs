//! Python applications: `**/poetry.lock`, Poetry's lock file (TOML): every
//! `[[package]]` `name` and `version`, except packages whose
//! `[package.source]` is a local `directory` or `file` (the application's
//! own code, not published on PyPI). Dev-only packages are reported too:
//! the lock file alone does not say which groups were installed.

use crate::bounded;
use crate::manifest::{Listed, LockFileCataloger, push};
use serde::Deserialize;

pub const CATALOGER: LockFileCataloger = LockFileCataloger {
    name: "catalog-poetry-lock",
    patterns: &["**/poetry.lock"],
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
    version: String,
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub fn parse(content: &[u8]) -> Result<Vec<Listed>, String> {
    let lock: Lock = crate::manifest::toml_lock(content, "poetry.lock")?;
    let mut out = Vec::new();
    for p in lock.package {
        let local = p
            .source
            .as_ref()
            .and_then(|s| s.kind.as_deref())
            .is_some_and(|k| k == "directory" || k == "file");
        if local || p.name.trim().is_empty() || p.version.trim().is_empty() {
            continue;
        }
        push(
            &mut out,
            Listed {
                name: bounded(&p.name),
                version: bounded(&p.version),
                licenses: Vec::new(),
            },
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_are_skipped() {
        let lock = "[[package]]\nname = \"idna\"\nversion = \"3.7\"\n\n[[package]]\nname = \"mylib\"\nversion = \"0.1.0\"\n\n[package.source]\ntype = \"directory\"\nurl = \"../mylib\"\n\n[[package]]\nname = \"tool\"\nversion = \"1.0\"\n\n[package.source]\ntype = \"git\"\nurl = \"https://example.com/tool.git\"\n\n[metadata]\nlock-version = \"2.0\"\n";
        let got = crate::manifest::pairs(parse(lock.as_bytes()));
        assert_eq!(
            got,
            [
                ("idna".to_string(), "3.7".to_string()),
                ("tool".to_string(), "1.0".to_string())
            ]
        );
        assert!(parse(b"[[package]]\nname = 7\n").is_err());
        assert!(parse(b"\xff").is_err());
    }
}
