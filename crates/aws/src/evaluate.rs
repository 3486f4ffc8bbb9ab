//! "Can P do A on R?" across identity, repository, registry and VPC
//! endpoint policies, with the decision and the statements that made it.
//!
//! AWS logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
//! …/reference_policies_evaluation-logic-cross-account.html):
//! 1. an explicit Deny in any applicable policy wins (SCPs and permissions
//!    boundaries included);
//! 2. service control policies only limit: every level of the organisation
//!    tree (root, OUs, account) must allow, else the request is denied
//!    whatever the other policies grant (resource policies too);
//! 3. a VPC endpoint policy, when the request goes through an endpoint, must allow too;
//! 4. within one account an Allow in the identity policy OR the resource
//!    policy is enough, except that a resource policy naming only the
//!    account (`arn:aws:iam::111122223333:root`) delegates to identity
//!    policies; a permissions boundary caps identity grants and resource
//!    grants to a role ARN, but not a resource grant that names the caller's
//!    exact IAM user ARN or role session ARN (access_policies_boundaries,
//!    "Resource-based policies");
//! 5. across accounts both the identity (within its boundary) and the
//!    resource policy must allow;
//! 6. otherwise the request is implicitly denied.

use crate::arn;
use crate::condition;
use crate::policy::{Effect, Policy, PolicyKind, Principals, Statement};
use crate::request::{Request, account_of, arn_resource};
use crate::variables::{self, Piece};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }
}

/// A statement that applied to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    pub source: String,
    pub index: usize,
    pub sid: Option<String>,
    pub label: String,
    pub line: u32,
    pub column: u32,
    pub effect: Effect,
    /// For resource-policy allows: true when the principal matched only as
    /// "the whole account" (which delegates to identity policies).
    pub account_principal: bool,
    /// For resource-policy allows: true when the Principal names the
    /// caller's exact ARN (IAM user or role session), which a permissions
    /// boundary does not limit within the account.
    pub exact_principal: bool,
}

/// What one layer (all policies of one kind) said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerOutcome {
    pub layer: PolicyKind,
    /// SCPs: the level of the organisation tree (0 = root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// Whether the layer takes part in this request (a repository policy
    /// does not for `Resource: "*"` actions such as GetAuthorizationToken).
    pub applicable: bool,
    pub allows: Vec<StatementRef>,
    pub denies: Vec<StatementRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub decision: Decision,
    pub reason: String,
    pub layers: Vec<LayerOutcome>,
}

/// Evaluates `request` against `policies` (any mix of kinds; a kind with no
/// policy is a layer that is absent: no endpoint policy means the request
/// does not go through an endpoint).
pub fn evaluate(policies: &[Policy], request: &Request) -> Evaluation {
    let resource_account = account_of(&request.resource);
    let boundary_attached = policies.iter().any(|p| p.kind == PolicyKind::Boundary);
    // SCPs and boundaries belong to IAM principals of an account, not to
    // anonymous callers or service principals.
    let iam_principal = request.principal.starts_with("arn:");
    let mut groups: Vec<(PolicyKind, Option<u32>)> = Vec::new();
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Boundary,
        PolicyKind::Scp,
        PolicyKind::Repository,
        PolicyKind::Registry,
        PolicyKind::Endpoint,
    ] {
        let mut levels: Vec<u32> = policies
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.level)
            .collect();
        levels.sort_unstable();
        levels.dedup();
        for level in levels {
            groups.push((kind, (kind == PolicyKind::Scp).then_some(level)));
        }
    }
    let mut layers = Vec::new();
    for (kind, level) in groups {
        let of_group = policies
            .iter()
            .filter(|p| p.kind == kind && level.is_none_or(|l| p.level == l));
        let applicable = match kind {
            PolicyKind::Repository | PolicyKind::Registry => resource_account.is_some(),
            PolicyKind::Scp | PolicyKind::Boundary => iam_principal,
            _ => true,
        };
        let mut outcome = LayerOutcome {
            layer: kind,
            level,
            applicable,
            allows: vec![],
            denies: vec![],
        };
        if applicable {
            for p in of_group {
                for s in &p.statements {
                    if let Some(m) = statement_match(s, kind, request, boundary_attached) {
                        let r = StatementRef {
                            source: p.source.clone(),
                            index: s.index,
                            sid: s.sid.clone(),
                            label: s.label(),
                            line: s.pos.line,
                            column: s.pos.column,
                            effect: s.effect,
                            account_principal: m == PrincipalMatch::Account,
                            exact_principal: m == PrincipalMatch::Exact,
                        };
                        match s.effect {
                            Effect::Allow => outcome.allows.push(r),
                            Effect::Deny => outcome.denies.push(r),
                        }
                    }
                }
            }
        }
        layers.push(outcome);
    }
    let (decision, reason) = decide(&layers, request, resource_account);
    Evaluation {
        decision,
        reason,
        layers,
    }
}

