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

/// What a group of vulnerabilities is about: package, version, ecosystem, path.
type PackageKey = (String, String, String, String);

/// `findings` are vulnerability findings, already in report order.
pub(crate) fn render(out: &mut String, findings: &[&Finding], max_width: usize) {
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
    let _ = writeln!(out, "Vulnerabilities by package:");
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
        let _ = writeln!(
            out,
            "{} {} [{}] {}: {} vulnerabilit{} (worst {}), {} with a fix",
            escape_text(package),
            escape_text(version),
            escape_text(ecosystem),
            if path.is_empty() {
                "-".into()
            } else {
                escape_text(path)
            },
            list.len(),
            if list.len() == 1 { "y" } else { "ies" },
            worst.as_str(),
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
                    (f.severity.as_str(), SEV_WIDTH),
                    (&id, id_w),
                    (&fixed, fixed_w),
                    (&summary, 0),
                ],
            );
            let detail = format!(
                "{}; {}; severity from {}",
                v.affected_range,
                v.advisories.join(", "),
                v.severity_source
            );
            let indent = 4 + SEV_WIDTH;
            for l in wrap(&escape_text(&detail), max_width - indent) {
                let _ = writeln!(out, "{:indent$}{l}", "");
            }
        }
    }
}
