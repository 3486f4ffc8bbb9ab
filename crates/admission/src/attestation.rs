//! The findings of a cosign vuln attestation predicate
//! (`https://cosign.sigstore.dev/attestation/vuln/v1`): `scanner.result`
//! is the scanner's own report; Trivy's JSON (`Results[].Vulnerabilities[]`)
//! and a plain `vulnerabilities[]` list (`id`, `severity`, `package`,
//! `version`, `fixed`) are read.

use crate::facts::{Vuln, VulnFacts};
use palisade_model::Severity;
use serde_json::Value;

pub const PREDICATE_TYPE: &str = "https://cosign.sigstore.dev/attestation/vuln/v1";

/// A report with more entries than this is refused (bounded work).
const MAX_VULNS: usize = 100_000;

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn severity(v: Option<&str>) -> Severity {
    v.and_then(|s| {
        let s = if s.eq_ignore_ascii_case("moderate") {
            "MEDIUM"
        } else {
            s
        };
        s.parse().ok()
    })
    .unwrap_or(Severity::Unknown)
}

pub fn parse(predicate: &Value) -> Result<VulnFacts, String> {
    let scanner = predicate
        .get("scanner")
        .ok_or("vuln attestation without scanner")?;
    let name = format!(
        "signed vuln attestation ({} {})",
        crate::text::clip(s(scanner, "uri").unwrap_or("unknown scanner"), 80),
        crate::text::clip(s(scanner, "version").unwrap_or(""), 40)
    );
    let result = scanner
        .get("result")
        .ok_or("vuln attestation without scanner.result")?;
    let mut vulns = Vec::new();
    let mut push = |v: Vuln| -> Result<(), String> {
        if vulns.len() >= MAX_VULNS {
            return Err(format!(
                "vuln attestation lists more than {MAX_VULNS} vulnerabilities"
            ));
        }
        vulns.push(v);
        Ok(())
    };
    if let Some(results) = result.get("Results").and_then(Value::as_array) {
        for r in results {
            for v in r
                .get("Vulnerabilities")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                push(Vuln {
                    id: s(v, "VulnerabilityID").unwrap_or("?").to_string(),
                    severity: severity(s(v, "Severity")),
                    package: s(v, "PkgName").unwrap_or("?").to_string(),
                    version: s(v, "InstalledVersion").unwrap_or("").to_string(),
                    fixed: s(v, "FixedVersion")
                        .filter(|f| !f.is_empty())
                        .map(str::to_string),
                })?;
            }
        }
    } else if let Some(list) = result.get("vulnerabilities").and_then(Value::as_array) {
        for v in list {
            push(Vuln {
                id: s(v, "id").unwrap_or("?").to_string(),
                severity: severity(s(v, "severity")),
                package: s(v, "package").unwrap_or("?").to_string(),
                version: s(v, "version").unwrap_or("").to_string(),
                fixed: s(v, "fixed").filter(|f| !f.is_empty()).map(str::to_string),
            })?;
        }
    } else {
        return Err(
            "vuln attestation: scanner.result is neither Trivy JSON nor a vulnerabilities list"
                .into(),
        );
    }
    Ok(VulnFacts {
        source: name,
        vulns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_trivy_results_and_plain_lists() {
        let trivy = json!({"scanner": {"uri": "pkg:github/aquasecurity/trivy", "version": "0.50.0",
            "result": {"Results": [{"Vulnerabilities": [
                {"VulnerabilityID": "CVE-2023-0001", "PkgName": "openssl", "InstalledVersion": "3.0.1", "FixedVersion": "3.0.2", "Severity": "CRITICAL"},
                {"VulnerabilityID": "CVE-2023-0002", "PkgName": "zlib", "InstalledVersion": "1.2", "FixedVersion": "", "Severity": "MODERATE"}]}]}}});
        let f = parse(&trivy).unwrap();
        assert_eq!(f.vulns.len(), 2);
        assert_eq!(f.vulns[0].severity, Severity::Critical);
        assert_eq!(f.vulns[1].severity, Severity::Medium);
        assert_eq!(f.vulns[1].fixed, None);
        assert!(f.source.contains("trivy"));
        let plain = json!({"scanner": {"result": {"vulnerabilities": [{"id": "GHSA-x", "severity": "high"}]}}});
        assert_eq!(parse(&plain).unwrap().vulns[0].severity, Severity::High);
        assert!(parse(&json!({"scanner": {"result": 1}})).is_err());
        assert!(parse(&json!({})).is_err());
    }
}
