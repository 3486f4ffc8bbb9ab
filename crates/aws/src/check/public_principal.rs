//! PAL-AWS-004: `Principal: "*"` without an organisation, account or endpoint condition.

use super::{Check, CheckOptions, FindingClass, Hit, allows};
use crate::policy::{Policy, PolicyKind};
use palisade_model::Severity;
use palisade_report::RuleDoc;

/// Condition keys that narrow "everyone" to a known organisation, account,
/// principal or network path.
const NARROWING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
];

pub fn check() -> Check {
    Check {
        class: FindingClass::SecurityWarning,
        doc: RuleDoc {
            id: "PAL-AWS-004",
            title: "Repository or registry policy open to everyone",
            severity: Severity::Critical,
            rationale: "`\"Principal\": \"*\"` in a repository or registry policy grants every AWS account (and, for some actions, anonymous callers) unless a condition narrows it. Access Analyzer reports this as public access.",
            fix: "Name the principals, or keep \"*\" and add \"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-xxxxxxxxxx\"}} (or aws:PrincipalAccount / aws:SourceVpce).",
            peer_ids: &["AccessAnalyzer:CheckNoPublicAccess"],
            references: &[
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    // Endpoint policies are expected to use "*" and are scoped by Resource (PAL-AWS-005).
    if !matches!(policy.kind, PolicyKind::Repository | PolicyKind::Registry) {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for s in allows(policy) {
        let Some(p) = &s.principal else { continue };
        let everyone = p.everyone || p.entries.iter().any(|(ty, v)| ty == "AWS" && v == "*");
        if !everyone {
            continue;
        }
        let narrowed = s.conditions.iter().any(|c| {
            let negative = c.operator.contains("Not") && !c.operator.starts_with("Null");
            NARROWING_KEYS.contains(&c.key.to_ascii_lowercase().as_str())
                && !negative
                && !c.operator.contains("IfExists")
        });
        if !narrowed {
            hits.push(Hit {
                pos: p.pos,
                message: format!("statement {} allows Principal \"*\" with no organisation, account or endpoint condition", s.label()),
            });
        }
    }
    hits
}
