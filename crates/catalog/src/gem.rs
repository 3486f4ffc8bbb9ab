//! Ruby gems: installed gem specifications
//! (`**/specifications/*.gemspec`, as `gem install` and bundler write
//! them: Ruby source with `s.name = "rake".freeze`, `s.version = "13.0.6"`,
//! `s.licenses = ["MIT".freeze]`). Read as text, never evaluated.

use crate::bounded;
use crate::manifest::{Listed, LockFileCataloger};

pub const CATALOGER: LockFileCataloger = LockFileCataloger {
    name: "catalog-gem",
    patterns: &[
        "**/specifications/*.gemspec",
        "**/specifications/default/*.gemspec",
    ],
    max_size: 1 << 20,
    skip_node_modules: false,
    parse: parse_listed,
};

/// [`parse`] as the one-entry list the cataloger records.
fn parse_listed(content: &[u8]) -> Result<Vec<Listed>, String> {
    parse(content).map(|g| vec![g])
}

/// The quoted strings of a Ruby expression (`"a".freeze, 'b'` → a, b).
fn strings(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(start) = rest.find(['"', '\'']) {
        let quote = rest.as_bytes()[start] as char;
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else { break };
        out.push(bounded(&after[..end]));
        rest = &after[end + 1..];
    }
    out
}

pub fn parse(content: &[u8]) -> Result<Listed, String> {
    let text = String::from_utf8_lossy(content);
    let (mut name, mut version, mut licenses) = (None, None, Vec::new());
    for line in text.lines() {
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        let field = lhs.trim().rsplit('.').next().unwrap_or("");
        match field {
            "name" if name.is_none() => name = strings(rhs).into_iter().next(),
            // `s.version = "1.2.3"` (older specs: `Gem::Version.new("1.2.3")`).
            "version" if version.is_none() => version = strings(rhs).into_iter().next(),
            "license" | "licenses" => licenses.extend(strings(rhs)),
            _ => {}
        }
    }
    match (name, version) {
        (Some(name), Some(version)) if !name.is_empty() && !version.is_empty() => Ok(Listed {
            name,
            version,
            licenses,
        }),
        _ => Err("gemspec without a name and version".to_string()),
    }
}
