//! The table for `palisade dockerfile`: every finding with the offending
//! source line and a caret under the column, grouped by file.

use palisade_model::Finding;
use palisade_report::{Ignored, Target, compare_findings, escape_text};
use std::fmt::Write as _;

/// The rule whose findings are about secret values.
const SECRET_RULE: &str = "PAL-DF-008";

/// Source lines longer than this are cut around the caret.
const MAX_SHOWN: usize = 120;

pub fn render(
    target: &Target,
    findings: &[Finding],
    ignored: &[Ignored],
    sources: &[(String, Vec<String>)],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Target: {} ({})",
        escape_text(&target.input),
        target.kind
    );
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    // Per file, in line order: the way people read a file.
    sorted.sort_by(|a, b| {
        a.location
            .input
            .cmp(&b.location.input)
            .then(a.location.line.cmp(&b.location.line))
            .then(a.location.column.cmp(&b.location.column))
            .then_with(|| compare_findings(a, b))
    });
    for f in &sorted {
        let loc = &f.location;
        let _ = write!(out, "\n{}", escape_text(&loc.input));
        if let Some(l) = loc.line {
            let _ = write!(out, ":{l}");
            if let Some(c) = loc.column {
                let _ = write!(out, ":{c}");
            }
        }
        let _ = writeln!(
            out,
            " {} {} {}",
            f.severity,
            f.rule,
            escape_text(&f.message)
        );
        let line = loc.line.and_then(|l| {
            sources
                .iter()
                .find(|(p, _)| *p == loc.input)
                .and_then(|(_, lines)| lines.get(l as usize - 1))
        });
        // Never echo the line of a secret finding; redact secret-looking
        // assignments on any other line shown.
        let line = line.filter(|_| f.rule != SECRET_RULE);
        if let Some(src) = line.map(|l| palisade_model::redact_assignment(l)) {
            let col = loc.column.unwrap_or(1).max(1) as usize - 1;
            let chars: Vec<char> = src.chars().collect();
            let start = col.saturating_sub(MAX_SHOWN / 2).min(chars.len());
            let end = (start + MAX_SHOWN).min(chars.len());
            let shown: String = chars[start..end].iter().collect();
            // Tabs and control characters become one visible cell each, so the caret lines up.
            let shown: String = shown
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(out, "  | {}", escape_text(&shown));
            let _ = writeln!(out, "  | {}^", " ".repeat(col - start));
        }
        if !f.references.is_empty() {
            let _ = writeln!(out, "  = same as {}", f.references.join(", "));
        }
    }
    let _ = writeln!(out);
    if findings.is_empty() {
        out.push_str("No findings.\n");
    }
    let mut counts = Vec::new();
    for sev in palisade_model::Severity::ALL.iter().rev() {
        let n = findings.iter().filter(|f| f.severity == *sev).count();
        if n > 0 {
            counts.push(format!("{sev}: {n}"));
        }
    }
    let _ = writeln!(
        out,
        "{} findings{}{}",
        findings.len(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        if ignored.is_empty() {
            String::new()
        } else {
            format!(", {} ignored", ignored.len())
        }
    );
    out
}
