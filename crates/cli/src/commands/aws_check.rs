//! `palisade aws policy check FILE…`: findings for IAM/ECR/endpoint policies.

use super::aws::load_policy;
use crate::output;
use anyhow::{Result, bail};
use clap::Args;
use palisade_aws::PolicyKind;
use palisade_aws::check::{self, CheckOptions};
use palisade_model::Severity;
use palisade_report::{Format, Target, ignore::IgnoreFile};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Policy files. Prefix a file with its kind to say what it is:
    /// identity:F, repository:F, registry:F or endpoint:F. Without a prefix,
    /// a policy with no Principal is an identity policy and one with a
    /// Principal a repository policy (see --kind). Files may also be the JSON
    /// that `aws ecr get-repository-policy` / `get-registry-policy` print.
    #[arg(value_name = "[KIND:]FILE", required = true)]
    pub files: Vec<String>,

    /// Kind of the files given without a prefix
    #[arg(long, value_enum, default_value_t = KindArg::Auto)]
    pub kind: KindArg,

    /// Team namespace the policies must stay in (repositories NS/*), e.g. team-a
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with --exit-code when a finding at or above this severity remains
    /// after the ignore file (UNKNOWN, INFO, LOW, MEDIUM, HIGH, CRITICAL).
    /// Access Analyzer classes map to: ERROR and SECURITY_WARNING → HIGH
    /// (public principals CRITICAL), WARNING → MEDIUM, SUGGESTION → LOW
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Exit code when the --fail-on gate trips
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..))]
    pub exit_code: u8,

    /// Ignore file (TOML, docs/ignore-file.md)
    #[arg(long, value_name = "FILE", env = "PALISADE_IGNORE_FILE")]
    pub ignore_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    Auto,
    Identity,
    Repository,
    Registry,
    Endpoint,
}

fn split_kind(arg: &str, default: KindArg) -> Result<(Option<PolicyKind>, &str)> {
    let prefixed = [
        ("identity:", PolicyKind::Identity),
        ("repository:", PolicyKind::Repository),
        ("registry:", PolicyKind::Registry),
        ("endpoint:", PolicyKind::Endpoint),
    ];
    for (prefix, kind) in prefixed {
        if let Some(path) = arg.strip_prefix(prefix) {
            return Ok((Some(kind), path));
        }
    }
    let kind = match default {
        KindArg::Auto => None,
        KindArg::Identity => Some(PolicyKind::Identity),
        KindArg::Repository => Some(PolicyKind::Repository),
        KindArg::Registry => Some(PolicyKind::Registry),
        KindArg::Endpoint => Some(PolicyKind::Endpoint),
    };
    if arg.is_empty() {
        bail!("empty file name");
    }
    Ok((kind, arg))
}

/// Auto-detection: a Principal anywhere means a resource policy.
fn detect(path: &Path) -> Result<PolicyKind> {
    match load_policy(path, PolicyKind::Identity) {
        Err(e) if e.to_string().contains("not allowed in an identity policy") => {
            Ok(PolicyKind::Repository)
        }
        _ => Ok(PolicyKind::Identity),
    }
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let ignore = match &args.ignore_file {
        Some(p) => Some(IgnoreFile::load(p)?),
        None => None,
    };
    let options = CheckOptions {
        namespace: args.namespace.clone(),
    };
    let mut findings = Vec::new();
    let mut kinds = Vec::new();
    for arg in &args.files {
        let (kind, path) = split_kind(arg, args.kind)?;
        let path = Path::new(path);
        let kind = match kind {
            Some(k) => k,
            None => detect(path)?,
        };
        kinds.push(format!("{}={kind}", path.display()));
        match load_policy(path, kind) {
            Ok(policy) => findings.extend(check::run(&policy, &options)),
            Err(e) => match e.downcast_ref::<palisade_aws::PolicyError>() {
                // An invalid policy is a finding (PAL-AWS-001), not the end of the run.
                Some(pe) => findings.push(check::invalid(pe)),
                None => return Err(e),
            },
        }
    }
    let today = palisade_report::ignore::today_utc();
    let (kept, ignored) = match &ignore {
        Some(file) => {
            for entry in file.expired(today) {
                eprintln!("palisade: warning: ignore entry expired and no longer applies: {entry}");
            }
            file.apply(findings, today)
        }
        None => (findings, Vec::new()),
    };
    let target = Target {
        input: args.files.join(" "),
        kind: "aws-policy",
        digest: None,
        summary: vec![("Policies".to_string(), kinds.join(", "))],
    };
    let text = palisade_report::render(args.format, &target, &kept, &ignored, &check::rules());
    output::write(args.output.as_deref(), &text)?;
    if palisade_report::gate::tripped(&kept, args.fail_on) {
        return Ok(ExitCode::from(args.exit_code));
    }
    Ok(ExitCode::SUCCESS)
}
