//! pnpm lock files (`**/pnpm-lock.yaml`): the keys of the `packages:`
//! section, which name every installed package with its version, in each
//! lock format: v5 `/name/1.2.3:`, v6 `/name@1.2.3:`, v9 `name@1.2.3:`,
//! scoped `/@scope/name@1.2.3(peer@2.0.0):` (peer suffixes dropped).
//! Read line by line (the keys sit at two spaces of indentation).

use crate::bounded;
use crate::manifest::{Listed, LockFileCataloger, push};

pub const CATALOGER: LockFileCataloger = LockFileCataloger {
    name: "catalog-pnpm",
    patterns: &["**/pnpm-lock.yaml"],
    max_size: 32 << 20,
    skip_node_modules: true,
    parse,
};

pub fn parse(content: &[u8]) -> Result<Vec<Listed>, String> {
    let text =
        std::str::from_utf8(content).map_err(|_| "pnpm-lock.yaml is not UTF-8".to_string())?;
    if !text.lines().any(|l| l.starts_with("lockfileVersion")) {
        return Err("not a pnpm lock file (no lockfileVersion)".to_string());
    }
    let mut out = Vec::new();
    let mut in_packages = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_packages = line.trim_end() == "packages:";
            continue;
        }
        if !in_packages || !line.starts_with("  ") || line[2..].starts_with(' ') {
            continue;
        }
        let key = line
            .trim()
            .trim_end_matches(':')
            .trim_matches(|c| c == '\'' || c == '"');
        if let Some((name, version)) = split_key(key) {
            push(
                &mut out,
                Listed {
                    name: bounded(name),
                    version: bounded(version),
                    licenses: Vec::new(),
                },
            )?;
        }
    }
    Ok(out)
}

/// (name, version) of a `packages:` key; `None` for non-registry entries
/// (`file:`, `link:`, git URLs, tarball URLs).
fn split_key(key: &str) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    // Peer-dependency suffixes: `(react@18.2.0)` (v6+) or `_react@18.2.0` (v5).
    let key = key.split('(').next()?;
    if key.contains(':') {
        return None;
    }
    // v5: `name/1.2.3` or `@scope/name/1.2.3`, the last segment a version.
    let v5 = key
        .rfind('/')
        .filter(|&i| key[i + 1..].starts_with(|c: char| c.is_ascii_digit()));
    let (name, version) = match v5 {
        Some(i) => (&key[..i], key[i + 1..].split('_').next()?),
        None => {
            let (i, _) = key.char_indices().skip(1).find(|&(_, c)| c == '@')?;
            (&key[..i], &key[i + 1..])
        }
    };
    let ok = !name.is_empty() && version.starts_with(|c: char| c.is_ascii_digit());
    ok.then_some((name, version))
}
