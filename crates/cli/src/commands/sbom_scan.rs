//! `palisade sbom-scan FILE`: the vulnerabilities of the packages an SBOM
//! lists (CycloneDX or SPDX JSON, from palisade, syft, trivy, ...), with
//! the same renderers, ignore file and gate as `palisade image`.

use crate::output::{self, printable};
use anyhow::{Context, Result};
use clap::Args;
use palisade_model::Severity;
use palisade_report::{Format, Target, ignore::IgnoreFile};
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

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with --exit-code when a vulnerability at or above this severity
    /// remains after the ignore file (UNKNOWN, INFO, LOW, MEDIUM, HIGH, CRITICAL)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Exit code when the --fail-on gate trips
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..))]
    pub exit_code: u8,

    /// Ignore file (TOML, docs/ignore-file.md): by vulnerability id (any
    /// alias), package, purl; with a reason and an optional expiry
    #[arg(long, value_name = "FILE", env = "PALISADE_IGNORE_FILE")]
    pub ignore_file: Option<PathBuf>,
}

pub fn run(args: SbomScanArgs) -> Result<ExitCode> {
    let ignore = match &args.ignore_file {
        Some(path) => Some(IgnoreFile::load(path)?),
        None => None,
    };
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
    let today = palisade_report::ignore::today_utc();
    let (kept, mut ignored) = match &ignore {
        Some(file) => {
            for entry in file.expired(today) {
                eprintln!("palisade: warning: ignore entry expired and no longer applies: {entry}");
            }
            file.apply(outcome.findings, today)
        }
        None => (outcome.findings, Vec::new()),
    };
    ignored.extend(outcome.suppressed);
    let mut summary = vec![
        ("SBOM".to_string(), sbom.format.clone()),
        (
            "Packages".to_string(),
            format!("{} with a purl palisade can look up", sbom.packages.len()),
        ),
    ];
    summary.extend(outcome.summary);
    for s in &sbom.skipped {
        summary.push(("Skipped".to_string(), printable(s).to_string()));
    }
    let target = Target {
        input: name,
        kind: "sbom",
        digest: None,
        summary,
    };
    let mut text = palisade_report::render(args.format, &target, &kept, &ignored, &[]);
    if args.vuln.show_suppressed && args.format == Format::Table {
        text.push_str(&super::vuln::suppressed_listing(&ignored));
    }
    output::write(args.output.as_deref(), &text)?;
    if palisade_report::gate::tripped(&kept, args.fail_on) {
        return Ok(ExitCode::from(args.exit_code));
    }
    Ok(ExitCode::SUCCESS)
}
