//! OpenVEX documents (https://github.com/openvex/spec): statements that a
//! product is `not_affected` by a vulnerability, or has it `fixed`, suppress
//! the matching vulnerability findings with the statement's justification
//! as the reason; `affected` and `under_investigation` statements suppress
//! nothing.
//!
//! A statement applies to a finding when its vulnerability (`name`, `@id`
//! or `aliases`; a plain string in OpenVEX 0.0.x) is one of the finding's
//! ids (reported id, aliases, advisories), and one of its products (or a
//! product's subcomponents) is the finding's package: the same purl type,
//! namespace and name, and the same version when the statement's purl has
//! one (qualifiers are not compared). A statement without products
//! applies to every package.

use crate::purl::Purl;
use palisade_model::Finding;
use serde_json::Value;

/// Largest VEX document accepted.
pub const MAX_VEX: u64 = 64 << 20;

#[derive(Debug, Clone)]
pub struct Statement {
    /// Ids of the vulnerability, as written.
    pub ids: Vec<String>,
    /// Product purls (subcomponents included); empty = every product.
    pub products: Vec<Purl>,
    pub status: String,
    /// Justification, impact statement, or action statement.
    pub reason: String,
}

/// The statements of one document (`source` names it in reasons).
#[derive(Debug, Clone, Default)]
pub struct Vex {
    pub statements: Vec<Statement>,
    pub source: String,
}

fn ids_of(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Object(o) => ["name", "@id"]
            .iter()
            .filter_map(|k| o.get(*k).and_then(Value::as_str))
            .map(str::to_string)
            .chain(
                o.get("aliases")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            )
            .collect(),
        _ => Vec::new(),
    }
}

/// A product's purls: its `@id` (or the string), its `identifiers.purl`,
/// and those of its `subcomponents`.
fn purls_of(v: &Value, out: &mut Vec<Purl>) {
    let mut push = |s: Option<&str>| {
        if let Some(p) = s.and_then(Purl::parse) {
            out.push(p);
        }
    };
    match v {
        Value::String(s) => push(Some(s)),
        Value::Object(o) => {
            push(o.get("@id").and_then(Value::as_str));
            push(
                o.get("identifiers")
                    .and_then(|i| i.get("purl"))
                    .and_then(Value::as_str),
            );
            for sub in o
                .get("subcomponents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                purls_of(sub, out);
            }
        }
        _ => {}
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

impl Vex {
    /// Parses an OpenVEX JSON document.
    pub fn parse(bytes: &[u8], source: &str) -> Result<Vex, String> {
        if bytes.len() as u64 > MAX_VEX {
            return Err(format!("larger than {} MiB", MAX_VEX >> 20));
        }
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        let ctx = doc.get("@context").and_then(Value::as_str).unwrap_or("");
        if !ctx.contains("openvex") {
            return Err("not an OpenVEX document (no openvex @context)".to_string());
        }
        let statements = doc
            .get("statements")
            .and_then(Value::as_array)
            .ok_or("no statements")?;
        let mut out = Vec::with_capacity(statements.len());
        for (i, s) in statements.iter().enumerate() {
            let ids = s.get("vulnerability").map(ids_of).unwrap_or_default();
            if ids.is_empty() {
                return Err(format!("statement {i} names no vulnerability"));
            }
            let status = text(s, "status").ok_or(format!("statement {i} has no status"))?;
            if !matches!(
                status.as_str(),
                "not_affected" | "affected" | "fixed" | "under_investigation"
            ) {
                return Err(format!("statement {i}: unknown status {status:?}"));
            }
            let mut products = Vec::new();
            for p in s
                .get("products")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                purls_of(p, &mut products);
            }
            let reason = text(s, "justification")
                .into_iter()
                .chain(text(s, "impact_statement"))
                .chain(text(s, "action_statement"))
                .collect::<Vec<_>>()
                .join(": ");
            out.push(Statement {
                ids,
                products,
                status,
                reason,
            });
        }
        Ok(Vex {
            statements: out,
            source: source.to_string(),
        })
    }

    /// Why `finding` is suppressed, when a `not_affected` or `fixed`
    /// statement applies to it.
    pub fn suppresses(&self, finding: &Finding) -> Option<String> {
        let v = finding.vulnerability.as_deref()?;
        let package = Purl::parse(&v.purl);
        self.statements
            .iter()
            .filter(|s| s.status == "not_affected" || s.status == "fixed")
            .find(|s| {
                let named = s.ids.iter().any(|id| {
                    id.eq_ignore_ascii_case(&v.id)
                        || v.aliases
                            .iter()
                            .chain(&v.advisories)
                            .any(|a| a.eq_ignore_ascii_case(id))
                });
                let product = s.products.is_empty()
                    || package.as_ref().is_some_and(|p| {
                        s.products.iter().any(|q| {
                            q.kind == p.kind
                                && q.namespace == p.namespace
                                && q.name.eq_ignore_ascii_case(&p.name)
                                && (q.version.is_empty() || q.version == p.version)
                        })
                    });
                named && product
            })
            .map(|s| {
                let why = if s.reason.is_empty() {
                    "no justification given"
                } else {
                    &s.reason
                };
                format!("VEX {} ({}): {why}", s.status, self.source)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::{Severity, Vulnerability};

    fn finding(purl: &str) -> Finding {
        Finding {
            rule: "CVE-2018-18074".into(),
            severity: Severity::High,
            title: "t".into(),
            message: "m".into(),
            location: Default::default(),
            fix: None,
            references: vec![],
            vulnerability: Some(Box::new(Vulnerability {
                id: "CVE-2018-18074".into(),
                aliases: vec!["GHSA-x84v-xcm2-53pg".into()],
                purl: purl.into(),
                ..Default::default()
            })),
        }
    }

    #[test]
    fn statuses_products_and_aliases() {
        let doc = br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
          {"vulnerability":{"name":"GHSA-x84v-xcm2-53pg"},"products":[{"@id":"pkg:pypi/requests@2.19.1"}],
           "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
          {"vulnerability":{"name":"CVE-2018-18074"},"products":[{"@id":"pkg:pypi/other"}],"status":"fixed"},
          {"vulnerability":"CVE-2018-18074","products":["pkg:pypi/urllib3"],"status":"under_investigation"}]}"#;
        let vex = Vex::parse(doc, "v.json").unwrap();
        let why = vex
            .suppresses(&finding("pkg:pypi/requests@2.19.1"))
            .unwrap();
        assert!(
            why.contains("not_affected") && why.contains("vulnerable_code_not_in_execute_path")
        );
        assert!(
            vex.suppresses(&finding("pkg:pypi/requests@2.20.0"))
                .is_none()
        );
        assert!(
            vex.suppresses(&finding("pkg:pypi/other@9"))
                .unwrap()
                .contains("fixed")
        );
        assert!(vex.suppresses(&finding("pkg:pypi/urllib3@1")).is_none());
        assert!(Vex::parse(b"{}", "x").is_err());
        assert!(
            Vex::parse(
                br#"{"@context":"https://openvex.dev/ns","statements":[{"status":"fixed"}]}"#,
                "x"
            )
            .is_err()
        );
    }
}
