//! PAL-AWS-011: missing or old policy Version.

use super::{Check, CheckOptions, FindingClass, Hit, severity_of};
use crate::json::Pos;
use crate::policy::Policy;
use palisade_report::RuleDoc;

pub fn check() -> Check {
    Check {
        class: FindingClass::Warning,
        doc: RuleDoc {
            id: "PAL-AWS-011",
            title: "Policy Version missing or 2008-10-17",
            severity: severity_of(FindingClass::Warning),
            rationale: "Without \"Version\": \"2012-10-17\" (or with 2008-10-17) policy variables such as ${aws:username} are not substituted: they are compared as literal text, so namespace-per-user statements silently stop matching.",
            fix: "Start the policy with \"Version\": \"2012-10-17\".",
            peer_ids: &["AccessAnalyzer:MISSING_VERSION"],
            references: &[
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    match policy.version.as_deref() {
        Some("2012-10-17") => Vec::new(),
        other => vec![Hit {
            pos: Pos { line: 1, column: 1 },
            message: match other {
                Some(v) => format!("Version is {v:?}; policy variables need \"2012-10-17\""),
                None => "the policy has no Version; policy variables need \"2012-10-17\"".into(),
            },
        }],
    }
}
