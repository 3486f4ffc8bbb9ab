//! The severity gate behind `--fail-on SEVERITY`.

use palisade_model::{Finding, Severity};

/// Whether any kept finding is at or above `fail_on`. No threshold never
/// trips. Severities are ordered `UNKNOWN < INFO < LOW < MEDIUM < HIGH <
/// CRITICAL`, so `--fail-on LOW` does not trip on an UNKNOWN finding.
/// Pass only the kept findings: ignored ones never trip the gate, nor do
/// informational advisories (warnings, as `cargo audit` treats them).
pub fn tripped(findings: &[Finding], fail_on: Option<Severity>) -> bool {
    !tripping(findings, fail_on).is_empty()
}

/// The findings that trip the gate, in input order (for a CLI message such
/// as "2 findings at or above HIGH").
pub fn tripping(findings: &[Finding], fail_on: Option<Severity>) -> Vec<&Finding> {
    match fail_on {
        None => Vec::new(),
        Some(threshold) => findings
            .iter()
            .filter(|f| f.severity >= threshold && f.informational().is_none())
            .collect(),
    }
}
