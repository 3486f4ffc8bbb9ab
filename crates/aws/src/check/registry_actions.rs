//! PAL-AWS-008: a registry policy with actions ECR does not accept there.

use super::{Check, CheckOptions, FindingClass, Hit, severity_of};
use crate::policy::{Policy, PolicyKind};
use palisade_report::RuleDoc;

const ALLOWED: [&str; 3] = [
    "ecr:ReplicateImage",
    "ecr:BatchImportUpstreamImage",
    "ecr:CreateRepository",
];

pub fn check() -> Check {
    Check {
        class: FindingClass::Error,
        doc: RuleDoc {
            id: "PAL-AWS-008",
            title: "Registry policy with an unsupported action",
            severity: severity_of(FindingClass::Error),
            rationale: "A private registry policy accepts only ecr:ReplicateImage, ecr:BatchImportUpstreamImage and ecr:CreateRepository; PutRegistryPolicy rejects any other action, including wildcards and NotAction.",
            fix: "Keep only the three registry actions, e.g. \"Action\": [\"ecr:ReplicateImage\", \"ecr:CreateRepository\"]; grant repository actions in repository or identity policies.",
            peer_ids: &[],
            references: &[
                "https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions.html",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    if policy.kind != PolicyKind::Registry {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for s in &policy.statements {
        let bad: Vec<&str> = if s.action.negated {
            vec!["NotAction"]
        } else {
            s.action
                .values
                .iter()
                .map(String::as_str)
                .filter(|a| !ALLOWED.iter().any(|ok| ok.eq_ignore_ascii_case(a)))
                .collect()
        };
        if !bad.is_empty() {
            hits.push(Hit {
                pos: s.action.pos,
                message: format!(
                    "statement {} uses {} (registry policies accept only {})",
                    s.label(),
                    bad.join(", "),
                    ALLOWED.join(", ")
                ),
            });
        }
    }
    hits
}
