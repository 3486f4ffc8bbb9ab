//! The reduced OSV record the database stores: only what matching and
//! reporting need, and only the affected entries of one package.

use serde::{Deserialize, Serialize};

/// One advisory as stored for one (ecosystem, package) key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Record-level `severity[]` vectors (CVSS_V3, CVSS_V4, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityVector>,
    /// `database_specific.severity` (GHSA: LOW, MODERATE, HIGH, CRITICAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The affected entries for this record's key only.
    pub affected: Vec<Affected>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityVector {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// Exact OSV ecosystem string, e.g. `Debian:12`, `PyPI`.
    pub ecosystem: String,
    /// Package name as the advisory spells it.
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// Affected-level `severity[]`, when the advisory has one per package.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityVector>,
    /// `ecosystem_specific.urgency` (Debian tracker urgency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// `ecosystem_specific` / `database_specific` severity of this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_severity: Option<String>,
    /// `database_specific.informational` (RustSec: `unmaintained`,
    /// `unsound`, `notice`): the advisory is a warning, not a vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER` or `ECOSYSTEM` (GIT ranges are dropped at import).
    #[serde(rename = "type")]
    pub kind: String,
    pub events: Vec<Event>,
}

/// One OSV range event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}
