//! PAL-AWS-009: an `ecr:` action (or pattern) that matches no ECR action.

use super::{Check, CheckOptions, FindingClass, Hit, severity_of};
use crate::policy::Policy;
use crate::wildcard;
use palisade_report::RuleDoc;
use std::sync::OnceLock;

pub fn check() -> Check {
    Check {
        class: FindingClass::Error,
        doc: RuleDoc {
            id: "PAL-AWS-009",
            title: "Unknown ECR action",
            severity: severity_of(FindingClass::Error),
            rationale: "An ecr: action that does not exist (a typo such as ecr:PushImage) grants or denies nothing, so the statement silently does less than intended; a misspelt Deny protects nothing.",
            fix: "Use the action names of the Service Authorization Reference, e.g. ecr:PutImage, ecr:BatchGetImage.",
            peer_ids: &[
                "AccessAnalyzer:UNDEFINED_ACTION",
                "parliament:UNKNOWN_ACTION",
            ],
            references: &[
                "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html",
            ],
        },
        run,
    }
}

/// The known ECR action names (data/ecr_actions.txt).
pub fn ecr_actions() -> &'static [&'static str] {
    static A: OnceLock<Vec<&'static str>> = OnceLock::new();
    A.get_or_init(|| {
        include_str!("../../data/ecr_actions.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    let mut hits = Vec::new();
    for s in &policy.statements {
        for a in &s.action.values {
            let Some((service, name)) = a.split_once(':') else {
                continue;
            };
            if !service.eq_ignore_ascii_case("ecr") {
                continue;
            }
            if !ecr_actions()
                .iter()
                .any(|known| wildcard::matches_ignore_case(name, known))
            {
                hits.push(Hit {
                    pos: s.action.pos,
                    message: format!("statement {}: {a:?} matches no ECR action", s.label()),
                });
            }
        }
    }
    hits
}
