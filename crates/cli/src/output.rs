//! Rendering reports: JSON, and tables meant to be read by a person.

use anyhow::{Context, Result};
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use palisade_image::inspect::InspectReport;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables
    Table,
    /// Machine-readable JSON with every digest and figure
    Json,
}

pub fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value).context("serialising the report")?;
    s.push('\n');
    Ok(s)
}

/// Writes to the file, or to stdout.
pub fn write(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                // `palisade inspect … | head` is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("writing to stdout"),
            }
        }
    }
}

/// 1234567 → "1.2 MB" (decimal units, as dive and docker print sizes).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Control characters (which image content may carry) replaced by spaces.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    let clean = printable(s);
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() <= max {
        clean
    } else {
        let mut t: String = clean.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A borderless table that fits the terminal when there is one.
pub fn table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::NOTHING);
    if std::io::stdout().is_terminal() {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    }
    t
}

fn list(v: &Option<Vec<String>>) -> String {
    match v {
        None => "-".into(),
        Some(items) => serde_json::to_string(items).unwrap_or_default(),
    }
}

pub fn inspect_table(r: &InspectReport, top: usize) -> String {
    let mut s = String::new();
    let field = |s: &mut String, k: &str, v: &str| {
        let _ = writeln!(s, "{k:<12}{}", truncate(v, 200));
    };
    field(&mut s, "Image", &r.reference);
    if let Some(d) = &r.manifest_digest {
        let mt = r
            .manifest_media_type
            .as_deref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        field(&mut s, "Manifest", &format!("{d}{mt}"));
    }
    if let Some(d) = &r.config_digest {
        field(&mut s, "Config", &d.to_string());
    }
    field(&mut s, "Platform", &r.platform);
    field(
        &mut s,
        "OS",
        r.os.as_deref().unwrap_or("unknown (no os-release)"),
    );
    if let Some(c) = &r.created {
        field(&mut s, "Created", c);
    }
    if let Some(a) = r.author.as_deref().filter(|a| !a.is_empty()) {
        field(&mut s, "Author", a);
    }
    let c = &r.config;
    field(
        &mut s,
        "User",
        c.user.as_deref().unwrap_or("(not set: runs as root)"),
    );
    field(&mut s, "Entrypoint", &list(&c.entrypoint));
    field(&mut s, "Cmd", &list(&c.cmd));
    field(&mut s, "Workdir", c.working_dir.as_deref().unwrap_or("/"));
    if !c.exposed_ports.is_empty() {
        field(&mut s, "Ports", &c.exposed_ports.join(", "));
    }
    if !c.volumes.is_empty() {
        field(&mut s, "Volumes", &c.volumes.join(", "));
    }
    if let Some(sig) = &c.stop_signal {
        field(&mut s, "StopSignal", sig);
    }
    for (i, e) in c.env.iter().enumerate() {
        field(&mut s, if i == 0 { "Env" } else { "" }, e);
    }
    for (i, (k, v)) in c.labels.iter().enumerate() {
        field(
            &mut s,
            if i == 0 { "Labels" } else { "" },
            &format!("{k}={v}"),
        );
    }

    let _ = writeln!(s, "\nLayers");
    let mut t = table();
    t.set_header(vec![
        "#",
        "DIGEST",
        "DIFF-ID",
        "COMPRESSED",
        "SIZE",
        "ADDED",
        "MODIFIED",
        "DELETED",
        "WASTED",
        "CREATED BY",
    ]);
    for l in &r.layers {
        let digest = format!(
            "{}{}",
            &l.digest.to_string()[..19],
            if l.digest_verified { "" } else { "*" }
        );
        t.add_row(vec![
            Cell::new(l.index).set_alignment(CellAlignment::Right),
            Cell::new(digest),
            Cell::new(&l.diff_id.to_string()[..19]),
            Cell::new(human_bytes(l.compressed_size)).set_alignment(CellAlignment::Right),
            Cell::new(human_bytes(l.uncompressed_size)).set_alignment(CellAlignment::Right),
            Cell::new(l.files_added).set_alignment(CellAlignment::Right),
            Cell::new(l.files_modified).set_alignment(CellAlignment::Right),
            Cell::new(l.files_deleted).set_alignment(CellAlignment::Right),
            Cell::new(human_bytes(l.wasted_bytes)).set_alignment(CellAlignment::Right),
            Cell::new(truncate(l.created_by.as_deref().unwrap_or("-"), 60)),
        ]);
    }
    let _ = writeln!(s, "{t}");
    if r.layers.iter().any(|l| !l.digest_verified) {
        let _ = writeln!(
            s,
            "* digest computed while reading (the source does not state it); the diff-id was verified"
        );
    }
    let totals = &r.totals;
    let _ = writeln!(
        s,
        "\nTotal       {} layers, {} compressed, {} uncompressed, {} paths",
        totals.layers,
        human_bytes(totals.compressed_size),
        human_bytes(totals.uncompressed_size),
        totals.paths
    );
    let _ = writeln!(
        s,
        "Efficiency  {:.2} %, wasted {} = {:.1} % of the bytes in the layers above the base (dive's measures)",
        100.0 * totals.efficiency,
        human_bytes(totals.wasted_bytes),
        totals.wasted_user_percent
    );
    if top > 0 && !totals.inefficient_paths.is_empty() {
        let _ = writeln!(
            s,
            "\nLargest wasted paths (written or deleted in more than one layer)"
        );
        let mut t = table();
        t.set_header(vec!["LAYERS", "TOTAL", "PATH"]);
        for p in totals.inefficient_paths.iter().take(top) {
            t.add_row(vec![
                Cell::new(p.occurrences).set_alignment(CellAlignment::Right),
                Cell::new(human_bytes(p.total_bytes)).set_alignment(CellAlignment::Right),
                Cell::new(format!("/{}", truncate(&p.path, 120))),
            ]);
        }
        let _ = writeln!(s, "{t}");
    }
    if !r.history.is_empty() {
        let _ = writeln!(s, "\nHistory");
        let mut t = table();
        t.set_header(vec!["CREATED", "LAYER", "CREATED BY"]);
        for h in &r.history {
            t.add_row(vec![
                Cell::new(h.created.as_deref().unwrap_or("-")),
                Cell::new(if h.empty_layer { "-" } else { "yes" }),
                Cell::new(truncate(h.created_by.as_deref().unwrap_or("-"), 100)),
            ]);
        }
        let _ = writeln!(s, "{t}");
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {}", truncate(w, 300));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_truncation() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
        assert_eq!(truncate("a\nb\tc", 10), "a b c");
        assert_eq!(truncate("abcdefghij", 5), "abcd…");
    }
}
