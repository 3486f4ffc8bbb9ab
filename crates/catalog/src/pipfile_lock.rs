//! Python applications: `**/Pipfile.lock`, Pipenv's lock file (JSON):
//! the `default` section (`"requests": {"version": "==2.31.0", …}`), what
//! `pipenv install --deploy` installs. The `develop` section (installed
//! only with `--dev`) is not reported, as Trivy does not; entries without a
//! pinned `==` version (editable paths, VCS checkouts) are skipped.

use crate::bounded;
use crate::manifest::{Listed, LockFileCataloger, push};
use serde_json::Value;

pub const CATALOGER: LockFileCataloger = LockFileCataloger {
    name: "catalog-pipfile-lock",
    patterns: &["**/Pipfile.lock"],
    max_size: 32 << 20,
    skip_node_modules: false,
    parse,
};

pub fn parse(content: &[u8]) -> Result<Vec<Listed>, String> {
    let v: Value =
        serde_json::from_slice(content).map_err(|e| format!("Pipfile.lock: bad JSON: {e}"))?;
    let default = v
        .get("default")
        .and_then(Value::as_object)
        .ok_or("Pipfile.lock without a default object")?;
    let mut out = Vec::new();
    for (name, entry) in default {
        let Some(version) = entry
            .get("version")
            .and_then(Value::as_str)
            .and_then(|v| v.strip_prefix("=="))
        else {
            continue;
        };
        if name.trim().is_empty() || version.trim().is_empty() {
            continue;
        }
        push(
            &mut out,
            Listed {
                name: bounded(name),
                version: bounded(version),
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
    fn default_pinned_entries_only() {
        let lock = br#"{"_meta": {"hash": {"sha256": "x"}}, "default": {"requests": {"version": "==2.31.0", "index": "pypi"}, "mine": {"editable": true, "path": "."}, "tool": {"git": "https://example.com/t.git", "ref": "abc"}}, "develop": {"pytest": {"version": "==8.0.0"}}}"#;
        let got = crate::manifest::pairs(parse(lock));
        assert_eq!(got, [("requests".to_string(), "2.31.0".to_string())]);
        assert!(parse(b"{}").is_err());
        assert!(parse(b"[1,2").is_err());
    }
}
