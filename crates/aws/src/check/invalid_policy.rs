//! PAL-AWS-001: the policy does not parse (invalid JSON or element).

use super::{Check, FindingClass, severity_of};
use palisade_report::RuleDoc;

pub fn check() -> Check {
    Check {
        class: FindingClass::Error,
        doc: RuleDoc {
            id: "PAL-AWS-001",
            title: "Invalid policy",
            severity: severity_of(FindingClass::Error),
            rationale: "AWS rejects a policy with invalid JSON or an invalid element (an unknown Effect, an Action that is not a string or an array, both Action and NotAction, a Principal in an identity policy, an unknown condition operator). Until it is fixed the policy is not applied at all.",
            fix: "Fix the element at the reported line and column; validate with `palisade aws policy check` before `aws ecr set-repository-policy`.",
            peer_ids: &["AccessAnalyzer:ERROR"],
            references: &[
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
            ],
        },
        // Parse errors become findings in `check::invalid`; a parsed policy has none.
        run: |_, _| Vec::new(),
    }
}
