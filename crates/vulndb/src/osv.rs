//! Reading one OSV JSON document (https://ossf.github.io/osv-schema/) and
//! splitting it into the per-package [`Record`]s the database stores.

use crate::name::normalize;
use crate::record::{Affected, Event, Range, Record, SeverityVector};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct RawRecord {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    upstream: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Option<Vec<SeverityVector>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    database_specific: Option<Value>,
    #[serde(default)]
    references: Option<Vec<RawReference>>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    severity: Option<Vec<SeverityVector>>,
    #[serde(default)]
    ecosystem_specific: Option<Value>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    ecosystem: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

/// What one OSV document turned into.
#[derive(Debug)]
pub enum Parsed {
    /// Per-package records keyed by (ecosystem, normalized name).
    Records(Vec<((String, String), Record)>),
    /// The record is withdrawn: dropped.
    Withdrawn,
}

/// Longest `informational` kind kept (RustSec's are one word).
const MAX_INFORMATIONAL: usize = 32;

/// Longest summary kept (the details of a long advisory are not needed to match).
const MAX_SUMMARY: usize = 512;

fn string_field(v: Option<&Value>, key: &str) -> Option<String> {
    v?.get(key)?.as_str().map(|s| s.to_string())
}

fn cut(s: &str, max: usize) -> String {
    let s = s.trim();
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// The RustSec advisories a non-RustSec record cites by their page,
/// `https://rustsec.org/advisories/RUSTSEC-YYYY-NNNN(.html)`: GitHub's
/// GHSA copies of RustSec advisories cite their source so, often without
/// listing it in `aliases`. Kept as `upstream`, so the copy is reported
/// with the RustSec advisory instead of a second time.
fn cited_rustsec(id: &str, references: &[RawReference]) -> Vec<String> {
    if id.starts_with("RUSTSEC-") {
        return Vec::new();
    }
    let mut out: Vec<String> = references
        .iter()
        .filter_map(|r| {
            let tail = r.url.split_once("rustsec.org/advisories/")?.1;
            let cited = tail.strip_suffix(".html").unwrap_or(tail);
            let digits = cited.strip_prefix("RUSTSEC-")?;
            let (year, number) = digits.split_once('-')?;
            let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            (year.len() == 4 && all_digits(year) && all_digits(number) && number.len() <= 6)
                .then(|| cited.to_string())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Parses one OSV JSON document.
pub fn parse(bytes: &[u8]) -> Result<Parsed, serde_json::Error> {
    let raw: RawRecord = serde_json::from_slice(bytes)?;
    if raw.withdrawn.as_deref().is_some_and(|w| !w.is_empty()) {
        return Ok(Parsed::Withdrawn);
    }
    // The summary, or the details' first line when there is none (PYSEC).
    let summary = raw
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            raw.details
                .as_deref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
        })
        .map(|s| cut(s, MAX_SUMMARY));
    let database_severity = string_field(raw.database_specific.as_ref(), "severity");
    let mut upstream = raw.upstream.clone().unwrap_or_default();
    let aliases = raw.aliases.clone().unwrap_or_default();
    for cited in cited_rustsec(&raw.id, raw.references.as_deref().unwrap_or_default()) {
        if !upstream.contains(&cited) && !aliases.contains(&cited) {
            upstream.push(cited);
        }
    }
    let mut out: Vec<((String, String), Record)> = Vec::new();
    for a in raw.affected.unwrap_or_default() {
        let Some(pkg) = a.package else { continue };
        if pkg.ecosystem.is_empty() || pkg.name.is_empty() {
            continue;
        }
        let ranges: Vec<Range> = a
            .ranges
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.kind == "SEMVER" || r.kind == "ECOSYSTEM")
            .map(|r| Range {
                kind: r.kind,
                events: r
                    .events
                    .into_iter()
                    .filter_map(|e| {
                        // An event has exactly one of the four keys.
                        if let Some(v) = e.introduced {
                            Some(Event::Introduced(v))
                        } else if let Some(v) = e.fixed {
                            Some(Event::Fixed(v))
                        } else if let Some(v) = e.last_affected {
                            Some(Event::LastAffected(v))
                        } else {
                            e.limit.map(Event::Limit)
                        }
                    })
                    .collect(),
            })
            .filter(|r| !r.events.is_empty())
            .collect();
        let versions = a.versions.unwrap_or_default();
        if ranges.is_empty() && versions.is_empty() {
            // Nothing a package version can be matched against (GIT only).
            continue;
        }
        let urgency = string_field(a.ecosystem_specific.as_ref(), "urgency");
        let entry_severity = string_field(a.ecosystem_specific.as_ref(), "severity")
            .or_else(|| string_field(a.database_specific.as_ref(), "severity"));
        let informational = string_field(a.database_specific.as_ref(), "informational")
            .map(|kind| cut(&kind, MAX_INFORMATIONAL))
            .filter(|kind| !kind.is_empty());
        let key = (pkg.ecosystem.clone(), normalize(&pkg.ecosystem, &pkg.name));
        let affected = Affected {
            ecosystem: pkg.ecosystem,
            name: pkg.name,
            ranges,
            versions,
            severity: a.severity.unwrap_or_default(),
            urgency,
            entry_severity,
            informational,
        };
        // Several entries for the same package stay in one record.
        if let Some((_, rec)) = out.iter_mut().find(|(k, _)| *k == key) {
            rec.affected.push(affected);
            continue;
        }
        out.push((
            key,
            Record {
                id: raw.id.clone(),
                aliases: aliases.clone(),
                upstream: upstream.clone(),
                summary: summary.clone(),
                severity: raw.severity.clone().unwrap_or_default(),
                database_severity: database_severity.clone(),
                modified: raw.modified.clone(),
                published: raw.published.clone(),
                affected: vec![affected],
            },
        ));
    }
    Ok(Parsed::Records(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_per_package_and_drops_git_and_withdrawn() {
        let doc = br#"{"id":"GHSA-1","aliases":["CVE-1"],"summary":"bad",
          "database_specific":{"severity":"HIGH"},
          "affected":[
            {"package":{"ecosystem":"PyPI","name":"Foo_Bar"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]},
            {"package":{"ecosystem":"PyPI","name":"foo.bar"},"versions":["1.0"]},
            {"ranges":[{"type":"GIT","repo":"x","events":[{"introduced":"abc"}]}]},
            {"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]}
          ]}"#;
        let Parsed::Records(recs) = parse(doc).unwrap() else {
            panic!()
        };
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].0, ("PyPI".to_string(), "foo-bar".to_string()));
        assert_eq!(recs[0].1.affected.len(), 2);
        assert_eq!(recs[0].1.database_severity.as_deref(), Some("HIGH"));
        let w = br#"{"id":"X","withdrawn":"2024-01-01T00:00:00Z","affected":[]}"#;
        assert!(matches!(parse(w).unwrap(), Parsed::Withdrawn));
        assert!(parse(b"{not json").is_err());
    }

    #[test]
    fn a_ghsa_citing_a_rustsec_page_has_it_upstream() {
        let doc = br#"{"id":"GHSA-cqpr-pcm7-m3jc","references":[
            {"type":"WEB","url":"https://github.com/chronotope/chrono/issues/499"},
            {"type":"WEB","url":"https://rustsec.org/advisories/RUSTSEC-2020-0159.html"},
            {"type":"WEB","url":"https://rustsec.org/advisories/RUSTSEC-20x0-1.html"}],
          "affected":[{"package":{"ecosystem":"crates.io","name":"chrono"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.4.20"}]}]}]}"#;
        let Parsed::Records(recs) = parse(doc).unwrap() else {
            panic!()
        };
        assert_eq!(recs[0].1.upstream, ["RUSTSEC-2020-0159"]);
    }

    #[test]
    fn keeps_the_rustsec_informational_kind() {
        let doc = br#"{"id":"RUSTSEC-2023-0005","affected":[
            {"package":{"ecosystem":"crates.io","name":"tokio"},
             "ranges":[{"type":"SEMVER","events":[{"introduced":"0.2.0"},{"fixed":"1.18.5"}]}],
             "database_specific":{"informational":"unsound"}},
            {"package":{"ecosystem":"crates.io","name":"other"},
             "ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}],
             "database_specific":{"informational":7}}]}"#;
        let Parsed::Records(recs) = parse(doc).unwrap() else {
            panic!()
        };
        assert_eq!(
            recs[0].1.affected[0].informational.as_deref(),
            Some("unsound")
        );
        // Not a string: not informational (a vulnerability, as before).
        assert_eq!(recs[1].1.affected[0].informational, None);
    }
}
