//! yarn lock files (`**/yarn.lock`): v1 (`"name@range", name@range2:` then
//! `  version "1.2.3"`) and berry, v2+ (YAML: `"name@npm:range":` then
//! `  version: 1.2.3`, plus `__metadata` and `workspace:` entries for the
//! project itself, which are not dependencies). Read line by line: both
//! formats put each entry's key at column 0 and its fields indented.

use crate::bounded;
use crate::manifest::{Listed, LockFileCataloger, npm_name, push};

pub const CATALOGER: LockFileCataloger = LockFileCataloger {
    name: "catalog-yarn",
    patterns: &["**/yarn.lock"],
    max_size: 32 << 20,
    skip_node_modules: true,
    parse,
};

pub fn parse(content: &[u8]) -> Result<Vec<Listed>, String> {
    let text = std::str::from_utf8(content).map_err(|_| "yarn.lock is not UTF-8".to_string())?;
    let mut out = Vec::new();
    let mut name: Option<&str> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            // An entry key: its first spec names the package.
            let key = line.trim_end().trim_end_matches(':');
            let first = key.split(',').next().unwrap_or("").trim().trim_matches('"');
            let is_project = first == "__metadata"
                || first.contains("@workspace:")
                || first.contains("@link:")
                || first.contains("@portal:");
            name = (!is_project && !first.is_empty()).then(|| npm_name(first));
            continue;
        }
        let field = line.trim();
        let version = field
            .strip_prefix("version ")
            .or_else(|| field.strip_prefix("version: "))
            .map(|v| v.trim().trim_matches('"'));
        if let (Some(n), Some(v)) = (name, version) {
            if line.len() - line.trim_start().len() != 2 {
                continue; // a nested field, not the entry's version
            }
            push(
                &mut out,
                Listed {
                    name: bounded(n),
                    version: bounded(v),
                    licenses: Vec::new(),
                },
            )?;
            name = None;
        }
    }
    if out.is_empty() && !text.contains("yarn lockfile") && !text.contains("__metadata") {
        return Err("not a yarn lock file".to_string());
    }
    Ok(out)
}
