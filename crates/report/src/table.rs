//! The table renderer, for people.

use std::fmt::Write as _;

use palisade_model::Finding;

use crate::{Ignored, Target, counts, escape_text, severities_desc, sorted};

/// Total width the message lines wrap at.
const WIDTH: usize = 100;
/// Titles longer than this are cut with an ellipsis (the full title is in JSON and SARIF).
const MAX_TITLE: usize = 50;
/// Width of the SEVERITY column ("CRITICAL").
const SEV_WIDTH: usize = 8;

pub(crate) fn render(target: &Target, findings: &[Finding], ignored: &[Ignored]) -> String {
    let mut out = String::new();
    header(&mut out, target);
    out.push('\n');

    if findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        // Vulnerabilities get their own section, grouped by package, and
        // informational advisories (warnings) another one after it.
        let (vulns, others): (Vec<&Finding>, Vec<&Finding>) = sorted(findings)
            .into_iter()
            .partition(|f| f.vulnerability.is_some());
        let (warnings, vulns): (Vec<&Finding>, Vec<&Finding>) =
            vulns.into_iter().partition(|f| f.informational().is_some());
        let rows: Vec<Row> = others
            .into_iter()
            .map(|f| Row {
                severity: f.severity.as_str(),
                rule: escape_text(&f.rule).into_owned(),
                title: truncate(&escape_text(&f.title), MAX_TITLE),
                location: location(f, target),
                message: escape_text(&f.message).into_owned(),
            })
            .collect();
        let rule_w = rows
            .iter()
            .map(|r| width(&r.rule))
            .max()
            .unwrap_or(0)
            .max(4);
        let title_w = rows
            .iter()
            .map(|r| width(&r.title))
            .max()
            .unwrap_or(0)
            .max(5);
        if !rows.is_empty() {
            line(
                &mut out,
                &[
                    ("SEVERITY", SEV_WIDTH),
                    ("RULE", rule_w),
                    ("TITLE", title_w),
                    ("LOCATION", 0),
                ],
            );
        }
        let indent = SEV_WIDTH + 2;
        for r in &rows {
            line(
                &mut out,
                &[
                    (r.severity, SEV_WIDTH),
                    (&r.rule, rule_w),
                    (&r.title, title_w),
                    (&r.location, 0),
                ],
            );
            for l in wrap(&r.message, WIDTH - indent) {
                let _ = writeln!(out, "{:indent$}{l}", "");
            }
        }
        if !vulns.is_empty() {
            if !rows.is_empty() {
                out.push('\n');
            }
            crate::table_vulns::render(&mut out, "Vulnerabilities by package:", &vulns, WIDTH);
        }
        if !warnings.is_empty() {
            if !rows.is_empty() || !vulns.is_empty() {
                out.push('\n');
            }
            crate::table_vulns::render(
                &mut out,
                "Warnings: informational advisories (unmaintained / unsound / notice), not vulnerabilities:",
                &warnings,
                WIDTH,
            );
        }
        out.push('\n');
        let c = counts(findings);
        let parts: Vec<String> = severities_desc()
            .filter(|s| c[*s as usize] > 0)
            .map(|s| format!("{} {}", c[s as usize], s))
            .collect();
        let n = findings.len() - warnings.len();
        let _ = writeln!(
            out,
            "{n} finding{}{}{}",
            if n == 1 { "" } else { "s" },
            if parts.is_empty() { "" } else { ": " },
            parts.join(", ")
        );
        if !warnings.is_empty() {
            let kinds: Vec<String> = crate::informational_counts(findings)
                .iter()
                .map(|(kind, n)| format!("{n} {}", escape_text(kind)))
                .collect();
            let _ = writeln!(
                out,
                "{} warning{} (informational advisories): {}",
                warnings.len(),
                if warnings.len() == 1 { "" } else { "s" },
                kinds.join(", ")
            );
        }
    }
    if !ignored.is_empty() {
        let _ = writeln!(out, "{} ignored (see --ignore-file)", ignored.len());
    }
    out
}

