//! GitLab Code Quality report (a JSON array of issues, the CodeClimate
//! subset GitLab reads): `description`, `check_name`, `fingerprint`,
//! `severity` (`info`, `minor`, `major`, `critical`, `blocker`) and
//! `location.path` / `location.lines.begin`.

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use palisade_model::{Finding, Severity};

use crate::sorted;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

pub(crate) fn render(findings: &[Finding]) -> String {
    let issues: Vec<Issue<'_>> = sorted(findings)
        .into_iter()
        .map(|f| Issue {
            description: format!("{}: {}", f.title, f.message),
            check_name: &f.rule,
            fingerprint: fingerprint(f),
            severity: severity(f.severity),
            location: IssueLocation {
                path: &f.location.input,
                lines: Lines {
                    begin: f.location.line.unwrap_or(1),
                },
            },
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info | Severity::Unknown => "info",
    }
}

/// Stable across runs and unaffected by the order of findings, so GitLab
/// can tell new issues from old ones.
fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    for part in [
        f.rule.as_str(),
        f.location.input.as_str(),
        f.location.path.as_deref().unwrap_or(""),
        &f.location.line.unwrap_or(0).to_string(),
        &f.location.column.unwrap_or(0).to_string(),
        f.message.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
