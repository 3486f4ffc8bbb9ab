//! Policy checks: the guide's registry practices plus Access Analyzer-style
//! validation. One check per file; each has a [`RuleDoc`] and an
//! Access Analyzer finding class, mapped to a palisade severity:
//!
//! | class | meaning (ValidatePolicy `findingType`) | severity |
//! |---|---|---|
//! | ERROR | part of the policy does not work | HIGH |
//! | SECURITY_WARNING | the policy grants too much | HIGH or CRITICAL |
//! | WARNING | best-practice problem | MEDIUM |
//! | SUGGESTION | style, no effect on access | LOW |

mod auth_token_in_resource_policy;
mod broad_push;
mod endpoint_blocks_eks;
mod endpoint_foreign_push;
mod invalid_policy;
mod namespace_escape;
mod not_elements;
mod not_principal;
mod public_principal;
mod registry_actions;
mod unknown_action;
mod version;

use crate::evaluate::action_matches;
use crate::json::Pos;
use crate::policy::{Effect, Policy, PolicyError, Statement};
use palisade_model::{Finding, Location, Severity};
use palisade_report::RuleDoc;

/// Access Analyzer `findingType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingClass {
    Error,
    SecurityWarning,
    Warning,
    Suggestion,
}

impl FindingClass {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingClass::Error => "ERROR",
            FindingClass::SecurityWarning => "SECURITY_WARNING",
            FindingClass::Warning => "WARNING",
            FindingClass::Suggestion => "SUGGESTION",
        }
    }
}

/// One check: its documentation, class and logic.
pub struct Check {
    pub doc: RuleDoc,
    pub class: FindingClass,
    pub run: fn(&Policy, &CheckOptions) -> Vec<Hit>,
}

/// What a check found, before it becomes a [`Finding`].
pub struct Hit {
    pub pos: Pos,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The team namespace a policy must stay in, e.g. `team-a`
    /// (repositories `team-a/*`); `None` skips the namespace check.
    pub namespace: Option<String>,
}

/// Every check, in rule-id order.
pub fn checks() -> Vec<Check> {
    vec![
        invalid_policy::check(),
        namespace_escape::check(),
        broad_push::check(),
        public_principal::check(),
        endpoint_foreign_push::check(),
        endpoint_blocks_eks::check(),
        auth_token_in_resource_policy::check(),
        registry_actions::check(),
        unknown_action::check(),
        not_elements::check(),
        version::check(),
        not_principal::check(),
    ]
}

/// Documentation of every rule (for SARIF and `--help`-style listings).
pub fn rules() -> Vec<RuleDoc> {
    checks().into_iter().map(|c| c.doc).collect()
}

/// Runs every check on a parsed policy.
pub fn run(policy: &Policy, options: &CheckOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in checks() {
        for hit in (c.run)(policy, options) {
            out.push(finding(&c, &policy.source, hit));
        }
    }
    out
}

/// The finding for a policy that does not parse.
pub fn invalid(error: &PolicyError) -> Finding {
    let c = invalid_policy::check();
    finding(
        &c,
        &error.input,
        Hit {
            pos: error.pos,
            message: error.message.clone(),
        },
    )
}

fn finding(c: &Check, input: &str, hit: Hit) -> Finding {
    Finding {
        rule: c.doc.id.to_string(),
        severity: c.doc.severity,
        title: c.doc.title.to_string(),
        message: format!("[{}] {}", c.class.as_str(), hit.message),
        location: Location {
            input: input.to_string(),
            line: Some(hit.pos.line),
            column: Some(hit.pos.column),
            ..Location::default()
        },
        fix: Some(c.doc.fix.to_string()),
        references: c.doc.references.iter().map(|r| r.to_string()).collect(),
        vulnerability: None,
    }
}

/// Severity of a class (SECURITY_WARNING checks may raise theirs to CRITICAL).
pub const fn severity_of(class: FindingClass) -> Severity {
    match class {
        FindingClass::Error | FindingClass::SecurityWarning => Severity::High,
        FindingClass::Warning => Severity::Medium,
        FindingClass::Suggestion => Severity::Low,
    }
}

/// Does the statement's Action/NotAction cover `action`?
pub(crate) fn covers_action(s: &Statement, action: &str) -> bool {
    s.action.values.iter().any(|a| action_matches(a, action)) != s.action.negated
}

/// Allow statements only.
pub(crate) fn allows(policy: &Policy) -> impl Iterator<Item = &Statement> {
    policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
}

/// The actions that write images (the guide's push set).
pub(crate) const PUSH_ACTIONS: [&str; 4] = [
    "ecr:PutImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
];

/// The resource patterns a statement grants on (`None` = the whole
/// resource the policy is attached to, i.e. resource policies without Resource).
pub(crate) fn resource_patterns(s: &Statement) -> Option<(&[String], bool)> {
    s.resource
        .as_ref()
        .map(|r| (r.values.as_slice(), r.negated))
}
