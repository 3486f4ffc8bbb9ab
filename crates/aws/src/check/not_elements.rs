//! PAL-AWS-010: Allow with NotAction or NotResource.

use super::{Check, CheckOptions, FindingClass, Hit, allows, severity_of};
use crate::policy::Policy;
use palisade_report::RuleDoc;

pub fn check() -> Check {
    Check {
        class: FindingClass::SecurityWarning,
        doc: RuleDoc {
            id: "PAL-AWS-010",
            title: "Allow with NotAction or NotResource",
            severity: severity_of(FindingClass::SecurityWarning),
            rationale: "\"Effect\": \"Allow\" with NotAction grants every other action of every service (including ones AWS adds later); with NotResource it grants on every other resource. Such statements almost always grant far more than intended.",
            fix: "List the actions and resources to allow; use NotAction/NotResource only with Deny.",
            peer_ids: &[
                "AccessAnalyzer:ALLOW_WITH_NOT_ACTION",
                "AccessAnalyzer:ALLOW_WITH_NOT_RESOURCE",
            ],
            references: &[
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
            ],
        },
        run,
    }
}

fn run(policy: &Policy, _: &CheckOptions) -> Vec<Hit> {
    let mut hits = Vec::new();
    for s in allows(policy) {
        if s.action.negated {
            hits.push(Hit {
                pos: s.action.pos,
                message: format!("statement {} allows with NotAction", s.label()),
            });
        }
        if let Some(r) = s.resource.as_ref().filter(|r| r.negated) {
            hits.push(Hit {
                pos: r.pos,
                message: format!("statement {} allows with NotResource", s.label()),
            });
        }
    }
    hits
}
