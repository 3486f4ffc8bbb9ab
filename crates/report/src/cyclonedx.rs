//! CycloneDX 1.6 JSON for `palisade sbom --format cyclonedx`, plus the input
//! ([`SbomDoc`]) and the helpers it shares with [`crate::spdx`].
//!
//! The output is reproducible: the serial number is derived from the image
//! digest and the tool version ([`serial_uuid`]), the timestamp is the one
//! the caller passes (the CLI takes the image config's `created`), and
//! components come in the order of `packages` (the catalogers sort them).

use crate::{TOOL_NAME, TOOL_VERSION};
use palisade_model::package::Package;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::collections::HashSet;

/// What an SBOM document describes.
#[derive(Debug, Clone, Copy)]
pub struct SbomDoc<'a> {
    /// The image reference as the user gave it.
    pub name: &'a str,
    /// The image's manifest digest (`sha256:…`), when known.
    pub digest: Option<&'a str>,
    /// The detected OS: `(ID, VERSION_ID)` from os-release (version may be empty).
    pub os: Option<(&'a str, &'a str)>,
    /// The packages, in output order.
    pub packages: &'a [Package],
    /// Creation time, `YYYY-MM-DDThh:mm:ssZ` (see [`normalize_timestamp`]).
    pub created: &'a str,
}

