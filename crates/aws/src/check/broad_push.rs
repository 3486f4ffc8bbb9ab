//! PAL-AWS-003: `ecr:*` or push actions allowed on every repository.

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
            id: "PAL-AWS-003",
            title: "ECR write access on every repository",
            severity: severity_of(FindingClass::SecurityWarning),
            rationale: "`ecr:*` or the push actions (PutImage, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload) on `*` or `repository/*` let the holder replace any image in the registry, including base images other teams build on.",
            fix: "Grant push actions per namespace: \"Action\": [\"ecr:PutImage\", \"ecr:InitiateLayerUpload\", \"ecr:UploadLayerPart\", \"ecr:CompleteLayerUpload\", \"ecr:BatchCheckLayerAvailability\"], \"Resource\": \"arn:aws:ecr:REGION:ACCOUNT:repository/team-a/*\".",
            peer_ids: &["cloudsplaining:ResourceExposure"],
            references: &[
                "https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    // Endpoint policies are judged by PAL-AWS-005 (they gate, they do not grant).
    if policy.kind == PolicyKind::Endpoint {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for s in allows(policy) {
        let pushes: Vec<&str> = PUSH_ACTIONS
            .iter()
            .copied()
            .filter(|a| covers_action(s, a))
            .collect();
        if pushes.is_empty() {
            continue;
        }
        let everywhere = match resource_patterns(s) {
            // Resource policies without Resource apply to their own repository only.
            None => false,
            Some((_, true)) => true,
            Some((values, false)) => values
                .iter()
                .any(|r| r == "*" || r.ends_with(":repository/*") || r.ends_with(":*")),
        };
        if everywhere {
            let what = if covers_action(s, "ecr:DeleteRepository") {
                "ecr:* (all ECR actions)".to_string()
            } else {
                pushes.join(", ")
            };
            hits.push(Hit {
                pos: s.action.pos,
                message: format!("statement {} allows {what} on every repository", s.label()),
            });
        }
    }
    hits
}
