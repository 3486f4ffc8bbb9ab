//! Which images a lifecycle policy acts on, with ECR's evaluation rules
//! (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lifecycle_policy_evaluation):
//! - all rules are evaluated, then applied in priority order;
//! - an image is acted on by at most one rule;
//! - an image that matches the tag requirements of a higher-priority rule
//!   cannot be expired by a lower-priority rule, but lower rules still count
//!   it ("identify them as if they haven't been expired") for imageCountMoreThan;
//! - images are always taken oldest pushed first;
//! - imageCountMoreThan keeps the N most recently pushed matching images;
//!   sinceImagePushed selects images pushed more than N days ago.

use super::policy::{Action, CountType, LifecyclePolicy, Rule, TagStatus};
use crate::wildcard;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    pub digest: String,
    pub tags: Vec<String>,
    /// Seconds since the epoch.
    pub pushed_at: i64,
    /// Last pull (ECR's lastRecordedPullTime), when known.
    pub last_pulled_at: Option<i64>,
    /// `standard` or `archive`.
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub image: Image,
    pub action: Action,
    pub rule_priority: u64,
    pub rule_description: Option<String>,
}

/// Does the image satisfy the rule's tag requirements?
pub fn selects(rule: &Rule, image: &Image) -> bool {
    if image.storage_class != rule.storage_class {
        return false;
    }
    match rule.tag_status {
        TagStatus::Any => true,
        TagStatus::Untagged => image.tags.is_empty(),
        // Every listed prefix/pattern must match some tag of the image.
        TagStatus::Tagged if !rule.tag_prefix_list.is_empty() => rule
            .tag_prefix_list
            .iter()
            .all(|p| image.tags.iter().any(|t| t.starts_with(p.as_str()))),
        TagStatus::Tagged => rule
            .tag_pattern_list
            .iter()
            .all(|p| image.tags.iter().any(|t| wildcard::matches(p, t))),
    }
}

const DAY: i64 = 86_400;

/// The images `policy` acts on at time `now` (epoch seconds), oldest first
/// within each rule, rules in priority order.
pub fn preview(policy: &LifecyclePolicy, images: &[Image], now: i64) -> Vec<Outcome> {
    // Oldest pushed first; the digest breaks ties so results are stable.
    let mut order: Vec<&Image> = images.iter().collect();
    order.sort_by(|a, b| {
        a.pushed_at
            .cmp(&b.pushed_at)
            .then_with(|| a.digest.cmp(&b.digest))
    });
    let mut acted: Vec<bool> = vec![false; order.len()];
    let mut claimed: Vec<bool> = vec![false; order.len()];
    let mut out = Vec::new();
    for rule in &policy.rules {
        let matching: Vec<usize> = (0..order.len())
            .filter(|&i| selects(rule, order[i]))
            .collect();
        let candidates: Vec<usize> = match rule.count_type {
            CountType::ImageCountMoreThan => {
                let keep = rule.count_number as usize;
                let excess = matching.len().saturating_sub(keep);
                matching[..excess].to_vec()
            }
            CountType::SinceImagePushed => {
                let cutoff = now - rule.count_number as i64 * DAY;
                matching
                    .iter()
                    .copied()
                    .filter(|&i| order[i].pushed_at < cutoff)
                    .collect()
            }
            CountType::SinceImagePulled => {
                let cutoff = now - rule.count_number as i64 * DAY;
                // Never pulled counts from the push time, as ECR does.
                matching
                    .iter()
                    .copied()
                    .filter(|&i| order[i].last_pulled_at.unwrap_or(order[i].pushed_at) < cutoff)
                    .collect()
            }
            // Registries record no transition time: nothing is selected.
            CountType::SinceImageTransitioned => Vec::new(),
        };
        for i in candidates {
            if acted[i] || claimed[i] {
                continue;
            }
            acted[i] = true;
            out.push(Outcome {
                image: order[i].clone(),
                action: rule.action,
                rule_priority: rule.rule_priority,
                rule_description: rule.description.clone(),
            });
        }
        for i in matching {
            claimed[i] = true;
        }
    }
    out
}
