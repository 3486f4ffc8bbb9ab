//! `palisade aws …`: IAM/ECR/VPC-endpoint policy simulation and checks.

use super::{aws_check, aws_ecr, aws_lifecycle, aws_simulate};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use palisade_aws::{Policy, PolicyKind};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct AwsArgs {
    #[command(subcommand)]
    pub command: AwsCommand,
}

#[derive(Subcommand, Debug)]
pub enum AwsCommand {
    /// IAM identity, ECR repository/registry and VPC endpoint policies:
    /// simulate a request across every layer, or check policies
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// ECR lifecycle policies: validate them as ECR does and preview which
    /// images they expire (all rules evaluated, applied by priority, an image
    /// acted on by at most one rule, oldest pushed first)
    #[command(subcommand)]
    Lifecycle(LifecycleCommand),
    /// ECR repositories: audit them live through the AWS API, or offline
    /// from saved `aws ecr` CLI outputs
    #[command(subcommand)]
    Ecr(EcrCommand),
}

#[derive(Subcommand, Debug)]
pub enum EcrCommand {
    /// Tag immutability (including the exclusion-filter modes), scan on push /
    /// enhanced scanning, lifecycle policy present and valid, repository and
    /// registry policy checks, KMS encryption. Without FILE, reads the
    /// registry through the AWS API (DescribeRepositories, Get*Policy,
    /// GetRegistryScanningConfiguration) with the usual credentials
    Audit(aws_ecr::AuditArgs),
}

#[derive(Subcommand, Debug)]
pub enum LifecycleCommand {
    /// Print every image the policy would expire (or transition) and the rule that does it
    Preview(aws_lifecycle::PreviewArgs),
    /// Delete the manifests the policy expires from a registry repository
    /// (docker://HOST/REPO), after confirmation or with --yes; a digest that
    /// a kept tag points at is never deleted
    Apply(aws_lifecycle::ApplyArgs),
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Can PRINCIPAL do ACTION on RESOURCE? Evaluates the request with AWS
    /// semantics (explicit deny > allow > implicit deny; identity OR resource
    /// policy within one account, both across accounts; SCPs, the
    /// permissions boundary and the VPC endpoint policy as limits) and
    /// prints the decision and the statements that made it, per layer
    Simulate(aws_simulate::SimulateArgs),
    /// Check policies for what breaks the guide's registry practices and for
    /// Access Analyzer-style problems (ERROR, SECURITY_WARNING, WARNING,
    /// SUGGESTION), with a fix for each finding
    Check(aws_check::CheckArgs),
}

pub fn run(args: AwsArgs) -> Result<ExitCode> {
    match args.command {
        AwsCommand::Policy(PolicyCommand::Simulate(a)) => aws_simulate::run(a),
        AwsCommand::Policy(PolicyCommand::Check(a)) => aws_check::run(a),
        AwsCommand::Lifecycle(LifecycleCommand::Preview(a)) => aws_lifecycle::run_preview(a),
        AwsCommand::Lifecycle(LifecycleCommand::Apply(a)) => aws_lifecycle::run_apply(a),
        AwsCommand::Ecr(EcrCommand::Audit(a)) => aws_ecr::run(a),
    }
}

/// Largest policy file read (the parser refuses more than this anyway).
const MAX_POLICY_FILE: u64 = palisade_aws::json::MAX_DOCUMENT_BYTES as u64 + 1;

/// Reads and parses one policy file; errors name the file, line and column.
pub fn load_policy(path: &Path, kind: PolicyKind) -> Result<Policy> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_POLICY_FILE).read_to_string(&mut text))
        .with_context(|| format!("reading {}", path.display()))?;
    let text = unwrap_cli_envelope(&text);
    Ok(palisade_aws::parse(
        &text,
        kind,
        &path.display().to_string(),
    )?)
}

/// `aws ecr get-repository-policy` and `get-registry-policy` print
/// `{"policyText": "<policy JSON>"}`: accept those files as they are.
fn unwrap_cli_envelope(text: &str) -> String {
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(text)
        && let Some(serde_json::Value::String(inner)) = m.get("policyText")
    {
        return inner.clone();
    }
    text.to_string()
}
