//! PAL-AWS-007: `ecr:GetAuthorizationToken` in a resource policy has no effect.

use super::{Check, CheckOptions, FindingClass, Hit, severity_of};
use crate::policy::{Policy, PolicyKind};
use palisade_report::RuleDoc;

pub fn check() -> Check {
    Check {
        class: FindingClass::Error,
        doc: RuleDoc {
            id: "PAL-AWS-007",
            title: "GetAuthorizationToken in a repository policy",
            severity: severity_of(FindingClass::Error),
            rationale: "ecr:GetAuthorizationToken has no resource (it takes Resource \"*\"), so a repository or registry policy cannot grant it: callers that rely on it cannot log in to the registry. It must be granted in an identity policy.",
            fix: "Remove ecr:GetAuthorizationToken from the repository policy and grant it in the caller's identity policy: {\"Effect\": \"Allow\", \"Action\": \"ecr:GetAuthorizationToken\", \"Resource\": \"*\"}.",
            peer_ids: &[],
            references: &[
                "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    if !matches!(policy.kind, PolicyKind::Repository | PolicyKind::Registry) {
        return Vec::new();
    }
    policy
        .statements
        .iter()
        .filter(|s| !s.action.negated && s.action.values.iter().any(|a| a.eq_ignore_ascii_case("ecr:GetAuthorizationToken")))
        .map(|s| Hit {
            pos: s.action.pos,
            message: format!("statement {} lists ecr:GetAuthorizationToken, which only works in identity policies", s.label()),
        })
        .collect()
}
