//! `palisade aws policy simulate`: one request through every policy layer.

use super::aws::load_policy;
use crate::output;
use anyhow::{Result, bail};
use clap::Args;
use palisade_aws::{Decision, Evaluation, PolicyKind, Request, StatementRef};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Identity policy of the principal (repeatable: every attached policy)
    #[arg(long, value_name = "FILE")]
    pub identity: Vec<PathBuf>,
    /// ECR repository policy of the resource (a policy document or the JSON
    /// `aws ecr get-repository-policy` prints)
    #[arg(long, value_name = "FILE")]
    pub repository_policy: Vec<PathBuf>,
    /// ECR registry policy (replication and pull-through cache permissions)
    #[arg(long, value_name = "FILE")]
    pub registry_policy: Vec<PathBuf>,
    /// VPC endpoint policy (ecr.api or ecr.dkr); applied only when the
    /// request goes through the endpoint, i.e. with --endpoint
    #[arg(long, value_name = "FILE")]
    pub endpoint_policy: Vec<PathBuf>,
    /// The request goes through this VPC interface endpoint: sets
    /// aws:SourceVpce for the conditions and applies --endpoint-policy
    #[arg(long, value_name = "VPCE_ID")]
    pub endpoint: Option<String>,
    /// The VPC of --endpoint: sets aws:SourceVpc
    #[arg(long, value_name = "VPC_ID", requires = "endpoint")]
    pub vpc: Option<String>,
    /// Service control policies of the caller's account, one level of the
    /// organisation tree per flag, from the root down to the account
    /// (FILE[,FILE…]: the SCPs attached at that level, e.g.
    /// full-access.json,deny-delete.json). SCPs only limit: every level must
    /// allow, an explicit Deny anywhere wins; they apply to the account's IAM
    /// users and roles, not to the management account, anonymous callers or
    /// service principals
    #[arg(long, value_name = "FILE[,FILE…]")]
    pub scp: Vec<String>,
    /// The caller's permissions boundary: caps what identity policies (and
    /// resource policies naming the role ARN or the account) grant; a
    /// same-account resource policy naming the caller's exact user or session
    /// ARN is not capped
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// Caller ARN: arn:aws:iam::ACCOUNT:role/NAME, …:user/NAME,
    /// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, or a service principal
    #[arg(long, value_name = "ARN")]
    pub principal: String,
    /// Action, e.g. ecr:PutImage
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// Resource ARN, e.g. arn:aws:ecr:us-west-2:111122223333:repository/team-a/app,
    /// or * for actions without a resource (ecr:GetAuthorizationToken)
    #[arg(long, value_name = "ARN", default_value = "*")]
    pub resource: String,
    /// Request context key=value (repeat a key for a multi-valued key), e.g.
    /// aws:PrincipalOrgID=o-abc123, aws:PrincipalTag/team=team-a.
    /// aws:PrincipalArn, aws:PrincipalAccount, aws:ResourceAccount and
    /// aws:username (IAM users) are derived from --principal and --resource,
    /// aws:SourceVpce and aws:SourceVpc from --endpoint and --vpc; a key
    /// given here overrides a derived one
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = output::Format::Table)]
    pub format: output::Format,
    /// Exit with this code when the decision is not Allow (default: 0, the
    /// decision is only printed)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub deny_exit_code: u8,
}

pub fn run(args: SimulateArgs) -> Result<ExitCode> {
    let mut policies = Vec::new();
    // The endpoint layer exists only for requests that use the endpoint.
    let no_endpoint_policies = Vec::new();
    let endpoint_policies = match &args.endpoint {
        Some(_) => &args.endpoint_policy,
        None => &no_endpoint_policies,
    };
    let boundary: Vec<PathBuf> = args.boundary.iter().cloned().collect();
    for (files, kind) in [
        (&args.identity, PolicyKind::Identity),
        (&args.repository_policy, PolicyKind::Repository),
        (&args.registry_policy, PolicyKind::Registry),
        (endpoint_policies, PolicyKind::Endpoint),
        (&boundary, PolicyKind::Boundary),
    ] {
        for f in files {
            policies.push(load_policy(f, kind)?);
        }
    }
    for (level, files) in args.scp.iter().enumerate() {
        for f in files.split(',').filter(|f| !f.is_empty()) {
            let mut scp = load_policy(Path::new(f), PolicyKind::Scp)?;
            scp.level = level as u32;
            policies.push(scp);
        }
    }
    if policies.is_empty() && args.endpoint_policy.is_empty() {
        bail!(
            "give at least one policy (--identity, --repository-policy, --registry-policy, --endpoint-policy, --scp, --boundary)"
        );
    }
    if args.endpoint.is_none() && !args.endpoint_policy.is_empty() {
        eprintln!(
            "palisade: warning: no --endpoint: the request does not go through a VPC endpoint, so --endpoint-policy is not applied"
        );
    }
    let mut request = Request::new(&args.principal, &args.action, &args.resource);
    if let Some(vpce) = &args.endpoint {
        request.through_endpoint(vpce, args.vpc.as_deref());
    }
    let mut context: Vec<(String, Vec<String>)> = Vec::new();
    for kv in &args.context {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--context {kv:?}: expected KEY=VALUE");
        };
        match context
            .iter_mut()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
        {
            Some((_, values)) => values.push(v.to_string()),
            None => context.push((k.to_string(), vec![v.to_string()])),
        }
    }
    for (k, v) in context {
        request.set(&k, v);
    }
    let evaluation = palisade_aws::evaluate(&policies, &request);
    let text = match args.format {
        output::Format::Json => output::json(&evaluation)?,
        output::Format::Table => table(&args, &evaluation),
    };
    output::write(None, &text)?;
    if evaluation.decision != Decision::Allow && args.deny_exit_code != 0 {
        return Ok(ExitCode::from(args.deny_exit_code));
    }
    Ok(ExitCode::SUCCESS)
}

fn refs(list: &[StatementRef]) -> String {
    if list.is_empty() {
        return "-".into();
    }
    list.iter()
        .map(|r| format!("{} ({}:{})", r.label, r.source, r.line))
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(args: &SimulateArgs, e: &Evaluation) -> String {
    let mut s = String::new();
    let p = output::printable;
    let _ = writeln!(
        s,
        "Request    {} {} {}",
        p(&args.principal),
        p(&args.action),
        p(&args.resource)
    );
    let _ = writeln!(s, "Decision   {}", e.decision.as_str());
    let _ = writeln!(s, "Reason     {}", p(&e.reason));
    let _ = writeln!(s);
    let mut t = output::table();
    t.set_header(vec![
        "LAYER",
        "RESULT",
        "ALLOW STATEMENTS",
        "DENY STATEMENTS",
    ]);
    for l in &e.layers {
        let name = match l.level {
            Some(level) => format!("{} (level {level})", l.layer),
            None => l.layer.as_str().to_string(),
        };
        let result = if !l.applicable {
            "not applicable"
        } else if !l.denies.is_empty() {
            "explicit deny"
        } else if !l.allows.is_empty() {
            "allow"
        } else {
            "no match"
        };
        t.add_row(vec![
            name,
            result.to_string(),
            p(&refs(&l.allows)),
            p(&refs(&l.denies)),
        ]);
    }
    let _ = writeln!(s, "{t}");
    s
}
