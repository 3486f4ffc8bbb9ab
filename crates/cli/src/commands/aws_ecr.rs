//! `palisade aws ecr audit`: the registry's live state through the AWS SDK
//! (no FILE), or saved `aws ecr` outputs offline (FILE…).

use crate::output;
use anyhow::{Context, Result, bail};
use clap::Args;
use palisade_aws::check::CheckOptions;
use palisade_aws::ecr::{self, Inputs};
use palisade_aws_live::{Connection, Scope};
use palisade_model::Severity;
use palisade_report::{Format, Target, ignore::IgnoreFile};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const MAX_FILE: u64 = 64 << 20;

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Offline: saved outputs of `aws ecr describe-repositories`,
    /// `get-repository-policy`, `get-lifecycle-policy`, `get-registry-policy`
    /// and `get-registry-scanning-configuration` (recognised by their keys).
    /// A repository with no get-lifecycle-policy output is reported as
    /// having no lifecycle policy. Without FILE the registry is read live
    /// through the AWS API (credentials and region from the environment,
    /// the profile or --region / --profile)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Live: the ECR API endpoint to call instead of AWS's (e.g. a local
    /// emulator such as moto, http://127.0.0.1:5000)
    #[arg(long, value_name = "URL", conflicts_with = "files")]
    pub endpoint_url: Option<String>,
    /// Live: the AWS region (default: AWS_REGION or the profile's)
    #[arg(long, value_name = "REGION", conflicts_with = "files")]
    pub region: Option<String>,
    /// Live: a named profile of ~/.aws/config and ~/.aws/credentials
    #[arg(long, value_name = "NAME", conflicts_with = "files")]
    pub profile: Option<String>,
    /// Live: audit only these repositories (repeatable; default: all)
    #[arg(long, value_name = "NAME", conflicts_with = "files")]
    pub repository: Vec<String>,
    /// Live: seconds allowed for each connect and read (each call gets three times that)
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
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
    let (inputs, input_name) = if args.files.is_empty() {
        live(&args)?
    } else {
        (
            saved(&args.files)?,
            args.files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
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
        input: input_name,
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

/// Reads the registry through the AWS API.
fn live(args: &AuditArgs) -> Result<(Inputs, String)> {
    let conn = Connection {
        endpoint_url: args.endpoint_url.clone(),
        region: args.region.clone(),
        profile: args.profile.clone(),
        timeout: Some(Duration::from_secs(args.timeout)),
    };
    let scope = Scope {
        repositories: args.repository.clone(),
    };
    let inputs = palisade_aws_live::fetch(&conn, &scope)?;
    if inputs.repositories.is_empty() {
        bail!("the registry has no repositories to audit");
    }
    let name = match &args.endpoint_url {
        Some(url) => format!("ECR API at {}", output::printable(&without_userinfo(url))),
        None => "ECR API".to_string(),
    };
    Ok((inputs, name))
}

/// `http://user:secret@host/` → `http://***@host/`: credentials never reach the report.
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_string(),
    }
}

/// Reads saved `aws ecr` outputs.
fn saved(files: &[PathBuf]) -> Result<Inputs> {
    let mut inputs = Inputs::default();
    for f in files {
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
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::without_userinfo;

    #[test]
    fn endpoint_credentials_are_not_printed() {
        assert_eq!(
            without_userinfo("http://user:secret@127.0.0.1:5000/x@y"),
            "http://***@127.0.0.1:5000/x@y"
        );
        assert_eq!(
            without_userinfo("https://ecr.us-west-2.amazonaws.com"),
            "https://ecr.us-west-2.amazonaws.com"
        );
        assert_eq!(without_userinfo("a:b@host"), "***@host");
    }
}