fn decide(
    layers: &[LayerOutcome],
    request: &Request,
    resource_account: Option<&str>,
) -> (Decision, String) {
    if let Some(l) = layers.iter().find(|l| !l.denies.is_empty()) {
        let d = &l.denies[0];
        return (
            Decision::ExplicitDeny,
            format!(
                "explicit Deny in the {} policy {} statement {} (line {})",
                l.layer, d.source, d.label, d.line
            ),
        );
    }
    if let Some(l) = layers
        .iter()
        .find(|l| l.layer == PolicyKind::Scp && l.applicable && l.allows.is_empty())
    {
        return (
            Decision::ImplicitDeny,
            format!(
                "no service control policy at level {} of the organisation allows the request (SCPs only limit: every level must allow)",
                l.level.unwrap_or(0)
            ),
        );
    }
    let layer = |k: PolicyKind| layers.iter().find(|l| l.layer == k && l.applicable);
    if let Some(e) = layer(PolicyKind::Endpoint)
        && e.allows.is_empty()
    {
        return (
            Decision::ImplicitDeny,
            "the VPC endpoint policy allows no statement for this request".into(),
        );
    }
    let identity_allows = layer(PolicyKind::Identity).is_some_and(|l| !l.allows.is_empty());
    // No boundary attached: nothing to stay within.
    let within_boundary = layer(PolicyKind::Boundary).is_none_or(|l| !l.allows.is_empty());
    let resource_allows: Vec<&StatementRef> = [PolicyKind::Repository, PolicyKind::Registry]
        .into_iter()
        .filter_map(layer)
        .flat_map(|l| l.allows.iter())
        .collect();
    // Service principals (`codebuild.amazonaws.com`) have no identity
    // policy: a resource policy naming them (or everyone) is what grants.
    if request.principal != "*" && !request.principal.starts_with("arn:") {
        return if resource_allows.iter().any(|r| !r.account_principal) {
            (
                Decision::Allow,
                "service principal allowed by the resource policy".into(),
            )
        } else {
            (
                Decision::ImplicitDeny,
                "service principal: no resource policy names it".into(),
            )
        };
    }
    // Anonymous callers have no identity policy: only a resource policy
    // that names everyone can grant (public access).
    if request.principal == "*" {
        return if resource_allows.iter().any(|r| !r.account_principal) {
            (
                Decision::Allow,
                "anonymous request allowed by the resource policy (public access)".into(),
            )
        } else {
            (
                Decision::ImplicitDeny,
                "anonymous request: no resource policy allows everyone".into(),
            )
        };
    }
    let same_account = match (request.principal_account(), resource_account) {
        (Some(p), Some(r)) => p == r,
        // No resource account (`*`): only identity policies can grant.
        (_, None) => true,
        (None, Some(_)) => false,
    };
    const BOUNDARY: &str = "the permissions boundary does not allow the request";
    if same_account {
        if resource_allows.iter().any(|r| r.exact_principal) {
            return (
                Decision::Allow,
                "allowed by the resource policy, which names the caller's exact ARN (same account; a permissions boundary does not limit it)".into(),
            );
        }
        let resource_grants = resource_allows.iter().any(|r| !r.account_principal);
        if (identity_allows || resource_grants) && !within_boundary {
            return (Decision::ImplicitDeny, format!("{BOUNDARY} (same account)"));
        }
        if identity_allows {
            return (
                Decision::Allow,
                "allowed by the identity policy (same account)".into(),
            );
        }
        if resource_grants {
            return (
                Decision::Allow,
                "allowed by the resource policy (same account)".into(),
            );
        }
        if !resource_allows.is_empty() {
            return (Decision::ImplicitDeny, "the resource policy grants to the account, which delegates to identity policies, and none allows".into());
        }
        return (
            Decision::ImplicitDeny,
            "no policy allows the request".into(),
        );
    }
    match (identity_allows, !resource_allows.is_empty()) {
        (true, _) if !within_boundary => {
            (Decision::ImplicitDeny, format!("cross-account: {BOUNDARY}"))
        }
        (true, true) => (
            Decision::Allow,
            "cross-account: allowed by both the identity and the resource policy".into(),
        ),
        (true, false) => (
            Decision::ImplicitDeny,
            "cross-account: the resource policy does not allow the request".into(),
        ),
        (false, true) => (
            Decision::ImplicitDeny,
            "cross-account: the identity policy does not allow the request".into(),
        ),
        (false, false) => (
            Decision::ImplicitDeny,
            "no policy allows the request".into(),
        ),
    }
}

