//! The IAM policy grammar shared by identity policies, ECR repository and
//! registry policies and VPC endpoint policies, parsed with the position of
//! every element so errors and findings can point at it.
//!
//! Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html

use crate::json::{self, Pos, Spanned, Value};
use std::fmt;

/// Which kind of policy a document is; it decides whether `Principal` is
/// required (resource policies) or forbidden (identity policies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    Identity,
    Repository,
    Registry,
    Endpoint,
    /// An AWS Organizations service control policy on the caller's account:
    /// it only limits, never grants.
    Scp,
    /// The caller's permissions boundary: it only limits, never grants.
    Boundary,
}

impl PolicyKind {
    /// Resource policies name a Principal; identity policies, SCPs and
    /// boundaries (the identity grammar) cannot.
    pub fn is_resource_policy(self) -> bool {
        matches!(
            self,
            PolicyKind::Repository | PolicyKind::Registry | PolicyKind::Endpoint
        )
    }
    /// "an identity policy", "a permissions boundary", … for messages.
    pub fn with_article(self) -> &'static str {
        match self {
            PolicyKind::Identity => "an identity policy",
            PolicyKind::Repository => "a repository policy",
            PolicyKind::Registry => "a registry policy",
            PolicyKind::Endpoint => "an endpoint policy",
            PolicyKind::Scp => "a service control policy",
            PolicyKind::Boundary => "a permissions boundary",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Repository => "repository",
            PolicyKind::Registry => "registry",
            PolicyKind::Endpoint => "endpoint",
            PolicyKind::Scp => "scp",
            PolicyKind::Boundary => "boundary",
        }
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action`/`NotAction`, `Resource`/`NotResource`: a list of patterns,
/// negated for the `Not…` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patterns {
    pub negated: bool,
    pub values: Vec<String>,
    pub pos: Pos,
}

/// `Principal`/`NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principals {
    pub negated: bool,
    /// `"*"` as the whole element (everyone, including anonymous callers).
    pub everyone: bool,
    /// `(type, value)`: type is `AWS`, `Service`, `Federated` or `CanonicalUser`.
    pub entries: Vec<(String, String)>,
    pub pos: Pos,
}

/// One condition: `"Operator": {"key": [values]}` for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// 0-based position in the `Statement` array.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<Principals>,
    pub action: Patterns,
    pub resource: Option<Patterns>,
    pub conditions: Vec<Condition>,
    pub pos: Pos,
}

impl Statement {
    /// `Sid` when there is one, else `#index`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("#{}", self.index),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub kind: PolicyKind,
    /// Where the policy came from (a file name), for messages.
    pub source: String,
    pub version: Option<String>,
    pub statements: Vec<Statement>,
    /// SCPs only: the level of the organisation tree the policy is attached
    /// at (0 = root, then each OU, then the account). SCPs of one level are
    /// ORed; every level must allow.
    pub level: u32,
}

/// Something wrong with a policy, with the position of the element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input}:{pos}: {message}")]
pub struct PolicyError {
    /// The input (file name) the policy came from.
    pub input: String,
    pub pos: Pos,
    pub message: String,
}

const CONDITION_BASES: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Splits an operator into (set qualifier, base, IfExists).
pub fn split_operator(op: &str) -> Option<(Option<&str>, &str, bool)> {
    let (qualifier, rest) = match op.split_once(':') {
        Some((q @ ("ForAnyValue" | "ForAllValues"), rest)) => (Some(q), rest),
        Some(_) => return None,
        None => (None, op),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (rest, false),
    };
    if !CONDITION_BASES.contains(&base) || (if_exists && base == "Null") {
        return None;
    }
    Some((qualifier, base, if_exists))
}

struct Ctx<'a> {
    source: &'a str,
}

