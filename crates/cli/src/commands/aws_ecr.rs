//! `palisade aws ecr audit FILE…`: offline audit of saved `aws ecr` outputs.

use crate::output;
use anyhow::{Context, Result, bail};
use clap::Args;
use palisade_aws::check::CheckOptions;
use palisade_aws::ecr::{self, Inputs};
use palisade_model::Severity;
use palisade_report::{Format, Target, ignore::IgnoreFile};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

const MAX_FILE: u64 = 64 << 20;

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Saved outputs of `aws ecr describe-repositories`, `get-repository-policy`,
    /// `get-lifecycle-policy`, `get-registry-policy` and
    /// `get-registry-scanning-configuration` (recognised by their keys).
    /// A repository with no get-lifecycle-policy output is reported as
    /// having no lifecycle policy
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Team namespace the policies must stay in (repositories NS/*)
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with --exit-code when a finding at or above this severity remains
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit code when the --fail-on gate trips
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..))]
    pub exit_code: u8,
    /// Ignore file (TOML, docs/ignore-file.md)
    #[arg(long, value_name = "FILE", env = "PALISADE_IGNORE_FILE")]
    pub ignore_file: Option<PathBuf>,
}

pub fn run(args: AuditArgs) -> Result<ExitCode> {
    let ignore = match &args.ignore_file {
        Some(p) => Some(IgnoreFile::load(p)?),
        None => None,
    };
    let mut inputs = Inputs::default();
    for f in &args.files {
        let mut text = String::new();
        std::fs::File::open(f)
            .and_then(|h| h.take(MAX_FILE + 1).read_to_string(&mut text))
            .with_context(|| format!("reading {}", f.display()))?;
        if text.len() as u64 > MAX_FILE {
            bail!("{}: larger than {MAX_FILE} bytes", f.display());
        }
        inputs
            .add(&f.display().to_string(), &text)
            .map_err(anyhow::Error::msg)?;
    }
    if inputs.repositories.is_empty()
        && inputs.repository_policies.is_empty()
        && inputs.registry_policy.is_none()
    {
        bail!("no describe-repositories output or policy among the files: nothing to audit");
    }
    let findings = ecr::audit(
        &inputs,
        &CheckOptions {
            namespace: args.namespace.clone(),
        },
    );
    let today = palisade_report::ignore::today_utc();
    let (kept, ignored) = match &ignore {
        Some(file) => file.apply(findings, today),
        None => (findings, Vec::new()),
    };
    let target = Target {
        input: args
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        kind: "ecr",
        digest: None,
        summary: vec![(
            "Repositories".to_string(),
            inputs.repositories.len().to_string(),
        )],
    };
    let text = palisade_report::render(args.format, &target, &kept, &ignored, &ecr::rules());
    output::write(args.output.as_deref(), &text)?;
    if palisade_report::gate::tripped(&kept, args.fail_on) {
        return Ok(ExitCode::from(args.exit_code));
    }
    Ok(ExitCode::SUCCESS)
}