/// How a resource policy's Principal covered the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// Only as "the whole account" (delegates to identity policies).
    Account,
    /// Through `*`, a role ARN covering its session, or NotPrincipal; also
    /// every statement of a policy without principals (identity, SCP, boundary).
    Broad,
    /// The caller's exact ARN.
    Exact,
}

/// `Some(account_principal)` when the statement applies to the request.
pub fn statement_applies(s: &Statement, kind: PolicyKind, request: &Request) -> Option<bool> {
    statement_match(s, kind, request, false).map(|m| m == PrincipalMatch::Account)
}

/// How the statement applies to the request, if it does. `boundary_attached`:
/// the caller has a permissions boundary, which makes a `Deny` with
/// `NotPrincipal` apply whatever it lists (access_policies_boundaries, "Important").
pub fn statement_match(
    s: &Statement,
    kind: PolicyKind,
    request: &Request,
    boundary_attached: bool,
) -> Option<PrincipalMatch> {
    let principal_match = match (&s.principal, kind.is_resource_policy()) {
        (Some(p), true) if p.negated && boundary_attached && s.effect == Effect::Deny => {
            PrincipalMatch::Broad
        }
        (Some(p), true) => principal_applies(p, request)?,
        _ => PrincipalMatch::Broad,
    };
    let action_hit = s
        .action
        .values
        .iter()
        .any(|a| action_matches(a, &request.action));
    if action_hit == s.action.negated {
        return None;
    }
    if let Some(res) = &s.resource {
        let hit = res
            .values
            .iter()
            .any(|r| match variables::substitute(r, request) {
                Some(pieces) => resource_matches(&pieces, &request.resource),
                None => false,
            });
        if hit == res.negated {
            return None;
        }
    }
    s.conditions
        .iter()
        .all(|c| condition::holds(c, request))
        .then_some(principal_match)
}

/// Actions match case-insensitively, with wildcards, never with variables.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    crate::wildcard::matches_ignore_case(pattern, action)
}

fn resource_matches(pattern: &[Piece], resource: &str) -> bool {
    if pattern == [Piece::Pattern('*')] {
        return true;
    }
    if resource == "*" {
        // Actions without a resource only match `Resource: "*"`.
        return false;
    }
    arn::matches(pattern, resource)
}

/// How the Principal/NotPrincipal element covers the caller, if it does.
fn principal_applies(p: &Principals, request: &Request) -> Option<PrincipalMatch> {
    let mut best = None;
    if p.everyone {
        best = Some(PrincipalMatch::Broad);
    }
    for (ty, value) in &p.entries {
        // NotPrincipal excludes exactly the listed ARNs: listing a role or an
        // account does not exclude its sessions or users (elements_notprincipal).
        let m = if p.negated {
            (value == "*" || *value == request.principal).then_some(PrincipalMatch::Broad)
        } else {
            principal_entry(ty, value, request)
        };
        // The most specific match wins (the exact ARN over the account).
        best = best.max(m);
    }
    if p.negated {
        return if best.is_some() {
            None
        } else {
            Some(PrincipalMatch::Broad)
        };
    }
    best
}

fn principal_entry(ty: &str, value: &str, request: &Request) -> Option<PrincipalMatch> {
    let caller = request.principal.as_str();
    if ty != "AWS" {
        return (value == caller).then_some(PrincipalMatch::Exact);
    }
    if value == "*" {
        return Some(PrincipalMatch::Broad);
    }
    let caller_account = request.principal_account();
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return (caller_account == Some(value)).then_some(PrincipalMatch::Account);
    }
    if let Some(acct) = account_of(value)
        && value.ends_with(":root")
        && value.split(':').nth(2) == Some("iam")
    {
        return (caller_account == Some(acct)).then_some(PrincipalMatch::Account);
    }
    if value == caller {
        // A role ARN given as the caller stands for a session of the role: a
        // grant to the role ARN is not a grant to the exact session.
        let is_role = arn_resource(caller).is_some_and(|r| r.starts_with("role/"));
        return Some(if is_role {
            PrincipalMatch::Broad
        } else {
            PrincipalMatch::Exact
        });
    }
    // A role principal covers its sessions: arn:aws:sts::A:assumed-role/R/S.
    let parts: Vec<&str> = caller.splitn(6, ':').collect();
    if parts.len() == 6
        && parts[2] == "sts"
        && let Some(rest) = parts[5].strip_prefix("assumed-role/")
    {
        let role = rest.split('/').next().unwrap_or(rest);
        let vparts: Vec<&str> = value.splitn(6, ':').collect();
        if vparts.len() == 6
            && vparts[2] == "iam"
            && vparts[4] == parts[4]
            && vparts[5].starts_with("role/")
            && vparts[5].rsplit('/').next() == Some(role)
        {
            return Some(PrincipalMatch::Broad);
        }
    }
    None
}
