//! The table's vulnerability section: findings grouped by package (name,
//! version, ecosystem, where it is installed), packages with the worst
//! vulnerability first; per vulnerability its severity, id, fixed version
//! and summary, then the range and advisories that matched.

use std::fmt::Write as _;

use palisade_model::{Finding, Severity};

use crate::escape_text;
use crate::table::{line, truncate, width, wrap};

const SEV_WIDTH: usize = 8;
const MAX_SUMMARY: usize = 60;
/// Longest informational kind shown in the severity column.
const MAX_KIND: usize = 16;

/// What a group of vulnerabilities is about: package, version, ecosystem, path.
type PackageKey = (String, String, String, String);

/// `findings` are vulnerability findings, already in report order, shown
/// under `heading`.
pub(crate) fn render(out: &mut String, heading: &str, findings: &[&Finding], max_width: usize) {
    // (package, version, ecosystem, path) → findings, in first-seen order:
    // the report order puts the worst first, so the worst package leads.
    let mut groups: Vec<(PackageKey, Vec<&Finding>)> = Vec::new();
    for f in findings {
        let Some(v) = f.vulnerability.as_deref() else {
            continue;
        };
        let key = (
            v.package.clone(),
            v.installed_version.clone(),
            v.ecosystem.clone(),
            f.location.path.clone().unwrap_or_default(),
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(f),
            None => groups.push((key, vec![f])),
        }
    }
    let _ = writeln!(out, "{heading}");
    // A warning says its kind (UNMAINTAINED, ...) where a vulnerability
    // says its severity.
    let label = |f: &Finding| match f.informational() {
        Some(kind) => truncate(&escape_text(kind).to_uppercase(), MAX_KIND),
        None => f.severity.as_str().to_string(),
    };
    let sev_w = findings
        .iter()
        .map(|f| width(&label(f)))
        .max()
        .unwrap_or(0)
        .max(SEV_WIDTH);
    let id_w = findings
        .iter()
        .map(|f| width(&escape_text(&f.rule)))
        .max()
        .unwrap_or(2)
        .max(2);
    let fixed_w = findings
        .iter()
        .filter_map(|f| f.vulnerability.as_deref()?.fixed_version.as_deref())
        .map(|v| width(&escape_text(v)))
        .max()
        .unwrap_or(0)
        .max("(none)".len());
    for ((package, version, ecosystem, path), list) in &groups {
        let worst = list
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Unknown);
        let fixable = list
            .iter()
            .filter(|f| {
                f.vulnerability
                    .as_deref()
                    .is_some_and(|v| v.fixed_version.is_some())
            })
            .count();
        out.push('\n');
        let (noun, worst) = if list.iter().all(|f| f.informational().is_some()) {
            (
                if list.len() == 1 {
                    "warning"
                } else {
                    "warnings"
                },
                String::new(),
            )
        } else {
            (
                if list.len() == 1 {
                    "vulnerability"
                } else {
                    "vulnerabilities"
                },
                format!(" (worst {})", worst.as_str()),
            )
        };
        let _ = writeln!(
            out,
            "{} {} [{}] {}: {} {noun}{worst}, {} with a fix",
            escape_text(package),
            escape_text(version),
            escape_text(ecosystem),
            if path.is_empty() {
                "-".into()
            } else {
                escape_text(path)
            },
            list.len(),
            fixable,
        );
        for f in list {
            let v = f.vulnerability.as_deref().expect("grouped above");
            let id = escape_text(&f.rule);
            let fixed = v
                .fixed_version
                .as_deref()
                .map(|x| escape_text(x).into_owned())
                .unwrap_or_else(|| "(none)".into());
            // The title is "package version: summary": keep the summary.
            let prefix = format!("{} {}: ", v.package, v.installed_version);
            let summary = f.title.strip_prefix(&prefix).unwrap_or(&f.title);
            let summary = truncate(&escape_text(summary), MAX_SUMMARY);
            line(
                out,
                &[
                    ("", 0),
                    (&label(f), sev_w),
                    (&id, id_w),
                    (&fixed, fixed_w),
                    (&summary, 0),
                ],
            );
            let detail = format!(
                "{}; {}; {}",
                v.affected_range,
                v.advisories.join(", "),
                // "none" is vulndb's source of a record that rates nothing.
                if v.severity_source == "none" {
                    "the record gives no severity".to_string()
                } else {
                    format!("severity from {}", v.severity_source)
                }
            );
            let indent = 4 + sev_w;
            for l in wrap(&escape_text(&detail), max_width - indent) {
                let _ = writeln!(out, "{:indent$}{l}", "");
            }
        }
    }
}
