//! Offline ECR repository audit from saved `aws ecr` CLI outputs:
//! describe-repositories, get-repository-policy, get-lifecycle-policy,
//! get-registry-policy and get-registry-scanning-configuration. One check
//! per file; repository and registry policies go through [`crate::check`].

mod encryption;
pub mod inputs;
mod lifecycle_present;
mod scan_on_push;
mod tag_mutability;

use crate::check::{self, CheckOptions, FindingClass};
use crate::json::Pos;
use crate::policy::PolicyKind;
pub use inputs::{Inputs, Repository};
use palisade_model::{Finding, Location};
use palisade_report::RuleDoc;

/// One audit check over the whole input set.
pub struct AuditCheck {
    pub doc: RuleDoc,
    pub class: FindingClass,
    pub run: fn(&Inputs) -> Vec<AuditHit>,
}

pub struct AuditHit {
    /// The file the evidence is in.
    pub input: String,
    pub pos: Option<Pos>,
    pub message: String,
}

pub fn audit_checks() -> Vec<AuditCheck> {
    vec![
        tag_mutability::check(),
        scan_on_push::check(),
        lifecycle_present::check(),
        encryption::check(),
    ]
}

/// Documentation of the audit's own rules and of the policy checks it runs.
pub fn rules() -> Vec<RuleDoc> {
    let mut r: Vec<RuleDoc> = audit_checks().into_iter().map(|c| c.doc).collect();
    r.extend(check::rules());
    r
}

/// Runs every check; policy files that do not parse become PAL-AWS-001 findings.
pub fn audit(inputs: &Inputs, options: &CheckOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in audit_checks() {
        for hit in (c.run)(inputs) {
            out.push(Finding {
                rule: c.doc.id.to_string(),
                severity: c.doc.severity,
                title: c.doc.title.to_string(),
                message: format!("[{}] {}", c.class.as_str(), hit.message),
                location: Location {
                    input: hit.input,
                    line: hit.pos.map(|p| p.line),
                    column: hit.pos.map(|p| p.column),
                    ..Location::default()
                },
                fix: Some(c.doc.fix.to_string()),
                references: c.doc.references.iter().map(|r| r.to_string()).collect(),
                vulnerability: None,
            });
        }
    }
    for (_, policy) in &inputs.repository_policies {
        match policy {
            Ok(p) => out.extend(check::run(p, options)),
            Err(e) => out.push(check::invalid(e)),
        }
    }
    if let Some(policy) = &inputs.registry_policy {
        match policy {
            Ok(p) => out.extend(check::run(p, options)),
            Err(e) => out.push(check::invalid(e)),
        }
    }
    for lifecycle in &inputs.lifecycle_policies {
        if let Err(e) = &lifecycle.policy {
            out.push(check::invalid(e));
        }
    }
    out
}

/// The kind a policy file of the audit has.
pub fn kind_of(is_registry: bool) -> PolicyKind {
    if is_registry {
        PolicyKind::Registry
    } else {
        PolicyKind::Repository
    }
}
