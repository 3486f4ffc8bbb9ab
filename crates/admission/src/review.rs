//! admission.k8s.io/v1 AdmissionReview: the request fields palisade reads
//! and the response it writes. Hand-written serde types instead of
//! kube/k8s-openapi (see docs/admission.md for the build-time measurement).

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The API server sends at most 3 MiB objects (etcd's request limit is
/// 1.5 MiB; an AdmissionReview carries the object and the old object).
pub const MAX_BODY: usize = 3 << 20;

/// The API server truncates warnings over 256 characters and ignores
/// them beyond 4096 characters in total; 120 is the recommended length.
pub const MAX_WARNING: usize = 240;
pub const MAX_WARNINGS_TOTAL: usize = 4000;
/// status.message is shown in `kubectl` and events: keep it readable.
pub const MAX_MESSAGE: usize = 4000;

#[derive(Debug, Deserialize)]
pub struct AdmissionReview {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub request: Option<AdmissionRequest>,
}

#[derive(Debug, Deserialize)]
pub struct GroupVersionKind {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    pub kind: String,
}

#[derive(Debug, Deserialize)]
pub struct AdmissionRequest {
    pub uid: String,
    pub kind: GroupVersionKind,
    #[serde(default, rename = "subResource")]
    pub sub_resource: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub object: Option<Value>,
    #[serde(default, rename = "dryRun")]
    pub dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReviewError {
    TooLarge,
    Malformed(String),
    WrongKind(String),
    NoRequest,
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReviewError::TooLarge => write!(f, "request body larger than {MAX_BODY} bytes"),
            ReviewError::Malformed(e) => write!(f, "malformed AdmissionReview: {e}"),
            ReviewError::WrongKind(k) => write!(
                f,
                "expected an admission.k8s.io/v1 (or v1beta1) AdmissionReview, got {k}"
            ),
            ReviewError::NoRequest => write!(f, "AdmissionReview without a request"),
        }
    }
}

impl std::error::Error for ReviewError {}

/// Parses and checks a review body. serde_json limits nesting to 128
/// levels, so a deeply nested body is an error, not a stack overflow.
pub fn parse(body: &[u8]) -> Result<(AdmissionReview, AdmissionRequest), ReviewError> {
    if body.len() > MAX_BODY {
        return Err(ReviewError::TooLarge);
    }
    let mut review: AdmissionReview = serde_json::from_slice(body)
        .map_err(|e| ReviewError::Malformed(crate::text::clip(&e.to_string(), 200).to_string()))?;
    let api_ok = matches!(
        review.api_version.as_str(),
        "admission.k8s.io/v1" | "admission.k8s.io/v1beta1"
    );
    if !api_ok || review.kind != "AdmissionReview" {
        return Err(ReviewError::WrongKind(crate::text::printable(&format!(
            "{}/{}",
            crate::text::clip(&review.api_version, 80),
            crate::text::clip(&review.kind, 80)
        ))));
    }
    let request = review.request.take().ok_or(ReviewError::NoRequest)?;
    Ok((review, request))
}

#[derive(Debug, Default, Serialize)]
pub struct Status {
    pub code: u16,
    pub message: String,
}

#[derive(Debug, Default, Serialize)]
pub struct AdmissionResponse {
    pub uid: String,
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(rename = "patchType", skip_serializing_if = "Option::is_none")]
    pub patch_type: Option<&'static str>,
    /// base64 of an RFC 6902 JSON Patch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl AdmissionResponse {
    pub fn allow(uid: &str) -> Self {
        AdmissionResponse {
            uid: uid.to_string(),
            allowed: true,
            ..Default::default()
        }
    }

    pub fn deny(uid: &str, code: u16, message: &str) -> Self {
        AdmissionResponse {
            uid: uid.to_string(),
            allowed: false,
            status: Some(Status {
                code,
                message: crate::text::clip(message, MAX_MESSAGE).to_string(),
            }),
            ..Default::default()
        }
    }

    /// Adds warnings within the API server's limits (each clipped, the
    /// total bounded; the last one says how many were left out).
    pub fn with_warnings(mut self, warnings: &[String]) -> Self {
        let mut total = 0;
        for (i, w) in warnings.iter().enumerate() {
            let w = crate::text::clip(w, MAX_WARNING);
            if total + w.len() > MAX_WARNINGS_TOTAL - 60 {
                self.warnings
                    .push(format!("palisade: {} more warnings", warnings.len() - i));
                break;
            }
            total += w.len();
            self.warnings.push(w.to_string());
        }
        self
    }

    pub fn with_patch(mut self, ops: &[Value]) -> Self {
        if !ops.is_empty() {
            let json = serde_json::to_vec(ops).unwrap_or_default();
            self.patch_type = Some("JSONPatch");
            self.patch = Some(base64::engine::general_purpose::STANDARD.encode(json));
        }
        self
    }
}

/// The response envelope: same apiVersion and kind as the request.
pub fn envelope(api_version: &str, response: AdmissionResponse) -> Value {
    serde_json::json!({
        "apiVersion": api_version,
        "kind": "AdmissionReview",
        "response": response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_pod_review_and_rejects_other_kinds() {
        let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"team-a","operation":"CREATE","object":{"spec":{}}}}"#;
        let (review, req) = parse(body).unwrap();
        assert_eq!(review.api_version, "admission.k8s.io/v1");
        assert_eq!(req.uid, "u1");
        assert_eq!(req.namespace.as_deref(), Some("team-a"));
        let wrong =
            br#"{"apiVersion":"v1","kind":"Pod","request":{"uid":"x","kind":{"kind":"Pod"}}}"#;
        assert!(matches!(parse(wrong), Err(ReviewError::WrongKind(_))));
        assert!(matches!(parse(b"{"), Err(ReviewError::Malformed(_))));
        let none = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#;
        assert_eq!(parse(none).unwrap_err(), ReviewError::NoRequest);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            parse(deep.as_bytes()),
            Err(ReviewError::Malformed(_))
        ));
    }

    #[test]
    fn warnings_stay_within_the_api_limits() {
        let many: Vec<String> = (0..100)
            .map(|i| format!("{i} {}", "w".repeat(300)))
            .collect();
        let r = AdmissionResponse::allow("u").with_warnings(&many);
        assert!(r.warnings.iter().all(|w| w.len() <= MAX_WARNING));
        assert!(r.warnings.iter().map(|w| w.len()).sum::<usize>() <= MAX_WARNINGS_TOTAL);
        assert!(r.warnings.last().unwrap().contains("more warnings"));
    }
}
