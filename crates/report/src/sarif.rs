//! The SARIF 2.1.0 renderer, for code-scanning dashboards.
//!
//! One run; `tool.driver.rules` holds one rule per rule id that a finding
//! (kept or ignored) uses, sorted by id; results are the kept findings in
//! report order, then the ignored ones, which carry a `suppressions` entry
//! (`kind: external`, the ignore file's reason as justification): SARIF's
//! way of saying "found, and deliberately accepted".
//!
//! Locations: for an image finding with a path, the artifact URI is the
//! path inside the image without its leading `/` (percent-encoded), and the
//! image reference goes in the result's `properties.image`; for a finding
//! in a text input (a Dockerfile), the URI is that input with a region
//! (`startLine`, `startColumn`). A finding without a path or line points at
//! its input.
//!
//! Hand-written serde structs rather than the `serde-sarif` crate: the few
//! objects palisade emits are written in a fixed key order, and the build
//! does not carry a generated model of the whole schema.

use std::collections::BTreeMap;

use serde::Serialize;

use palisade_model::{Finding, Severity};

use crate::{Ignored, RuleDoc, TOOL_NAME, TOOL_URI, TOOL_VERSION, Target, sorted, sorted_ignored};

pub(crate) const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    results: Vec<SarifResult>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    target: &'a Target,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, String>,
}

/// SARIF `level` of a severity: CRITICAL/HIGH → error, MEDIUM → warning,
/// the rest → note.
pub(crate) fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info | Severity::Unknown => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score as a string).
pub(crate) fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info | Severity::Unknown => "0.0",
    }
}

pub(crate) fn render(
    target: &Target,
    findings: &[Finding],
    ignored: &[Ignored],
    docs: &[RuleDoc],
) -> String {
    let kept = sorted(findings);
    let ignored = sorted_ignored(ignored);

    // One rule per id used, sorted by id; the first finding of an id that
    // has no RuleDoc stands in for its documentation.
    let mut used: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in kept
        .iter()
        .copied()
        .chain(ignored.iter().map(|i| &i.finding))
    {
        used.entry(f.rule.as_str()).or_insert(f);
    }
    let rules: Vec<Rule> = used
        .iter()
        .map(|(id, f)| match docs.iter().find(|d| d.id == *id) {
            Some(doc) => rule_from_doc(doc),
            None => rule_from_finding(f),
        })
        .collect();
    let index = |id: &str| used.keys().position(|k| *k == id).unwrap_or(0);

    let mut results: Vec<SarifResult> = kept
        .iter()
        .map(|f| result(f, index(&f.rule), target))
        .collect();
    for i in &ignored {
        let mut r = result(&i.finding, index(&i.finding.rule), target);
        let mut properties = BTreeMap::new();
        if let Some(e) = &i.expires {
            properties.insert("expires", e.clone());
        }
        r.suppressions.push(Suppression {
            kind: "external",
            status: "accepted",
            justification: i.reason.clone(),
            properties,
        });
        results.push(r);
    }

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    version: TOOL_VERSION,
                    semantic_version: TOOL_VERSION,
                    information_uri: TOOL_URI,
                    rules,
                },
            },
            results,
            properties: RunProperties { target },
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).expect("a SARIF log always serializes");
    s.push('\n');
    s
}