struct Row {
    severity: &'static str,
    rule: String,
    title: String,
    location: String,
    message: String,
}

fn header(out: &mut String, target: &Target) {
    let first = match target.kind {
        "image" => "Image",
        "dockerfile" => "Dockerfile",
        _ => "Target",
    };
    let mut lines: Vec<(String, String)> =
        vec![(first.to_string(), escape_text(&target.input).into_owned())];
    if let Some(d) = &target.digest {
        lines.push(("Digest".into(), escape_text(d).into_owned()));
    }
    for (k, v) in &target.summary {
        lines.push((escape_text(k).into_owned(), escape_text(v).into_owned()));
    }
    let w = lines.iter().map(|(k, _)| width(k) + 1).max().unwrap_or(0);
    for (k, v) in lines {
        let label = format!("{k}:");
        let _ = writeln!(out, "{label:<w$} {v}");
    }
}

/// One row: each cell padded to its width (0 = last column, not padded),
/// two spaces between columns, no trailing spaces.
pub(crate) fn line(out: &mut String, cells: &[(&str, usize)]) {
    let mut s = String::new();
    for (i, (text, w)) in cells.iter().enumerate() {
        if i > 0 {
            s.push_str("  ");
        }
        s.push_str(text);
        for _ in width(text)..*w {
            s.push(' ');
        }
    }
    out.push_str(s.trim_end());
    out.push('\n');
}

/// Where a finding points, for the LOCATION column: the path inside the
/// image, else the input file (with `:line:col`) when it differs from the
/// target or has a line; then `(layer N)` when the finding names a layer.
fn location(f: &Finding, target: &Target) -> String {
    let loc = &f.location;
    let mut s = match &loc.path {
        Some(p) => escape_text(p).into_owned(),
        None if loc.line.is_some() || loc.input != target.input => {
            escape_text(&loc.input).into_owned()
        }
        None => String::new(),
    };
    if let Some(line) = loc.line {
        let _ = write!(s, ":{line}");
        if let Some(col) = loc.column {
            let _ = write!(s, ":{col}");
        }
    }
    if let Some(layer) = &loc.layer {
        let layer = layer_label(layer);
        if s.is_empty() {
            s = layer;
        } else {
            let _ = write!(s, " ({layer})");
        }
    }
    if s.is_empty() { "-".to_string() } else { s }
}

/// `layer 3` for an index; `layer sha256:0123456789ab` for a digest
/// (shortened to 12 hex digits, as docker does); else `layer VALUE`.
fn layer_label(layer: &str) -> String {
    if let Some((alg, hex)) = layer.split_once(':')
        && !alg.is_empty()
        && hex.len() > 12
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return format!("layer {alg}:{}", &hex[..12]);
    }
    format!("layer {}", escape_text(layer))
}

pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Greedy word wrap at `max` characters; words longer than a line are split.
pub(crate) fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let cur_w = width(&cur);
            let sep = usize::from(cur_w > 0);
            if cur_w + sep + word.len() <= max {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.extend(word.iter());
                break;
            }
            if cur_w > 0 {
                lines.push(std::mem::take(&mut cur));
                continue;
            }
            // The word alone is longer than a line.
            let rest = word.split_off(max);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_splits_words_and_long_words() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefghijk", 4), vec!["abcd", "efgh", "ijk"]);
        assert_eq!(wrap("x abcdefgh", 4), vec!["x", "abcd", "efgh"]);
        assert!(wrap("", 10).is_empty());
        assert_eq!(wrap("  a   b ", 10), vec!["a b"]);
    }

    #[test]
    fn layer_labels() {
        assert_eq!(layer_label("3"), "layer 3");
        assert_eq!(
            layer_label("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            "layer sha256:0123456789ab"
        );
        assert_eq!(layer_label("x\u{1b}y"), "layer x\\x1by");
    }

    #[test]
    fn truncate_marks_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abcd", 4), "abcd");
    }
}
