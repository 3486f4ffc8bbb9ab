//! The JSON renderer, for scripts.
//!
//! ```json
//! { "tool": {"name": "palisade", "version": "0.1.0"},
//!   "target": {"input": "...", "kind": "image", "digest": "sha256:...", "summary": {"Efficiency": "97.01 %"}},
//!   "findings": [ Finding, ... ],
//!   "ignored": [ {"finding": Finding, "reason": "...", "expires": "2027-01-31"}, ... ],
//!   "summary": {"CRITICAL": 1, "HIGH": 0, "MEDIUM": 0, "LOW": 0, "INFO": 0, "UNKNOWN": 0},
//!   "informational": {"unsound": 2} }
//! ```
//!
//! Keys are written in this order; findings and ignored findings are sorted
//! like every report (severity, rule, location); `summary` always has all
//! six severities, counting kept findings only and not the informational
//! advisories (warnings, marked `vulnerability.informational`), which
//! `informational` counts per kind (an empty object when there are none).

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use palisade_model::Finding;

use crate::{
    Ignored, TOOL_NAME, TOOL_VERSION, Target, counts, severities_desc, sorted, sorted_ignored,
};

#[derive(Serialize)]
struct Report<'a> {
    tool: Tool,
    target: &'a Target,
    findings: Vec<&'a Finding>,
    ignored: Vec<&'a Ignored>,
    summary: Summary,
    informational: std::collections::BTreeMap<&'a str, usize>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

struct Summary([usize; 6]);

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(6))?;
        for sev in severities_desc() {
            m.serialize_entry(sev.as_str(), &self.0[sev as usize])?;
        }
        m.end()
    }
}

pub(crate) fn render(target: &Target, findings: &[Finding], ignored: &[Ignored]) -> String {
    let report = Report {
        tool: Tool {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        target,
        findings: sorted(findings),
        ignored: sorted_ignored(ignored),
        summary: Summary(counts(findings)),
        informational: crate::informational_counts(findings),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("a report always serializes");
    s.push('\n');
    s
}

/// Serializes key/value pairs as a JSON object in their order; a repeated
/// key keeps its first value (a JSON object cannot hold it twice).
pub(crate) fn serialize_pairs<S: Serializer>(
    pairs: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(None)?;
    let mut seen = std::collections::HashSet::new();
    for (k, v) in pairs {
        if seen.insert(k.as_str()) {
            m.serialize_entry(k, v)?;
        }
    }
    m.end()
}
