//! Renderers, the ignore file and the gate, shared by every palisade command
//! that produces [`Finding`]s (`palisade image`, `palisade dockerfile`, …).
//!
//! The flow of a command is:
//!
//! ```text
//! findings ─► IgnoreFile::apply ─► (kept, ignored) ─► render(format, …) ─► stdout
//!                                        └──────────► gate::tripped(kept, fail_on) ─► exit code
//! ```
//!
//! - [`render`] writes one of three formats: [`Format::Table`] for people,
//!   [`Format::Json`] for scripts, [`Format::Sarif`] (2.1.0) for code-scanning
//!   dashboards. Every format orders findings the same way: severity
//!   (CRITICAL first), then rule id, then location.
//! - [`ignore::IgnoreFile`] is the TOML ignore file (`--ignore-file`).
//! - [`gate::tripped`] decides whether `--fail-on SEVERITY` trips.
//! - Informational advisories (RustSec `unmaintained` / `unsound` /
//!   `notice`, marked by `Vulnerability::informational`) are warnings:
//!   every format shows and marks them, no severity count or gate counts them.

mod checkstyle;
pub mod cyclonedx;
mod cyclonedx_vulns;
pub mod gate;
mod gitlab;
pub mod ignore;
mod json;
mod sarif;
pub mod spdx;
mod table;
mod table_vulns;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub use cyclonedx::SbomDoc;
pub use ignore::Ignored;
pub use palisade_model::{Finding, Location, Severity};

/// The tool's name, as written in JSON and SARIF output.
pub const TOOL_NAME: &str = "palisade";
/// The tool's version, as written in JSON and SARIF output.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where to read about the tool (SARIF `informationUri`).
pub const TOOL_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// Documentation of one rule, for SARIF `rules` and for `--help`-style listings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleDoc {
    /// Stable id, e.g. `PAL-IMG-005`.
    pub id: &'static str,
    /// Short title, e.g. "Private key in image".
    pub title: &'static str,
    /// Default severity of the rule's findings.
    pub severity: Severity,
    /// One paragraph: why this matters.
    pub rationale: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// The same rule in other tools, e.g. `["CIS-DI-0008", "CIS 4.8"]`.
    pub peer_ids: &'static [&'static str],
    /// Links to further reading.
    pub references: &'static [&'static str],
}

/// What the report is about.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Target {
    /// The image reference or the file, as the user gave it.
    pub input: String,
    /// `"image"` or `"dockerfile"`.
    pub kind: &'static str,
    /// The image's manifest digest, when known.
    pub digest: Option<String>,
    /// Extra key/value lines shown above the table, e.g. `("Efficiency", "97.01 %")`.
    /// In JSON this is an object (keys in this order; a repeated key keeps its first value).
    #[serde(serialize_with = "json::serialize_pairs")]
    pub summary: Vec<(String, String)>,
}

/// Output format of [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// One JSON document for scripts.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// Checkstyle XML, for CI systems that read it.
    Checkstyle,
    /// GitLab Code Quality JSON.
    Gitlab,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Checkstyle,
        Format::Gitlab,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Checkstyle => "checkstyle",
            Format::Gitlab => "gitlab",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`Format::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?} (expected one of table, json, sarif, checkstyle, gitlab)")]
pub struct FormatParseError(pub String);

impl FromStr for Format {
    type Err = FormatParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| FormatParseError(s.to_string()))
    }
}

/// Renders a report. `findings` are the kept findings, `ignored` those an
/// ignore file suppressed, `rules` the documentation of every rule the
/// command knows (only those used by a finding are written to SARIF).
/// Findings may come in any order; the output is sorted. The text ends
/// with a newline.
pub fn render(
    format: Format,
    target: &Target,
    findings: &[Finding],
    ignored: &[Ignored],
    rules: &[RuleDoc],
) -> String {
    match format {
        Format::Table => table::render(target, findings, ignored),
        Format::Json => json::render(target, findings, ignored),
        Format::Sarif => sarif::render(target, findings, ignored, rules),
        Format::Checkstyle => checkstyle::render(findings),
        Format::Gitlab => gitlab::render(findings),
    }
}

/// The order of every report: severity (CRITICAL first), then rule id, then
/// location (input, path, layer, line, column), then title and message so
/// that the order is total.
pub fn compare_findings(a: &Finding, b: &Finding) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| a.location.input.cmp(&b.location.input))
        .then_with(|| a.location.path.cmp(&b.location.path))
        .then_with(|| a.location.layer.cmp(&b.location.layer))
        .then_with(|| a.location.line.cmp(&b.location.line))
        .then_with(|| a.location.column.cmp(&b.location.column))
        .then_with(|| a.title.cmp(&b.title))
        .then_with(|| a.message.cmp(&b.message))
}

/// `findings` sorted by [`compare_findings`], by reference.
pub(crate) fn sorted(findings: &[Finding]) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by(|a, b| compare_findings(a, b));
    v
}

/// `ignored` sorted by their findings, by reference.
pub(crate) fn sorted_ignored(ignored: &[Ignored]) -> Vec<&Ignored> {
    let mut v: Vec<&Ignored> = ignored.iter().collect();
    v.sort_by(|a, b| compare_findings(&a.finding, &b.finding));
    v
}

/// Number of findings per severity, indexed like [`Severity::ALL`];
/// informational advisories (warnings) are not counted.
pub(crate) fn counts(findings: &[Finding]) -> [usize; 6] {
    let mut c = [0usize; 6];
    for f in findings.iter().filter(|f| f.informational().is_none()) {
        c[f.severity as usize] += 1;
    }
    c
}

/// Informational advisories per kind (`unmaintained`, `unsound`,
/// `notice`, ...), in kind order.
pub(crate) fn informational_counts(
    findings: &[Finding],
) -> std::collections::BTreeMap<&str, usize> {
    let mut c = std::collections::BTreeMap::new();
    for kind in findings.iter().filter_map(|f| f.informational()) {
        *c.entry(kind).or_insert(0) += 1;
    }
    c
}

/// Severities from CRITICAL down to UNKNOWN.
pub(crate) fn severities_desc() -> impl Iterator<Item = Severity> {
    Severity::ALL.into_iter().rev()
}

/// Escapes characters that could change what a terminal shows: control
/// characters (C0, DEL, C1: `\n`, `\r`, `\t` by name, others as `\xNN`),
/// line and paragraph separators, and invisible formatting characters such
/// as bidirectional overrides (`\u{202e}`). Everything else, including
/// backslashes, is kept as is: this protects the display, it is not a
/// reversible encoding. Findings carry text from hostile images and files,
/// so the table renderer passes every field through this.
pub fn escape_text(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00ad}'                 // soft hyphen
            | '\u{061c}'               // Arabic letter mark
            | '\u{180e}'               // Mongolian vowel separator
            | '\u{200b}'..='\u{200f}'  // zero-width spaces and joiners, LRM, RLM
            | '\u{2028}'..='\u{202e}'  // line/paragraph separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{2069}'  // word joiner, invisible operators, bidi isolates
            | '\u{feff}'               // zero-width no-break space (BOM)
            | '\u{fff9}'..='\u{fffb}'  // interlinear annotations
        )
}
