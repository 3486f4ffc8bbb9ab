//! Findings and severities.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad a finding is. Ordered: `Unknown < Info < Low < Medium < High < Critical`,
/// so a gate is `finding.severity >= threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Unknown,
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 6] = [
        Severity::Unknown,
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Info => "INFO",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?} (expected one of UNKNOWN, INFO, LOW, MEDIUM, HIGH, CRITICAL)")]
pub struct SeverityParseError(pub String);

impl FromStr for Severity {
    type Err = SeverityParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| SeverityParseError(s.to_string()))
    }
}

/// Where a finding points.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Location {
    /// The input: a Dockerfile path or an image reference.
    pub input: String,
    /// A path inside an image, when the finding is about a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The layer (diff-id) that holds the evidence, for image findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// 1-based line and column, for text inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

/// One problem found by any part of palisade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, e.g. `PAL-DF-001`.
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// For a vulnerability of an installed package: what it is about, in
    /// fields (JSON output, CycloneDX, suppression by alias or package).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<Box<Vulnerability>>,
}

impl Finding {
    /// The informational kind when this finding is an informational
    /// advisory (a warning, not a vulnerability).
    pub fn informational(&self) -> Option<&str> {
        self.vulnerability.as_deref()?.informational.as_deref()
    }
}

/// The structured part of a vulnerability finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The id reported (a CVE when the advisories have one); also the finding's `rule`.
    pub id: String,
    /// Other ids of the same vulnerability (GHSA, PYSEC, distro ids, CVE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The advisories that matched (the data sources' own ids).
    pub advisories: Vec<String>,
    /// Where the advisories come from, e.g. `OSV`.
    pub data_source: String,
    pub package: String,
    pub installed_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// OSV ecosystem, e.g. `Debian:12`, `PyPI`.
    pub ecosystem: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub purl: String,
    /// The source package looked up, for distro packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_package: Option<String>,
    /// The affected range that contains the installed version.
    pub affected_range: String,
    /// What gave the severity (`CVSS_V3 7.5`, `GHSA database_specific.severity HIGH`).
    pub severity_source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_vector: Option<String>,
    /// Set when the advisory is informational (RustSec `unmaintained`,
    /// `unsound`, `notice`): a warning, not a vulnerability; the gate
    /// (`--fail-on`) does not count it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
}

// The score is a finite CVSS score (never NaN), so equality is total.
impl Eq for Vulnerability {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Unknown < Severity::Info);
        assert_eq!("high".parse::<Severity>().unwrap(), Severity::High);
        assert_eq!(
            " Critical ".parse::<Severity>().unwrap(),
            Severity::Critical
        );
        let err = "severe".parse::<Severity>().unwrap_err();
        assert!(err.to_string().contains("severe"));
    }

    #[test]
    fn finding_json_shape() {
        let f = Finding {
            rule: "PAL-X".into(),
            severity: Severity::Low,
            title: "t".into(),
            message: "m".into(),
            location: Location {
                input: "img".into(),
                ..Default::default()
            },
            fix: None,
            references: vec![],
            vulnerability: None,
        };
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["severity"], "LOW");
        assert!(v.get("fix").is_none());
        assert!(v["location"].get("line").is_none());
    }
}