/// A name-based UUID for the document: the first 16 bytes of
/// SHA-256(`"palisade-sbom\0" FORMAT "\0" KEY "\0" TOOL_VERSION`), with the
/// RFC 4122 variant bits and version 5 (name-based) set, where KEY is the
/// image digest, or without one the reference and every purl. The same
/// image and palisade version always give the same UUID.
pub fn serial_uuid(doc: &SbomDoc<'_>, format: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"palisade-sbom\0");
    h.update(format.as_bytes());
    h.update(b"\0");
    match doc.digest {
        Some(d) => h.update(d.as_bytes()),
        None => {
            h.update(doc.name.as_bytes());
            for p in doc.packages {
                h.update(b"\0");
                h.update(p.purl.as_bytes());
            }
        }
    }
    h.update(b"\0");
    h.update(TOOL_VERSION.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Turns an RFC 3339 time (any fraction, `Z` or an offset) into UTC at
/// second precision, `YYYY-MM-DDThh:mm:ssZ`, the form SPDX requires and
/// CycloneDX accepts. `None` when it is not RFC 3339.
pub fn normalize_timestamp(s: &str) -> Option<String> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == i + 6 && b[i + 3] == b':' => {
            let o = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec.min(59) - offset;
    Some(format_utc(secs))
}

/// The current time as `YYYY-MM-DDThh:mm:ssZ`.
pub fn now_timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    format_utc(secs)
}

fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// Howard Hinnant's algorithms (proleptic Gregorian calendar).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

const SPDX_IDS: &str = include_str!("spdx_license_ids.txt");

/// Whether `s` is an SPDX license list id (exact case) that both the
/// CycloneDX 1.6 schema and the SPDX tools accept.
pub fn is_spdx_license_id(s: &str) -> bool {
    static IDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    // The list is sorted by byte order.
    IDS.get_or_init(|| SPDX_IDS.lines().collect())
        .binary_search(&s)
        .is_ok()
}

/// Makes `base` unique among `seen` by appending `suffix(2)`, `suffix(3)`, …
pub(crate) fn unique(seen: &mut HashSet<String>, base: String, sep: &str) -> String {
    if seen.insert(base.clone()) {
        return base;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{base}{sep}{n}");
        if seen.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    bom_format: &'static str,
    #[serde(rename = "$schema")]
    schema: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<crate::cyclonedx_vulns::Vulnerability>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: &'a str,
    tools: Tools,
    component: Component,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize, Default)]
pub(crate) struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub(crate) bom_ref: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct LicenseChoice {
    license: License,
}

#[derive(Serialize)]
struct License {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

/// Renders CycloneDX 1.6 JSON (pretty, ending with a newline).
///
/// Components: the OS (`operating-system`, when detected) and one
/// `library` per package, `bom-ref` = purl (made unique with `#2`, `#3`…
/// if two packages share one). Licenses that are SPDX ids become
/// `{license:{id}}`, others `{license:{name}}`. Properties
/// `palisade:package:arch`, `…:source-name`, `…:source-version`,
/// `…:ecosystem` and one `palisade:package:location` (`PATH#layer=N`) per
/// database entry. `dependencies`: the image depends on every component.
pub fn render(doc: &SbomDoc<'_>) -> String {
    to_text(&bom(doc))
}

/// [`render`] plus a `vulnerabilities` list: one entry per vulnerability
/// finding (findings without [`palisade_model::Vulnerability`] are left
/// out), `affects` pointing at the `bom-ref` of the component with the
/// finding's purl (see `crate::cyclonedx_vulns`).
pub fn render_with_vulnerabilities(
    doc: &SbomDoc<'_>,
    findings: &[palisade_model::Finding],
) -> String {
    let mut bom = bom(doc);
    bom.vulnerabilities = crate::cyclonedx_vulns::build(&bom.components, findings);
    to_text(&bom)
}

fn to_text(bom: &Bom<'_>) -> String {
    let mut s = serde_json::to_string_pretty(bom).expect("serialising CycloneDX");
    s.push('\n');
    s
}

fn bom<'a>(doc: &SbomDoc<'a>) -> Bom<'a> {
    let image_ref = format!("image:{}", doc.digest.unwrap_or(doc.name));
    let mut seen = HashSet::new();
    seen.insert(image_ref.clone());
    let mut components = Vec::new();
    if let Some((id, version)) = doc.os {
        let bom_ref = unique(&mut seen, format!("os:{id}@{version}"), "#");
        components.push(Component {
            kind: "operating-system",
            bom_ref: Some(bom_ref),
            name: id.to_string(),
            version: (!version.is_empty()).then(|| version.to_string()),
            ..Component::default()
        });
    }
    for p in doc.packages {
        let bom_ref = unique(&mut seen, p.purl.clone(), "#");
        let licenses = p
            .licenses
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| LicenseChoice {
                license: if is_spdx_license_id(l) {
                    License {
                        id: Some(l.clone()),
                        name: None,
                    }
                } else {
                    License {
                        id: None,
                        name: Some(l.clone()),
                    }
                },
            })
            .collect();
        let mut properties = Vec::new();
        let mut prop = |name, value: Option<&String>| {
            if let Some(v) = value {
                properties.push(Property {
                    name,
                    value: v.clone(),
                });
            }
        };
        prop("palisade:package:arch", p.arch.as_ref());
        prop("palisade:package:source-name", p.source_name.as_ref());
        prop("palisade:package:source-version", p.source_version.as_ref());
        prop("palisade:package:ecosystem", Some(&p.ecosystem));
        for l in &p.locations {
            properties.push(Property {
                name: "palisade:package:location",
                value: format!("{}#layer={}", l.path, l.layer),
            });
        }
        components.push(Component {
            kind: "library",
            bom_ref: Some(bom_ref),
            name: p.name.clone(),
            version: Some(p.version.clone()),
            purl: (!p.purl.is_empty()).then(|| p.purl.clone()),
            licenses,
            properties,
        });
    }
    let dependencies = vec![Dependency {
        reference: image_ref.clone(),
        depends_on: components
            .iter()
            .filter_map(|c| c.bom_ref.clone())
            .collect(),
    }];
    Bom {
        bom_format: "CycloneDX",
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        spec_version: "1.6",
        serial_number: format!("urn:uuid:{}", serial_uuid(doc, "cyclonedx")),
        version: 1,
        metadata: Metadata {
            timestamp: doc.created,
            tools: Tools {
                components: vec![Component {
                    kind: "application",
                    name: TOOL_NAME.to_string(),
                    version: Some(TOOL_VERSION.to_string()),
                    ..Component::default()
                }],
            },
            component: Component {
                kind: "container",
                bom_ref: Some(image_ref),
                name: doc.name.to_string(),
                version: doc.digest.map(str::to_string),
                ..Component::default()
            },
        },
        components,
        dependencies,
        vulnerabilities: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_normalise_to_utc_seconds() {
        assert_eq!(
            normalize_timestamp("2025-01-01T00:00:00Z").unwrap(),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(
            normalize_timestamp("2023-06-13T12:34:56.123456789Z").unwrap(),
            "2023-06-13T12:34:56Z"
        );
        assert_eq!(
            normalize_timestamp("2024-03-01T01:30:00+02:00").unwrap(),
            "2024-02-29T23:30:00Z"
        );
        assert_eq!(normalize_timestamp("yesterday"), None);
        assert_eq!(normalize_timestamp("2024-13-01T00:00:00Z"), None);
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn spdx_ids_are_sorted_and_known() {
        let ids: Vec<&str> = SPDX_IDS.lines().collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(is_spdx_license_id("MIT"));
        assert!(is_spdx_license_id("GPL-2.0-only"));
        assert!(!is_spdx_license_id("mit"));
        assert!(!is_spdx_license_id("custom"));
    }
}
