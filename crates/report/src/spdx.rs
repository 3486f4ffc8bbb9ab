//! SPDX 2.3 JSON for `palisade sbom --format spdx`.
//!
//! One package for the image (`SPDXRef-Image`, purpose CONTAINER), one for
//! the OS when detected (`SPDXRef-OperatingSystem`), one per installed
//! package; relationships DOCUMENT DESCRIBES image, image CONTAINS each
//! other package. Reproducible like [`crate::cyclonedx`]: the namespace
//! ends with [`serial_uuid`] and `created` is the caller's.

use crate::cyclonedx::{SbomDoc, is_spdx_license_id, serial_uuid, unique};
use crate::{TOOL_NAME, TOOL_URI, TOOL_VERSION};
use serde::Serialize;
use std::collections::HashSet;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<SpdxPackage>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    download_location: &'static str,
    files_analyzed: bool,
    license_concluded: &'static str,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_package_purpose: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

/// `[A-Za-z0-9.-]` kept, everything else becomes `-` (SPDXID charset).
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Whether `s` is an SPDX license expression of known ids joined by `AND`
/// / `OR` with parentheses (ids may end in `+`). `WITH` is not accepted
/// (palisade carries no exception list), nor `LicenseRef-` (it would need
/// an extracted-licensing-info entry).
pub fn is_license_expression(s: &str) -> bool {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    parse_or(&tokens, &mut pos) && pos == tokens.len()
}

fn parse_or(t: &[&str], pos: &mut usize) -> bool {
    if !parse_term(t, pos) {
        return false;
    }
    while matches!(t.get(*pos), Some(&"AND" | &"OR")) {
        *pos += 1;
        if !parse_term(t, pos) {
            return false;
        }
    }
    true
}

fn parse_term(t: &[&str], pos: &mut usize) -> bool {
    match t.get(*pos) {
        Some(&"(") => {
            *pos += 1;
            if !parse_or(t, pos) || t.get(*pos) != Some(&")") {
                return false;
            }
            *pos += 1;
            true
        }
        Some(id) => {
            *pos += 1;
            is_spdx_license_id(id.strip_suffix('+').unwrap_or(id))
        }
        None => false,
    }
}

/// The package's licenses as one SPDX expression, or `NOASSERTION` when
/// there are none or one is not a valid expression.
fn declared(licenses: &[String]) -> String {
    let mut list: Vec<&str> = Vec::new();
    for l in licenses.iter().map(|l| l.trim()) {
        if !l.is_empty() && !list.contains(&l) {
            list.push(l);
        }
    }
    if list.is_empty() || !list.iter().all(|l| is_license_expression(l)) {
        return "NOASSERTION".to_string();
    }
    if list.len() == 1 {
        return list[0].to_string();
    }
    list.iter()
        .map(|l| {
            if l.contains(' ') {
                format!("({l})")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Renders SPDX 2.3 JSON (pretty, ending with a newline).
///
/// `documentNamespace` is `REPOSITORY/spdx/NAME-UUID` (NAME the sanitised
/// reference, UUID from [`serial_uuid`]); package SPDXIDs are
/// `SPDXRef-Package-NAME-VERSION` sanitised, `-2`, `-3`… on a collision.
pub fn render(doc: &SbomDoc<'_>) -> String {
    let uuid = serial_uuid(doc, "spdx");
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert("SPDXRef-Image".into());
    seen.insert("SPDXRef-OperatingSystem".into());
    let image = SpdxPackage {
        spdx_id: "SPDXRef-Image".into(),
        name: doc.name.to_string(),
        version_info: doc.digest.map(str::to_string),
        download_location: "NOASSERTION",
        files_analyzed: false,
        license_concluded: "NOASSERTION",
        license_declared: "NOASSERTION".into(),
        copyright_text: "NOASSERTION",
        source_info: None,
        primary_package_purpose: Some("CONTAINER"),
        external_refs: Vec::new(),
    };
    let mut packages = vec![image];
    if let Some((id, version)) = doc.os {
        packages.push(SpdxPackage {
            spdx_id: "SPDXRef-OperatingSystem".into(),
            name: id.to_string(),
            version_info: (!version.is_empty()).then(|| version.to_string()),
            download_location: "NOASSERTION",
            files_analyzed: false,
            license_concluded: "NOASSERTION",
            license_declared: "NOASSERTION".into(),
            copyright_text: "NOASSERTION",
            source_info: None,
            primary_package_purpose: Some("OPERATING-SYSTEM"),
            external_refs: Vec::new(),
        });
    }
    for p in doc.packages {
        let base = format!(
            "SPDXRef-Package-{}-{}",
            sanitize(&p.name),
            sanitize(&p.version)
        );
        let spdx_id = unique(&mut seen, base, "-");
        let source_info = match (&p.source_name, &p.source_version) {
            (Some(n), Some(v)) if *n == p.name && *v == p.version => None,
            (Some(n), Some(v)) => Some(format!("built from source package {n} {v}")),
            (Some(n), None) if *n != p.name => Some(format!("built from source package {n}")),
            _ => None,
        };
        let external_refs = if p.purl.is_empty() {
            Vec::new()
        } else {
            vec![ExternalRef {
                reference_category: "PACKAGE-MANAGER",
                reference_type: "purl",
                reference_locator: p.purl.clone(),
            }]
        };
        packages.push(SpdxPackage {
            spdx_id,
            name: p.name.clone(),
            version_info: Some(p.version.clone()),
            download_location: "NOASSERTION",
            files_analyzed: false,
            license_concluded: "NOASSERTION",
            license_declared: declared(&p.licenses),
            copyright_text: "NOASSERTION",
            source_info,
            primary_package_purpose: Some("LIBRARY"),
            external_refs,
        });
    }
    let mut relationships = vec![Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".into(),
        relationship_type: "DESCRIBES",
        related_spdx_element: "SPDXRef-Image".into(),
    }];
    for p in packages.iter().skip(1) {
        relationships.push(Relationship {
            spdx_element_id: "SPDXRef-Image".into(),
            relationship_type: "CONTAINS",
            related_spdx_element: p.spdx_id.clone(),
        });
    }
    let slug: String = sanitize(doc.name).chars().take(100).collect();
    let document = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: doc.name.to_string(),
        document_namespace: format!("{TOOL_URI}/spdx/{slug}-{uuid}"),
        creation_info: CreationInfo {
            created: doc.created.to_string(),
            creators: vec![format!("Tool: {TOOL_NAME}-{TOOL_VERSION}")],
        },
        packages,
        relationships,
    };
    let mut s = serde_json::to_string_pretty(&document).expect("serialising SPDX");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_expressions() {
        assert!(is_license_expression("MIT"));
        assert!(is_license_expression("GPL-2.0-or-later AND MIT"));
        assert!(is_license_expression(
            "(MIT OR Apache-2.0) AND BSD-3-Clause"
        ));
        assert!(is_license_expression("Apache-1.1+"));
        assert!(!is_license_expression("custom"));
        assert!(!is_license_expression("MIT AND"));
        assert!(!is_license_expression("(MIT"));
        assert!(!is_license_expression(""));
        assert_eq!(
            declared(&["MIT".into(), "GPL-2.0-only OR MIT".into()]),
            "MIT AND (GPL-2.0-only OR MIT)"
        );
        assert_eq!(declared(&["MIT".into(), "custom".into()]), "NOASSERTION");
        assert_eq!(declared(&["MIT".into(), " MIT".into()]), "MIT");
        assert_eq!(declared(&[]), "NOASSERTION");
    }
}
