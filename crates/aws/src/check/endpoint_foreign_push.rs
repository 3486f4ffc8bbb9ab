//! PAL-AWS-005: an endpoint policy lets pushes reach repositories in any account.

use super::{
    Check, CheckOptions, FindingClass, Hit, PUSH_ACTIONS, allows, covers_action, resource_patterns,
    severity_of,
};
use crate::policy::{Policy, PolicyKind};
use palisade_report::RuleDoc;

pub fn check() -> Check {
    Check {
        class: FindingClass::SecurityWarning,
        doc: RuleDoc {
            id: "PAL-AWS-005",
            title: "Endpoint policy does not restrict pushes to your account",
            severity: severity_of(FindingClass::SecurityWarning),
            rationale: "The default ECR endpoint policy allows every repository in the Region, so an insider or attacker can package data as an image and push it to a registry in another account. The guide restricts the endpoint to the account's own repositories (optionally with aws:PrincipalOrgID), or allows pulls from anywhere but pushes only to the account.",
            fix: "{\"Sid\": \"LimitECRAccess\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"arn:aws:ecr:REGION:ACCOUNT:repository/*\", \"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-xxxxxxxxxx\"}}} on both the ecr.api and ecr.dkr endpoints.",
            peer_ids: &[],
            references: &[
                "https://docs.aws.amazon.com/eks/latest/best-practices/image-security.html",
                "https://aws.amazon.com/blogs/containers/using-vpc-endpoint-policies-to-control-amazon-ecr-access/",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    if policy.kind != PolicyKind::Endpoint {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for s in allows(policy) {
        if !PUSH_ACTIONS.iter().any(|a| covers_action(s, a)) {
            continue;
        }
        let open: Vec<&str> = match resource_patterns(s) {
            None => vec!["(no Resource)"],
            Some((_, true)) => vec!["NotResource"],
            Some((values, false)) => values
                .iter()
                .map(String::as_str)
                .filter(|r| !account_fixed(r))
                .collect(),
        };
        if !open.is_empty() {
            hits.push(Hit {
                pos: s.resource.as_ref().map_or(s.pos, |r| r.pos),
                message: format!(
                    "statement {} allows pushes to repositories in any account: {}",
                    s.label(),
                    open.join(", ")
                ),
            });
        }
    }
    hits
}

/// Does the ARN pattern name one literal account?
fn account_fixed(pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    parts.len() == 6 && parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit())
}
