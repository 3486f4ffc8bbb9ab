//! `palisade image REF`: audit and secret scan of a built image.

use super::image_args::ImageArgs;
use super::report_args::GateArgs;
use crate::output;
use anyhow::{Result, bail};
use clap::Args;
use palisade_audit::{AuditOptions, Context, Scanner};
use palisade_image::Analyzer;
use palisade_image::inspect::OsReleaseAnalyzer;
use palisade_report::{Format, Target};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ImageCommandArgs {
    #[command(flatten)]
    pub image: ImageArgs,

    /// Scanners to run, comma-separated: audit (setuid files, shells, network
    /// tools, root, permissions, history, caches, waste), secret (files,
    /// config, history, hidden layers), vuln (installed packages against the
    /// vulnerability database, see `palisade db`). Default: audit and secret,
    /// plus vuln when a vulnerability database exists (a warning says how to
    /// get one when it does not); naming vuln makes a missing database an error.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub scanners: Option<Vec<String>>,

    #[command(flatten)]
    pub vuln: super::vuln::VulnArgs,

    #[command(flatten)]
    pub report: super::report_args::ReportArgs,

    /// Env or label key that is not a secret (repeatable, or comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "KEY")]
    pub accept_key: Vec<String>,

    /// File (path or glob inside the image) not to report secrets in
    /// (repeatable, or comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "PATH")]
    pub accept_file: Vec<String>,

    /// No progress bars
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Owned file (as it appears in the image: through /bin -> usr/bin and
/// other symlinked directories) → "package version".
fn file_owners(
    scan: &palisade_image::Scan,
    sbom: &palisade_catalog::Sbom,
) -> HashMap<String, String> {
    let mut owners = HashMap::new();
    for package in &sbom.packages {
        for file in &package.files {
            let path = file.trim_start_matches('/');
            let real = scan
                .fs
                .resolve(path)
                .map(|(real, _)| real)
                .unwrap_or_else(|| path.to_string());
            owners
                .entry(real)
                .or_insert_with(|| format!("{} {}", package.name, package.version));
        }
    }
    owners
}

/// The audit scanners asked for, and whether the vulnerability scanner is.
fn parse_scanners(list: &[String]) -> Result<(Vec<Scanner>, bool)> {
    let mut out = Vec::new();
    let mut vuln = false;
    for s in list {
        let scanner = match s.trim().to_ascii_lowercase().as_str() {
            "audit" | "misconfig" => Scanner::Audit,
            "secret" | "secrets" => Scanner::Secret,
            "vuln" | "vulnerability" | "vulnerabilities" => {
                vuln = true;
                continue;
            }
            other => {
                bail!("--scanners: unknown scanner {other:?} (available: audit, secret, vuln)")
            }
        };
        if !out.contains(&scanner) {
            out.push(scanner);
        }
    }
    if out.is_empty() && !vuln {
        bail!("--scanners: give at least one of audit, secret, vuln");
    }
    Ok((out, vuln))
}

/// The bundled demo database, for the bundled demo image only:
/// `oci:DIR` where DIR is `demo/image` next to `demo/vuln-demo.db`.
fn demo_db_for(reference: &str) -> Option<PathBuf> {
    let dir = reference.strip_prefix("oci:")?;
    let dir = dir.rsplit_once(':').map_or(dir, |(d, _)| d);
    let dir = std::path::Path::new(dir);
    (dir.file_name()? == "image")
        .then(|| {
            dir.parent()
                .unwrap_or(std::path::Path::new("."))
                .join("vuln-demo.db")
        })
        .filter(|db| db.exists() && db.with_file_name("make-demo.sh").exists())
}

pub fn run(args: ImageCommandArgs) -> Result<ExitCode> {
    let explicit = args.scanners.is_some();
    let (scanners, mut vuln) = match &args.scanners {
        Some(list) => parse_scanners(list)?,
        None => (vec![Scanner::Audit, Scanner::Secret], true),
    };
    let demo = demo_db_for(&args.image.reference);
    // Said after the image opened, so that input errors stay one line.
    let mut no_db_warning = false;
    if vuln && !explicit && !super::vuln::db_available(&args.vuln, demo.as_deref())? {
        no_db_warning = true;
        vuln = false;
    }
    let ignore = args.report.gate.load_ignore()?;
    let audit_analyzers = palisade_audit::analyzers(&scanners);
    let os_release = OsReleaseAnalyzer;
    let mut analyzers: Vec<&dyn Analyzer> = audit_analyzers.iter().map(|a| a.as_ref()).collect();
    let os_index = analyzers.len();
    analyzers.push(&os_release);
    // The package inventory says which OS package owns a flagged file.
    let catalog_analyzers = palisade_catalog::analyzers();
    let catalog_index = analyzers.len();
    analyzers.extend(catalog_analyzers.iter().map(|a| a.as_ref()));
    let (reference, image, scan) = args.image.open_and_walk(&analyzers, args.quiet, false)?;
    if no_db_warning {
        eprintln!(
            "palisade: warning: no vulnerability database, vulnerabilities not scanned: get one with `palisade db update` (osv.dev) or `palisade db import PATH...` (offline)"
        );
    }
    let sbom = palisade_catalog::build(&scan, catalog_index);
    let owners = file_owners(&scan, &sbom);

    let audit_options = AuditOptions {
        accept_keys: args.accept_key.clone(),
        accept_files: args.accept_file.clone(),
    };
    let ctx = Context {
        input: &args.image.reference,
        reference: &reference,
        image: &image,
        scan: &scan,
        options: &audit_options,
        owners: &owners,
        accounts_analyzer: 0,
        secret_analyzer: scanners.contains(&Scanner::Secret).then_some(1),
    };
    let mut findings = palisade_audit::run(&ctx, &scanners);
    let mut vex_suppressed = Vec::new();
    let vulns = if vuln {
        let outcome = super::vuln::scan(
            &args.vuln,
            &sbom.packages,
            &args.image.reference,
            demo.as_deref(),
        )?;
        findings.extend(outcome.findings);
        vex_suppressed = outcome.suppressed;
        Some(outcome.summary)
    } else {
        None
    };
    let (kept, ignored) = GateArgs::apply(ignore.as_ref(), findings, vex_suppressed);

    let report = palisade_image::inspect::report(&image, &scan, Some(os_index));
    let eff = &report.totals;
    let mut summary = vec![
        ("Platform".to_string(), report.platform.clone()),
        (
            "OS".to_string(),
            report
                .os
                .clone()
                .unwrap_or_else(|| "unknown (no os-release)".into()),
        ),
        (
            "Layers".to_string(),
            format!(
                "{}, {} compressed, {} uncompressed",
                eff.layers,
                output::human_bytes(eff.compressed_size),
                output::human_bytes(eff.uncompressed_size)
            ),
        ),
        (
            "Efficiency".to_string(),
            format!(
                "{:.2} %, wasted {} ({:.1} % of the layers above the base)",
                100.0 * eff.efficiency,
                output::human_bytes(eff.wasted_bytes),
                eff.wasted_user_percent
            ),
        ),
        (
            "Scanners".to_string(),
            scanners
                .iter()
                .map(|s| s.name())
                .chain(vuln.then_some("vuln"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    summary.extend(vulns.into_iter().flatten());
    for w in &report.warnings {
        summary.push(("Warning".to_string(), w.clone()));
    }
    let target = Target {
        input: args.image.reference.clone(),
        kind: "image",
        digest: image.manifest_digest.as_ref().map(|d| d.to_string()),
        summary,
    };
    let text = palisade_report::render(
        args.report.format,
        &target,
        &kept,
        &ignored,
        &palisade_audit::rules(),
    );
    let mut text = text;
    if args.vuln.show_suppressed && args.report.format == Format::Table {
        text.push_str(&super::vuln::suppressed_listing(&ignored));
    }
    output::write(args.report.output.as_deref(), &text)?;
    Ok(args.report.gate.exit(&kept))
}
