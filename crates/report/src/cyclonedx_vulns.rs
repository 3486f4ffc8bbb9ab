//! The `vulnerabilities` of a CycloneDX 1.6 BOM, from palisade's
//! vulnerability findings: one entry per (vulnerability, package), with
//! the OSV source, the other ids as `references`, a CVSS or word rating,
//! the advisories (the OSV records that matched), the fixed version as
//! `recommendation` and `affects` pointing at the component's `bom-ref`.

use crate::cyclonedx::Component;
use palisade_model::{Finding, Severity};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Serialize)]
pub(crate) struct Vulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: String,
    source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference>,
    ratings: Vec<Rating>,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    advisories: Vec<Advisory>,
    affects: Vec<Affects>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Reference {
    id: String,
    source: Source,
}

#[derive(Serialize)]
struct Rating {
    source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<String>,
}

#[derive(Serialize)]
struct Advisory {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
    versions: Vec<AffectedVersion>,
}

#[derive(Serialize)]
struct AffectedVersion {
    version: String,
    status: &'static str,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

fn osv_url(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{id}")
}

/// CycloneDX's severity words.
fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
        Severity::Unknown => "unknown",
    }
}

/// The rating method of a CVSS vector, by its prefix.
fn method(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:4.0/") {
        "CVSSv4"
    } else if vector.starts_with("CVSS:3.1/") {
        "CVSSv31"
    } else if vector.starts_with("CVSS:3.0/") {
        "CVSSv3"
    } else {
        "other"
    }
}

pub(crate) fn build(components: &[Component], findings: &[Finding]) -> Vec<Vulnerability> {
    // purl → bom-refs of the components with it (a purl shared by two
    // packages gives `purl` and `purl#2`: both are affected).
    let mut refs: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in components {
        if let (Some(purl), Some(r)) = (&c.purl, &c.bom_ref) {
            refs.entry(purl.as_str()).or_default().push(r.as_str());
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in findings {
        let Some(v) = f.vulnerability.as_deref() else {
            continue;
        };
        let bom_ref = crate::cyclonedx::unique(
            &mut seen,
            format!(
                "vuln:{}:{}",
                v.id,
                if v.purl.is_empty() {
                    &v.package
                } else {
                    &v.purl
                }
            ),
            "#",
        );
        let affects = refs
            .get(v.purl.as_str())
            .into_iter()
            .flatten()
            .map(|r| Affects {
                reference: r.to_string(),
                versions: vec![AffectedVersion {
                    version: v.installed_version.clone(),
                    status: "affected",
                }],
            })
            .collect();
        let mut properties = vec![
            Property {
                name: "palisade:vulnerability:package",
                value: v.package.clone(),
            },
            Property {
                name: "palisade:vulnerability:ecosystem",
                value: v.ecosystem.clone(),
            },
            Property {
                name: "palisade:vulnerability:affected-range",
                value: v.affected_range.clone(),
            },
            Property {
                name: "palisade:vulnerability:severity-source",
                value: v.severity_source.clone(),
            },
        ];
        if let Some(kind) = &v.informational {
            properties.push(Property {
                name: "palisade:vulnerability:informational",
                value: kind.clone(),
            });
        }
        if let Some(fixed) = &v.fixed_version {
            properties.push(Property {
                name: "palisade:vulnerability:fixed-version",
                value: fixed.clone(),
            });
        }
        out.push(Vulnerability {
            bom_ref,
            id: v.id.clone(),
            source: Source {
                name: "OSV",
                url: osv_url(&v.id),
            },
            references: v
                .aliases
                .iter()
                .map(|a| Reference {
                    id: a.clone(),
                    source: Source {
                        name: "OSV",
                        url: osv_url(a),
                    },
                })
                .collect(),
            ratings: vec![Rating {
                source: Source {
                    name: "OSV",
                    url: osv_url(v.advisories.first().unwrap_or(&v.id)),
                },
                score: v.cvss_score,
                severity: severity_word(f.severity),
                method: v.cvss_vector.as_deref().map(method),
                vector: v.cvss_vector.clone(),
            }],
            description: f.title.clone(),
            recommendation: v.fixed_version.as_ref().map(|fixed| {
                format!(
                    "Upgrade {} to {fixed} or later.",
                    v.source_package.as_deref().unwrap_or(&v.package)
                )
            }),
            advisories: v
                .advisories
                .iter()
                .map(|a| Advisory {
                    title: a.clone(),
                    url: osv_url(a),
                })
                .collect(),
            affects,
            properties,
        });
    }
    out
}
