//! `palisade sbom-scan FILE`: the vulnerabilities of the packages an SBOM
//! lists (CycloneDX or SPDX JSON, from palisade, syft, trivy, ...), with
//! the same renderers, ignore file and gate as `palisade image`.

use super::report_args::GateArgs;
use crate::output::{self, printable};
use anyhow::{Context, Result};
use clap::Args;
use palisade_report::{Format, Target};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SbomScanArgs {
    /// CycloneDX or SPDX JSON file ("-" for standard input); packages are
    /// identified by their purl
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    #[command(flatten)]
    pub vuln: super::vuln::VulnArgs,

    #[command(flatten)]
    pub report: super::report_args::ReportArgs,
}

pub fn run(args: SbomScanArgs) -> Result<ExitCode> {
    let ignore = args.report.gate.load_ignore()?;
    let name = args.file.display().to_string();
    let mut bytes = Vec::new();
    let limit = palisade_vulndb::sbom_input::MAX_SBOM + 1;
    if name == "-" {
        std::io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(&args.file).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    }
    .with_context(|| format!("reading {}", printable(&name)))?;
    let sbom = palisade_vulndb::sbom_input::read(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", printable(&name)))?;
    let outcome = super::vuln::scan(&args.vuln, &sbom.packages, &name, None)?;
    let (kept, ignored) = GateArgs::apply(ignore.as_ref(), outcome.findings, outcome.suppressed);
    let mut summary = vec![
        ("SBOM".to_string(), sbom.format.clone()),
        (
            "Packages".to_string(),
            format!("{} with a purl palisade can look up", sbom.packages.len()),
        ),
    ];
    summary.extend(outcome.summary);
    for s in &sbom.skipped {
        eprintln!("palisade: warning: not matched: {}", printable(s));
        summary.push(("Skipped".to_string(), printable(s).to_string()));
    }
    let target = Target {
        input: name,
        kind: "sbom",
        digest: None,
        summary,
    };
    let format = args.report.format;
    let mut text = palisade_report::render(format, &target, &kept, &ignored, &[]);
    if args.vuln.show_suppressed && format == Format::Table {
        text.push_str(&super::vuln::suppressed_listing(&ignored));
    }
    output::write(args.report.output.as_deref(), &text)?;
    Ok(args.report.gate.exit(&kept))
}