fn rule_from_doc(doc: &RuleDoc) -> Rule {
    let mut tags = vec!["security".to_string()];
    tags.extend(doc.peer_ids.iter().map(|s| s.to_string()));
    Rule {
        id: doc.id.to_string(),
        name: pascal_case(doc.title, doc.id),
        short_description: Text {
            text: non_empty(doc.title, doc.id),
        },
        full_description: Text {
            text: non_empty(doc.rationale, doc.title),
        },
        help: (!doc.fix.trim().is_empty()).then(|| Text {
            text: doc.fix.to_string(),
        }),
        help_uri: doc
            .references
            .iter()
            .find(|r| r.starts_with("https://") || r.starts_with("http://"))
            .map(|r| r.to_string()),
        default_configuration: Configuration {
            level: level(doc.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(doc.severity),
        },
    }
}

fn rule_from_finding(f: &Finding) -> Rule {
    Rule {
        id: f.rule.clone(),
        name: pascal_case(&f.title, &f.rule),
        short_description: Text {
            text: non_empty(&f.title, &f.rule),
        },
        full_description: Text {
            text: non_empty(&f.title, &f.rule),
        },
        help: f
            .fix
            .as_ref()
            .filter(|x| !x.trim().is_empty())
            .map(|x| Text { text: x.clone() }),
        help_uri: f
            .references
            .iter()
            .find(|r| r.starts_with("https://") || r.starts_with("http://"))
            .cloned(),
        default_configuration: Configuration {
            level: level(f.severity),
        },
        properties: RuleProperties {
            tags: vec!["security".into()],
            security_severity: security_severity(f.severity),
        },
    }
}

fn result(f: &Finding, rule_index: usize, target: &Target) -> SarifResult {
    let loc = &f.location;
    let (uri, region) = match (&loc.path, loc.line) {
        (Some(path), _) => {
            let rel = path.trim_start_matches('/');
            (encode_uri(if rel.is_empty() { "/" } else { rel }), None)
        }
        (None, line) => (
            encode_uri(&loc.input),
            line.filter(|l| *l >= 1).map(|start_line| Region {
                start_line,
                start_column: loc.column.filter(|c| *c >= 1),
            }),
        ),
    };
    let mut properties = BTreeMap::new();
    properties.insert("severity", f.severity.as_str().to_string());
    properties.insert("title", f.title.clone());
    if target.kind == "image" {
        properties.insert("image", loc.input.clone());
    }
    if let Some(path) = &loc.path {
        properties.insert("path", path.clone());
    }
    if let Some(layer) = &loc.layer {
        properties.insert("layer", layer.clone());
    }
    // An informational advisory is a warning whatever its rating: a note.
    let level = match f.informational() {
        Some(kind) => {
            properties.insert("informational", kind.to_string());
            "note"
        }
        None => level(f.severity),
    };
    SarifResult {
        rule_id: f.rule.clone(),
        rule_index,
        level,
        message: Text {
            text: non_empty(&f.message, &f.title),
        },
        locations: vec![SarifLocation {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri },
                region,
            },
        }],
        suppressions: Vec::new(),
        properties,
    }
}

fn non_empty(s: &str, fallback: &str) -> String {
    if s.trim().is_empty() { fallback } else { s }.to_string()
}

/// "Setuid binary in /usr" → "SetuidBinaryInUsr" (SARIF's `name` is an
/// identifier-like string); `fallback` when nothing alphanumeric remains.
fn pascal_case(title: &str, fallback: &str) -> String {
    let mut out = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(c) = chars.next() {
            out.push(c.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, `/` and
/// sub-delimiters; a `:` before the first `/` is encoded too, so that a
/// relative path is never read as a URI scheme. References that start with
/// a scheme (`docker://…`, `oci:…`) keep it.
pub(crate) fn encode_uri(s: &str) -> String {
    let scheme_len = scheme_len(s);
    let mut out = String::with_capacity(s.len());
    let mut seen_slash = false;
    for (i, b) in s.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            )
            || (b == b':' && (seen_slash || i < scheme_len));
        if b == b'/' {
            seen_slash = true;
        }
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Length of a leading `scheme:` (including the colon) for the transports
/// palisade knows, else 0.
fn scheme_len(s: &str) -> usize {
    [
        "docker://",
        "oci:",
        "oci-archive:",
        "docker-archive:",
        "docker-daemon:",
        "file:",
    ]
    .iter()
    .find(|p| s.starts_with(**p))
    .map_or(0, |p| p.find(':').map_or(0, |i| i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encoding() {
        assert_eq!(encode_uri("usr/bin/su"), "usr/bin/su");
        assert_eq!(
            encode_uri("usr/share/a b#c?d%e"),
            "usr/share/a%20b%23c%3Fd%25e"
        );
        assert_eq!(encode_uri("a:b/c:d"), "a%3Ab/c:d");
        assert_eq!(
            encode_uri("docker://reg.example/app:1.0"),
            "docker://reg.example/app:1.0"
        );
        assert_eq!(encode_uri("oci:/tmp/layout:tag"), "oci:/tmp/layout:tag");
        assert_eq!(encode_uri("alpine:3.19"), "alpine%3A3.19");
        assert_eq!(encode_uri("é\n"), "%C3%A9%0A");
    }

    #[test]
    fn pascal_names() {
        assert_eq!(
            pascal_case("Setuid binary in /usr", "X"),
            "SetuidBinaryInUsr"
        );
        assert_eq!(pascal_case("  --  ", "PAL-1"), "PAL-1");
    }
}
