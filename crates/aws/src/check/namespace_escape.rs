//! PAL-AWS-002: an Allow reaches ECR repositories outside the team namespace.

use super::{Check, CheckOptions, FindingClass, Hit, allows, resource_patterns, severity_of};
use crate::policy::{Policy, PolicyKind};
use palisade_report::RuleDoc;

pub fn check() -> Check {
    Check {
        class: FindingClass::SecurityWarning,
        doc: RuleDoc {
            id: "PAL-AWS-002",
            title: "Access outside the team namespace",
            severity: severity_of(FindingClass::SecurityWarning),
            rationale: "The guide scopes each team's ECR permissions to its namespace (`repository/team-a/*`). A statement whose Resource reaches other repositories (`repository/*`, `*`, a NotResource, or a wildcard before the namespace) lets the team read or overwrite other teams' images.",
            fix: "Scope the statement: \"Resource\": \"arn:aws:ecr:REGION:ACCOUNT:repository/team-a/*\".",
            peer_ids: &[],
            references: &[
                "https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, options: &CheckOptions) -> Vec<Hit> {
    // Team namespaces are granted through the team's identity policies.
    if policy.kind != PolicyKind::Identity {
        return Vec::new();
    }
    let Some(ns) = options.namespace.as_deref() else {
        return Vec::new();
    };
    let prefix = format!("repository/{}/", ns.trim_end_matches('/'));
    let mut hits = Vec::new();
    for s in allows(policy) {
        if !s.action.negated
            && !s
                .action
                .values
                .iter()
                .any(|a| a == "*" || a.to_ascii_lowercase().starts_with("ecr:"))
        {
            continue;
        }
        let escaping: Vec<&str> = match resource_patterns(s) {
            None => continue,
            Some((_, true)) => vec!["NotResource"],
            Some((values, false)) => values
                .iter()
                .filter(|r| {
                    // Only GetAuthorizationToken legitimately needs "*"; it is not a repository grant.
                    let only_token = s
                        .action
                        .values
                        .iter()
                        .all(|a| a.eq_ignore_ascii_case("ecr:GetAuthorizationToken"));
                    !(confined(r, &prefix) || (only_token && r.as_str() == "*"))
                })
                .map(String::as_str)
                .collect(),
        };
        if !escaping.is_empty() {
            hits.push(Hit {
                pos: s.resource.as_ref().map_or(s.pos, |r| r.pos),
                message: format!(
                    "statement {} grants ECR actions on {} which reaches repositories outside {prefix}*",
                    s.label(),
                    escaping.join(", ")
                ),
            });
        }
    }
    hits
}

/// Is the ARN pattern's resource part a literal `repository/NS/…` (no
/// wildcard before the namespace) in a non-wildcard service?
fn confined(pattern: &str, prefix: &str) -> bool {
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    parts.len() == 6 && parts[2] == "ecr" && parts[5].starts_with(prefix)
}
