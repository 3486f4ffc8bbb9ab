//! PAL-ECR-001: image tags can be overwritten.

use super::{AuditCheck, AuditHit, Inputs};
use crate::check::{FindingClass, severity_of};
use palisade_report::RuleDoc;

pub fn check() -> AuditCheck {
    AuditCheck {
        class: FindingClass::Warning,
        doc: RuleDoc {
            id: "PAL-ECR-001",
            title: "Mutable image tags",
            severity: severity_of(FindingClass::Warning),
            rationale: "With mutable tags anyone who can push can move `v1.2.3` to a different image, so a deployment that pins a tag may run something nobody reviewed or scanned. The guide recommends immutable tags; IMMUTABLE_WITH_EXCLUSION keeps a few tags (such as `latest`) movable, MUTABLE_WITH_EXCLUSION protects only the listed ones.",
            fix: "aws ecr put-image-tag-mutability --repository-name REPO --image-tag-mutability IMMUTABLE (or IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter=latest).",
            peer_ids: &["AVD-AWS-0031"],
            references: &[
                "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
            ],
        },
        run,
    }
}

fn run(inputs: &Inputs) -> Vec<AuditHit> {
    let mut hits = Vec::new();
    for r in &inputs.repositories {
        let filters: Vec<&str> = r
            .image_tag_mutability_exclusion_filters
            .iter()
            .map(|f| f.filter.as_str())
            .collect();
        let message = match r.image_tag_mutability.as_deref().unwrap_or("MUTABLE") {
            "IMMUTABLE" => continue,
            "IMMUTABLE_WITH_EXCLUSION" if filters.contains(&"*") => {
                "tags are IMMUTABLE_WITH_EXCLUSION but the exclusion filter \"*\" makes every tag mutable".to_string()
            }
            "IMMUTABLE_WITH_EXCLUSION" => continue,
            "MUTABLE_WITH_EXCLUSION" => format!("tags are mutable except those matching {}", filters.join(", ")),
            other => format!("imageTagMutability is {other}"),
        };
        hits.push(AuditHit {
            input: r.input.clone(),
            pos: None,
            message: format!("repository {}: {message}", r.repository_name),
        });
    }
    hits
}
