//! Checkstyle XML (version 4.3), the format Jenkins' warnings plugin, many
//! CI systems and hadolint's `-f checkstyle` use. One `<file>` per input,
//! one `<error>` per finding; severities map to `error` (HIGH, CRITICAL),
//! `warning` (MEDIUM, LOW) and `info` (INFO, UNKNOWN).

use std::fmt::Write as _;

use palisade_model::{Finding, Severity};

use crate::sorted;

pub(crate) fn render(findings: &[Finding]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    let sorted = {
        let mut v = sorted(findings);
        v.sort_by(|a, b| a.location.input.cmp(&b.location.input));
        v
    };
    let mut current: Option<&str> = None;
    for f in sorted {
        if current != Some(f.location.input.as_str()) {
            if current.is_some() {
                out.push_str("  </file>\n");
            }
            let _ = writeln!(out, "  <file name=\"{}\">", xml(&f.location.input));
            current = Some(&f.location.input);
        }
        let _ = write!(out, "    <error line=\"{}\"", f.location.line.unwrap_or(0));
        if let Some(c) = f.location.column {
            let _ = write!(out, " column=\"{c}\"");
        }
        let _ = writeln!(
            out,
            " severity=\"{}\" message=\"{}\" source=\"{}\"/>",
            severity(f.severity),
            xml(&format!("{}: {}", f.title, f.message)),
            xml(&f.rule)
        );
    }
    if current.is_some() {
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info | Severity::Unknown => "info",
    }
}

/// XML attribute escaping; characters XML 1.0 cannot carry become U+FFFD.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
