//! The report flags of every command that reports findings (`image`,
//! `fs`, `sbom-scan`; the gate part also `sbom --vulns`): one definition,
//! one help text per flag, applied the same way everywhere.

use crate::output::printable;
use anyhow::Result;
use clap::Args;
use palisade_model::{Finding, Severity};
use palisade_report::{Format, Ignored, ignore::IgnoreFile};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format and destination, plus the ignore file and the gate.
#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Output format: table (for people; vulnerabilities grouped by
    /// package), json, sarif (2.1.0), checkstyle, gitlab (Code Quality)
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub gate: GateArgs,
}

/// The ignore file and the severity gate.
#[derive(Args, Debug, Clone)]
pub struct GateArgs {
    /// Exit with --exit-code when a finding at or above this severity
    /// remains after the ignore file and VEX (UNKNOWN, INFO, LOW, MEDIUM,
    /// HIGH, CRITICAL); informational advisories never count unless
    /// --informational vuln
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Exit code when the --fail-on gate trips
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..))]
    pub exit_code: u8,

    /// Ignore file (TOML, docs/ignore-file.md): [[ignore]] entries by rule
    /// or vulnerability id (any alias), package, purl, path or input glob,
    /// each with a reason and an optional expiry date
    #[arg(long, value_name = "FILE", env = "PALISADE_IGNORE_FILE")]
    pub ignore_file: Option<PathBuf>,
}

impl GateArgs {
    /// Loads the ignore file, if any (the error names the file and line).
    /// Done before the scan, so a bad file fails fast.
    pub fn load_ignore(&self) -> Result<Option<IgnoreFile>> {
        Ok(match &self.ignore_file {
            Some(path) => Some(IgnoreFile::load(path)?),
            None => None,
        })
    }

    /// Splits `findings` into kept and ignored by `ignore` (warning on
    /// stderr about expired entries); `suppressed` (VEX) joins the ignored.
    pub fn apply(
        ignore: Option<&IgnoreFile>,
        findings: Vec<Finding>,
        suppressed: Vec<Ignored>,
    ) -> (Vec<Finding>, Vec<Ignored>) {
        let today = palisade_report::ignore::today_utc();
        let (kept, mut ignored) = match ignore {
            Some(file) => {
                for entry in file.expired(today) {
                    eprintln!(
                        "palisade: warning: ignore entry expired and no longer applies: {}",
                        printable(&entry)
                    );
                }
                file.apply(findings, today)
            }
            None => (findings, Vec::new()),
        };
        ignored.extend(suppressed);
        (kept, ignored)
    }

    /// The exit code for the kept findings.
    pub fn exit(&self, kept: &[Finding]) -> ExitCode {
        if palisade_report::gate::tripped(kept, self.fail_on) {
            ExitCode::from(self.exit_code)
        } else {
            ExitCode::SUCCESS
        }
    }
}