impl Ctx<'_> {
    fn err(&self, pos: Pos, message: impl Into<String>) -> PolicyError {
        PolicyError {
            input: self.source.to_string(),
            pos,
            message: message.into(),
        }
    }

    /// A string or an array of strings (IAM accepts both for most elements).
    fn strings(&self, v: &Spanned, what: &str) -> Result<Vec<String>, PolicyError> {
        match &v.value {
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(items) => {
                if items.is_empty() {
                    return Err(self.err(v.pos, format!("{what} is an empty array")));
                }
                items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_string).ok_or_else(|| {
                            self.err(
                                i.pos,
                                format!("{what} entries must be strings, not {}", i.kind()),
                            )
                        })
                    })
                    .collect()
            }
            _ => Err(self.err(
                v.pos,
                format!(
                    "{what} must be a string or an array of strings, not {}",
                    v.kind()
                ),
            )),
        }
    }

    /// Condition values: strings, numbers and booleans are all written as
    /// strings by AWS before comparison.
    fn condition_values(&self, v: &Spanned) -> Result<Vec<String>, PolicyError> {
        let one = |i: &Spanned| match &i.value {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(self.err(
                i.pos,
                format!(
                    "condition values must be strings, numbers or booleans, not {}",
                    i.kind()
                ),
            )),
        };
        match &v.value {
            Value::Array(items) => items.iter().map(one).collect(),
            _ => Ok(vec![one(v)?]),
        }
    }
}

/// Parses a policy document of the given kind. `source` names it in errors.
pub fn parse(text: &str, kind: PolicyKind, source: &str) -> Result<Policy, PolicyError> {
    let ctx = Ctx { source };
    let doc = json::parse(text).map_err(|e| ctx.err(e.pos, e.message))?;
    let Value::Object(members) = &doc.value else {
        return Err(ctx.err(
            doc.pos,
            format!("a policy must be a JSON object, not {}", doc.kind()),
        ));
    };
    let mut version = None;
    let mut statements = Vec::new();
    let mut saw_statement = false;
    for (key, v) in members {
        match key.as_str() {
            "Version" => {
                let s = v
                    .as_str()
                    .ok_or_else(|| ctx.err(v.pos, "Version must be a string"))?;
                if s != "2012-10-17" && s != "2008-10-17" {
                    return Err(ctx.err(
                        v.pos,
                        format!("unknown Version {s:?} (expected \"2012-10-17\")"),
                    ));
                }
                version = Some(s.to_string());
            }
            "Id" => {
                v.as_str()
                    .ok_or_else(|| ctx.err(v.pos, "Id must be a string"))?;
            }
            "Statement" => {
                saw_statement = true;
                let items: Vec<&Spanned> = match &v.value {
                    Value::Array(a) => a.iter().collect(),
                    Value::Object(_) => vec![v],
                    _ => {
                        return Err(ctx.err(
                            v.pos,
                            format!("Statement must be an object or an array, not {}", v.kind()),
                        ));
                    }
                };
                for (index, item) in items.into_iter().enumerate() {
                    statements.push(statement(&ctx, item, index, kind)?);
                }
            }
            other => return Err(ctx.err(v.pos, format!("unknown top-level element {other:?}"))),
        }
    }
    if !saw_statement {
        return Err(ctx.err(doc.pos, "the policy has no Statement"));
    }
    let mut sids: Vec<&str> = Vec::new();
    for s in &statements {
        if let Some(sid) = s.sid.as_deref() {
            if sids.contains(&sid) {
                return Err(ctx.err(
                    s.pos,
                    format!("duplicate Sid {sid:?}: Sids must be unique within a policy"),
                ));
            }
            sids.push(sid);
        }
    }
    Ok(Policy {
        kind,
        source: source.to_string(),
        version,
        statements,
        level: 0,
    })
}

