//! PAL-ECR-002: images are not scanned on push (basic or enhanced scanning).

use super::{AuditCheck, AuditHit, Inputs};
use crate::check::{FindingClass, severity_of};
use crate::wildcard;
use palisade_report::RuleDoc;

pub fn check() -> AuditCheck {
    AuditCheck {
        class: FindingClass::SecurityWarning,
        doc: RuleDoc {
            id: "PAL-ECR-002",
            title: "Images not scanned on push",
            severity: severity_of(FindingClass::SecurityWarning),
            rationale: "The guide asks for images to be scanned regularly; without scan on push (basic scanning) or an enhanced-scanning rule (Amazon Inspector, SCAN_ON_PUSH or CONTINUOUS_SCAN) whose filter covers the repository, vulnerable images are pushed and deployed unnoticed.",
            fix: "aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules '[{\"scanFrequency\":\"CONTINUOUS_SCAN\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD\"}]}]' (or basic: scanFrequency SCAN_ON_PUSH).",
            peer_ids: &["AVD-AWS-0030"],
            references: &[
                "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
            ],
        },
        run,
    }
}

fn run(inputs: &Inputs) -> Vec<AuditHit> {
    let mut hits = Vec::new();
    for r in &inputs.repositories {
        // Registry scanning rules, when there are any, decide (they replace
        // the per-repository flag); BASIC scanning with no rule (the default
        // every account has) leaves it to the repository's own scanOnPush.
        let registry = inputs
            .registry_scanning
            .as_ref()
            .filter(|(_, cfg)| !(cfg.rules.is_empty() && cfg.scan_type == "BASIC"));
        let covered = match registry {
            Some((_, cfg)) => cfg.rules.iter().any(|rule| {
                matches!(
                    rule.scan_frequency.as_str(),
                    "SCAN_ON_PUSH" | "CONTINUOUS_SCAN"
                ) && rule
                    .repository_filters
                    .iter()
                    .any(|f| wildcard::matches(&f.filter, &r.repository_name))
            }),
            None => r
                .image_scanning_configuration
                .as_ref()
                .is_some_and(|c| c.scan_on_push),
        };
        if !covered {
            let why = match registry {
                Some((file, cfg)) => format!(
                    "no {} scanning rule in {file} scans it on push or continuously",
                    cfg.scan_type
                ),
                None => "scanOnPush is false".to_string(),
            };
            hits.push(AuditHit {
                input: r.input.clone(),
                pos: None,
                message: format!("repository {}: {why}", r.repository_name),
            });
        }
    }
    hits
}
