//! .NET: `**/*.deps.json`, the dependency manifest `dotnet publish` writes
//! next to an application: every `libraries` entry of type `package`
//! (`"Newtonsoft.Json/13.0.1": {"type": "package", …}`); `project` and
//! `reference` entries are the application's own assemblies.

use crate::bounded;
use crate::manifest::{Listed, LockFileCataloger, push};
use serde_json::Value;

pub const CATALOGER: LockFileCataloger = LockFileCataloger {
    name: "catalog-dotnet",
    patterns: &["**/*.deps.json"],
    max_size: 32 << 20,
    skip_node_modules: false,
    parse,
};

pub fn parse(content: &[u8]) -> Result<Vec<Listed>, String> {
    let v: Value =
        serde_json::from_slice(content).map_err(|e| format!("deps.json: bad JSON: {e}"))?;
    let libraries = v
        .get("libraries")
        .and_then(Value::as_object)
        .ok_or("deps.json without a libraries object")?;
    let mut out = Vec::new();
    for (key, lib) in libraries {
        if lib.get("type").and_then(Value::as_str) != Some("package") {
            continue;
        }
        let Some((name, version)) = key.split_once('/') else {
            continue;
        };
        if name.is_empty() || version.is_empty() {
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
