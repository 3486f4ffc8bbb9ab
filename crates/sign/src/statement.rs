//! in-toto Statements (v0.1, what cosign writes): the subject is the image
//! repository with its sha256 digest; the predicate is the attested data.

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// The predicate types of cosign's `--type` names.
pub fn predicate_type_for(name: &str) -> Option<&'static str> {
    Some(match name {
        "custom" => "https://cosign.sigstore.dev/attestation/v1",
        "vuln" => "https://cosign.sigstore.dev/attestation/vuln/v1",
        "spdx" | "spdxjson" => "https://spdx.dev/Document",
        "cyclonedx" => "https://cyclonedx.org/bom",
        "openvex" => "https://openvex.dev/ns",
        "slsaprovenance" | "slsaprovenance02" => "https://slsa.dev/provenance/v0.2",
        "slsaprovenance1" => "https://slsa.dev/provenance/v1",
        "link" => "https://in-toto.io/Link/v1",
        _ => return None,
    })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub kind: String,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub subject: Vec<Subject>,
    #[serde(default)]
    pub predicate: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subject {
    #[serde(default)]
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

impl Statement {
    pub fn new(
        repo: &str,
        digest_hex: &str,
        predicate_type: &str,
        predicate: serde_json::Value,
    ) -> Self {
        Statement {
            kind: STATEMENT_V01.to_string(),
            predicate_type: predicate_type.to_string(),
            subject: vec![Subject {
                name: repo.to_string(),
                digest: BTreeMap::from([("sha256".to_string(), digest_hex.to_string())]),
            }],
            predicate,
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<Statement, Error> {
        let s: Statement = serde_json::from_slice(bytes)
            .map_err(|e| Error::format("in-toto statement", format!("invalid: {e}")))?;
        if s.kind != STATEMENT_V01 && s.kind != STATEMENT_V1 {
            return Err(Error::format(
                "in-toto statement",
                format!("unknown _type {:?}", s.kind),
            ));
        }
        Ok(s)
    }

    /// Does any subject carry this sha256 digest (hex)?
    pub fn has_subject(&self, digest_hex: &str) -> bool {
        self.subject.iter().any(|s| {
            s.digest
                .get("sha256")
                .is_some_and(|d| d.eq_ignore_ascii_case(digest_hex))
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}
