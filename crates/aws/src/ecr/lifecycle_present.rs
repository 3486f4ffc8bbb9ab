//! PAL-ECR-003: a repository without a lifecycle policy.

use super::{AuditCheck, AuditHit, Inputs};
use crate::check::{FindingClass, severity_of};
use palisade_report::RuleDoc;

pub fn check() -> AuditCheck {
    AuditCheck {
        class: FindingClass::Suggestion,
        doc: RuleDoc {
            id: "PAL-ECR-003",
            title: "No lifecycle policy",
            severity: severity_of(FindingClass::Suggestion),
            rationale: "Without a lifecycle policy stale and vulnerable images stay pullable forever (and cost storage). The guide recommends lifecycle policies that expire old and untagged images — keeping in mind that expiring an image a Deployment still uses breaks its next scale-out.",
            fix: "aws ecr put-lifecycle-policy --repository-name REPO --lifecycle-policy-text file://policy.json, after checking it with `palisade aws lifecycle preview`.",
            peer_ids: &[],
            references: &[
                "https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html",
            ],
        },
        run,
    }
}

fn run(inputs: &Inputs) -> Vec<AuditHit> {
    // Invalid lifecycle policies are reported as PAL-AWS-001 with their position.
    inputs
        .repositories
        .iter()
        .filter(|r| {
            !inputs
                .lifecycle_policies
                .iter()
                .any(|l| l.repository == r.repository_name)
        })
        .map(|r| AuditHit {
            input: r.input.clone(),
            pos: None,
            message: if inputs.lifecycle_policies_complete {
                format!("repository {}: has no lifecycle policy", r.repository_name)
            } else {
                format!(
                    "repository {}: no get-lifecycle-policy output was given for it",
                    r.repository_name
                )
            },
        })
        .collect()
}
