//! PAL-ECR-004: images encrypted with the AWS-owned key instead of KMS.

use super::{AuditCheck, AuditHit, Inputs};
use crate::check::{FindingClass, severity_of};
use palisade_report::RuleDoc;

pub fn check() -> AuditCheck {
    AuditCheck {
        class: FindingClass::Suggestion,
        doc: RuleDoc {
            id: "PAL-ECR-004",
            title: "Repository not encrypted with a KMS key",
            severity: severity_of(FindingClass::Suggestion),
            rationale: "AES256 (the default) encrypts with an AWS-owned key; a customer-managed KMS key adds an independent access control (the key policy) and a CloudTrail record of every decryption.",
            fix: "Create the repository with --encryption-configuration encryptionType=KMS,kmsKey=arn:aws:kms:REGION:ACCOUNT:key/ID (the setting cannot change after creation: replicate into a new repository).",
            peer_ids: &["AVD-AWS-0033"],
            references: &[
                "https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
            ],
        },
        run,
    }
}

fn run(inputs: &Inputs) -> Vec<AuditHit> {
    let mut hits = Vec::new();
    for r in &inputs.repositories {
        let kind = r
            .encryption_configuration
            .as_ref()
            .map_or("AES256", |e| e.encryption_type.as_str());
        if !kind.starts_with("KMS") {
            hits.push(AuditHit {
                input: r.input.clone(),
                pos: None,
                message: format!("repository {}: encryptionType is {kind}", r.repository_name),
            });
        }
    }
    hits
}
