//! PAL-AWS-012: NotPrincipal (discouraged by AWS).

use super::{Check, CheckOptions, FindingClass, Hit, severity_of};
use crate::policy::Policy;
use palisade_report::RuleDoc;

pub fn check() -> Check {
    Check {
        class: FindingClass::Suggestion,
        doc: RuleDoc {
            id: "PAL-AWS-012",
            title: "NotPrincipal",
            severity: severity_of(FindingClass::Suggestion),
            rationale: "NotPrincipal excludes exactly the listed ARNs: a role ARN does not exclude its sessions and a user ARN needs its account ARN too, so it is easy to deny the principals meant to keep access. AWS recommends aws:PrincipalArn conditions instead.",
            fix: "Replace NotPrincipal with \"Principal\": \"*\" and \"Condition\": {\"ArnNotEquals\": {\"aws:PrincipalArn\": [\"arn:aws:iam::ACCOUNT:role/release\"]}}.",
            peer_ids: &[],
            references: &[
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    policy
        .statements
        .iter()
        .filter_map(|s| s.principal.as_ref().filter(|p| p.negated).map(|p| (s, p)))
        .map(|(s, p)| Hit {
            pos: p.pos,
            message: format!("statement {} uses NotPrincipal", s.label()),
        })
        .collect()
}