fn statement(
    ctx: &Ctx,
    v: &Spanned,
    index: usize,
    kind: PolicyKind,
) -> Result<Statement, PolicyError> {
    let Value::Object(members) = &v.value else {
        return Err(ctx.err(
            v.pos,
            format!("a statement must be an object, not {}", v.kind()),
        ));
    };
    let mut sid = None;
    let mut effect = None;
    let mut principal: Option<Principals> = None;
    let mut action: Option<Patterns> = None;
    let mut resource: Option<Patterns> = None;
    let mut conditions = Vec::new();
    for (key, val) in members {
        match key.as_str() {
            "Sid" => {
                let s = val
                    .as_str()
                    .ok_or_else(|| ctx.err(val.pos, "Sid must be a string"))?;
                if !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                    // AWS documents Sid as [A-Za-z0-9]; ECR accepts more, so only warn in checks.
                }
                sid = Some(s.to_string());
            }
            "Effect" => match val.as_str() {
                Some("Allow") => effect = Some(Effect::Allow),
                Some("Deny") => effect = Some(Effect::Deny),
                Some(other) => {
                    return Err(ctx.err(val.pos, format!("unknown Effect {other:?} (expected \"Allow\" or \"Deny\", case-sensitive)")));
                }
                None => {
                    return Err(ctx.err(
                        val.pos,
                        format!("Effect must be a string, not {}", val.kind()),
                    ));
                }
            },
            "Action" | "NotAction" => {
                if action.is_some() {
                    return Err(
                        ctx.err(val.pos, "a statement cannot have both Action and NotAction")
                    );
                }
                let values = ctx.strings(val, key)?;
                for a in &values {
                    if a != "*" && !a.contains(':') {
                        return Err(ctx.err(val.pos, format!("{key} {a:?} has no service prefix (expected \"service:Action\" or \"*\")")));
                    }
                }
                action = Some(Patterns {
                    negated: key == "NotAction",
                    values,
                    pos: val.pos,
                });
            }
            "Resource" | "NotResource" => {
                if resource.is_some() {
                    return Err(ctx.err(
                        val.pos,
                        "a statement cannot have both Resource and NotResource",
                    ));
                }
                let values = ctx.strings(val, key)?;
                for r in &values {
                    if r != "*" && !r.starts_with("arn:") {
                        return Err(
                            ctx.err(val.pos, format!("{key} {r:?} is neither \"*\" nor an ARN"))
                        );
                    }
                }
                resource = Some(Patterns {
                    negated: key == "NotResource",
                    values,
                    pos: val.pos,
                });
            }
            "Principal" | "NotPrincipal" => {
                if principal.is_some() {
                    return Err(ctx.err(
                        val.pos,
                        "a statement cannot have both Principal and NotPrincipal",
                    ));
                }
                if !kind.is_resource_policy() {
                    return Err(ctx.err(
                        val.pos,
                        format!("{key} is not allowed in {}", kind.with_article()),
                    ));
                }
                principal = Some(principals(ctx, val, key == "NotPrincipal")?);
            }
            "Condition" => conditions = condition_block(ctx, val)?,
            other => return Err(ctx.err(val.pos, format!("unknown statement element {other:?}"))),
        }
    }
    let effect = effect.ok_or_else(|| ctx.err(v.pos, "the statement has no Effect"))?;
    let action =
        action.ok_or_else(|| ctx.err(v.pos, "the statement has neither Action nor NotAction"))?;
    if kind.is_resource_policy() && principal.is_none() {
        return Err(ctx.err(
            v.pos,
            format!("a {kind} policy statement needs Principal or NotPrincipal"),
        ));
    }
    if !kind.is_resource_policy() && resource.is_none() {
        return Err(ctx.err(v.pos, "the statement has neither Resource nor NotResource"));
    }
    if let Some(p) = &principal
        && p.negated
        && effect == Effect::Allow
    {
        return Err(ctx.err(
            p.pos,
            "NotPrincipal can only be used with \"Effect\": \"Deny\"",
        ));
    }
    Ok(Statement {
        index,
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
        pos: v.pos,
    })
}

