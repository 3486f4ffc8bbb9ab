//! PAL-AWS-006: an endpoint policy blocks pulls from the Region's EKS image account.

use super::{Check, CheckOptions, FindingClass, Hit, severity_of};
use crate::eks_accounts;
use crate::evaluate::statement_applies;
use crate::policy::{Effect, Policy, PolicyKind};
use crate::request::Request;
use palisade_report::RuleDoc;

pub fn check() -> Check {
    Check {
        class: FindingClass::Error,
        doc: RuleDoc {
            id: "PAL-AWS-006",
            title: "Endpoint policy blocks the EKS image account",
            severity: severity_of(FindingClass::Error),
            rationale: "EKS pulls kube-proxy, coredns and the VPC CNI from an AWS-owned account per Region (602401143452 in most Regions). An ECR endpoint policy that only allows your own repositories stops nodes from pulling them, so new nodes fail to join.",
            fix: "Add the Region's EKS image account to the endpoint policy: {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": [\"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\", \"ecr:BatchCheckLayerAvailability\"], \"Resource\": \"arn:aws:ecr:REGION:EKS_ACCOUNT:repository/*\"}.",
            peer_ids: &[],
            references: &["https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html"],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    if policy.kind != PolicyKind::Endpoint {
        return Vec::new();
    }
    // The Regions the policy is about: the literal Region segments of its resources.
    let mut regions: Vec<String> = Vec::new();
    for s in &policy.statements {
        for r in s.resource.iter().flat_map(|r| r.values.iter()) {
            if let Some(region) = r.split(':').nth(3)
                && !region.is_empty()
                && !region.contains(['*', '?', '$'])
                && !regions.iter().any(|x| x == region)
            {
                regions.push(region.to_string());
            }
        }
    }
    let mut hits = Vec::new();
    for region in regions {
        let Some(account) = eks_accounts::account_for(&region) else {
            continue;
        };
        let partition = if region.starts_with("cn-") {
            "aws-cn"
        } else if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        let resource = format!("arn:{partition}:ecr:{region}:{account}:repository/eks/coredns");
        // The caller is one of your nodes: conditions about the caller are
        // assumed to hold, so only Action/Resource decide.
        let request = Request::new("*", "ecr:BatchGetImage", &resource);
        let matching = |effect: Effect| {
            policy.statements.iter().any(|s| {
                let mut s = s.clone();
                s.conditions.clear();
                s.effect == effect
                    && statement_applies(&s, PolicyKind::Endpoint, &request).is_some()
            })
        };
        let denied_unconditionally = policy.statements.iter().any(|s| {
            s.effect == Effect::Deny
                && s.conditions.is_empty()
                && statement_applies(s, PolicyKind::Endpoint, &request).is_some()
        });
        if !matching(Effect::Allow) || denied_unconditionally {
            hits.push(Hit {
                pos: policy.statements.first().map(|s| s.pos).unwrap_or_default(),
                message: format!("nodes in {region} cannot pull EKS add-on images from account {account} ({resource}) through this endpoint"),
            });
        }
    }
    hits
}