fn principals(ctx: &Ctx, v: &Spanned, negated: bool) -> Result<Principals, PolicyError> {
    match &v.value {
        Value::String(s) if s == "*" => Ok(Principals {
            negated,
            everyone: true,
            entries: vec![],
            pos: v.pos,
        }),
        Value::String(s) => Err(ctx.err(
            v.pos,
            format!("Principal string must be \"*\", not {s:?} (use {{\"AWS\": ...}})"),
        )),
        Value::Object(members) => {
            let mut entries = Vec::new();
            for (ty, val) in members {
                if !matches!(
                    ty.as_str(),
                    "AWS" | "Service" | "Federated" | "CanonicalUser"
                ) {
                    return Err(ctx.err(val.pos, format!("unknown principal type {ty:?} (expected AWS, Service, Federated or CanonicalUser)")));
                }
                for p in ctx.strings(val, "Principal")? {
                    entries.push((ty.clone(), p));
                }
            }
            if entries.is_empty() {
                return Err(ctx.err(v.pos, "Principal is empty"));
            }
            Ok(Principals {
                negated,
                everyone: false,
                entries,
                pos: v.pos,
            })
        }
        _ => Err(ctx.err(
            v.pos,
            format!("Principal must be \"*\" or an object, not {}", v.kind()),
        )),
    }
}

fn condition_block(ctx: &Ctx, v: &Spanned) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = &v.value else {
        return Err(ctx.err(
            v.pos,
            format!("Condition must be an object, not {}", v.kind()),
        ));
    };
    let mut out = Vec::new();
    for (op, keys) in ops {
        if split_operator(op).is_none() {
            return Err(ctx.err(keys.pos, format!("unknown condition operator {op:?}")));
        }
        let Value::Object(keys_members) = &keys.value else {
            return Err(ctx.err(
                keys.pos,
                format!(
                    "condition operator {op} must map keys to values, not {}",
                    keys.kind()
                ),
            ));
        };
        for (key, values) in keys_members {
            out.push(Condition {
                operator: op.clone(),
                key: key.clone(),
                values: ctx.condition_values(values)?,
                pos: values.pos,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str, kind: PolicyKind) -> PolicyError {
        parse(text, kind, "p.json").unwrap_err()
    }

    #[test]
    fn errors_point_at_the_element() {
        let e = err(
            "{\"Statement\":[{\n\"Effect\":\"allow\",\"Action\":\"ecr:*\",\"Resource\":\"*\"}]}",
            PolicyKind::Identity,
        );
        assert_eq!((e.pos.line, e.pos.column), (2, 10));
        assert!(e.message.contains("unknown Effect"));
        let e = err(
            "{\"Statement\":{\"Effect\":\"Allow\",\n \"Action\":[\"ecr:Get\", 3],\"Resource\":\"*\"}}",
            PolicyKind::Identity,
        );
        assert_eq!((e.pos.line, e.pos.column), (2, 23));
        let e = err(
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"a:b\",\n\"NotAction\":\"a:c\",\"Resource\":\"*\"}}",
            PolicyKind::Identity,
        );
        assert_eq!(e.pos.line, 2);
        assert!(e.message.contains("both Action and NotAction"));
        let e = err(
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"a:b\"}}",
            PolicyKind::Repository,
        );
        assert!(e.message.contains("needs Principal"), "{e}");
        let e = err(
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"a:b\",\"Resource\":\"*\"}}",
            PolicyKind::Identity,
        );
        assert!(e.message.contains("not allowed in an identity policy"));
        let e = err(
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"a:b\",\"Resource\":\"*\",\"Condition\":{\"StringEqualz\":{\"k\":\"v\"}}}}",
            PolicyKind::Identity,
        );
        assert!(e.message.contains("unknown condition operator"));
    }

    #[test]
    fn operators_split() {
        assert_eq!(
            split_operator("ForAnyValue:StringLikeIfExists"),
            Some((Some("ForAnyValue"), "StringLike", true))
        );
        assert_eq!(split_operator("Bool"), Some((None, "Bool", false)));
        assert_eq!(split_operator("NullIfExists"), None);
        assert_eq!(split_operator("ForSome:StringLike"), None);
    }
}
