//! Matching installed packages against the database, and saying why.

use crate::blob::AffectedView;
use crate::format::{Db, DbError};
use crate::name::{ecosystem_base, normalize};
use crate::order::VersionOrder;
use crate::range::{Eval, Hit, evaluate_ranges};
use crate::record::Record;
use crate::severity::{Rating, rate};
use palisade_model::{Finding, Location, Package, Vulnerability};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Distro ecosystems whose advisories name *source* packages.
const SOURCE_KEYED: &[&str] = &["Debian", "Ubuntu", "Alpine"];

/// One vulnerability of one installed package (several advisories that
/// are aliases of each other are one match).
#[derive(Debug, Clone, Serialize)]
pub struct VulnMatch {
    /// The id reported: a CVE when the advisories have one, else the first id.
    pub id: String,
    /// Every advisory that matched (the data sources).
    pub sources: Vec<String>,
    /// Aliases of those advisories.
    pub aliases: Vec<String>,
    pub package: String,
    pub version: String,
    pub ecosystem: String,
    pub purl: String,
    /// The name and version looked up (the source package for distros).
    pub matched_name: String,
    /// Whether the lookup went through the source package (distros).
    pub by_source: bool,
    pub matched_version: String,
    pub range: Hit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    pub rating: Rating,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The informational kind (RustSec `unmaintained`, `unsound`,
    /// `notice`) when the advisory is a warning, not a vulnerability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// Where the package database entry lives in the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Everything a scan found.
#[derive(Debug, Default, Serialize)]
pub struct MatchReport {
    pub matches: Vec<VulnMatch>,
    /// Advisory ranges the version order could not evaluate ("id: versions").
    pub undetermined: Vec<String>,
    /// Packages looked up.
    pub packages: usize,
}

/// The (ecosystem, normalized name, version) a package is looked up by.
pub fn lookup_key(p: &Package) -> (String, String, String) {
    let base = ecosystem_base(&p.ecosystem);
    if SOURCE_KEYED.contains(&base) {
        let name = p.source_name.clone().unwrap_or_else(|| p.name.clone());
        let version = p
            .source_version
            .clone()
            .unwrap_or_else(|| p.version.clone());
        (p.ecosystem.clone(), name, version)
    } else {
        (
            p.ecosystem.clone(),
            normalize(&p.ecosystem, &p.name),
            p.version.clone(),
        )
    }
}

struct Candidate {
    record: Record,
    hit: Hit,
    rating: Rating,
    urgency: Option<String>,
    informational: Option<String>,
}

/// Matches `packages` against `db`.
pub fn match_packages(
    db: &Db,
    packages: &[Package],
    order: &dyn VersionOrder,
) -> Result<MatchReport, DbError> {
    let mut report = MatchReport {
        packages: packages.len(),
        ..Default::default()
    };
    // Binary packages built from one source share its lookups.
    let mut cache: BTreeMap<(String, String), Option<crate::format::Package>> = BTreeMap::new();
    for p in packages {
        let (eco, name, version) = lookup_key(p);
        let key = (eco.clone(), name.clone());
        if !cache.contains_key(&key) {
            let found = db.package(&eco, &name)?;
            cache.insert(key.clone(), found);
        }
        let Some(stored) = &cache[&key] else { continue };
        let damaged = |e| db.damaged(&eco, &name, e);
        let mut candidates = Vec::new();
        for record in stored.records().map_err(damaged)? {
            let mut best: Option<(Hit, &AffectedView)> = None;
            for entry in record.affected.iter().filter(|a| a.ecosystem == eco) {
                let mut listed = Ok(false);
                let eval = evaluate_ranges(
                    entry.ecosystem,
                    entry.ranges.iter().map(|r| (r.kind, r.events.as_slice())),
                    || {
                        listed = entry.lists(&version);
                        *listed.as_ref().unwrap_or(&false)
                    },
                    &version,
                    order,
                );
                listed.map_err(damaged)?;
                match eval {
                    Eval::Affected(hit) => {
                        if best
                            .as_ref()
                            .is_none_or(|(b, _)| b.fixed.is_none() && hit.fixed.is_some())
                        {
                            best = Some((hit, entry));
                        }
                    }
                    Eval::NotAffected => {}
                    Eval::Undetermined(v) => {
                        report.undetermined.push(format!(
                            "{} {} {}: cannot order {v}",
                            record.id, p.name, version
                        ));
                    }
                }
            }
            if let Some((hit, entry)) = best {
                // Only now decode the details (aliases, summary, severity).
                let owned = record.to_record(Some(entry), false).map_err(damaged)?;
                candidates.push(Candidate {
                    rating: rate(&owned, &owned.affected[0]),
                    urgency: owned.affected[0].urgency.clone(),
                    informational: owned.affected[0].informational.clone(),
                    hit,
                    record: owned,
                });
            }
        }
        for group in dedupe(candidates) {
            report.matches.push(to_match(p, &name, &version, group));
        }
    }
    report.undetermined.sort();
    report.undetermined.dedup();
    Ok(report)
}

/// Groups candidates that are the same vulnerability: ids linked by
/// aliases; a record whose `upstream` ids are all reported by other
/// groups joins the first of them instead of being reported again.
fn dedupe(candidates: Vec<Candidate>) -> Vec<Vec<Candidate>> {
    let n = candidates.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        p[i] = r;
        r
    }
    let names: Vec<BTreeSet<&str>> = candidates
        .iter()
        .map(|c| {
            std::iter::once(c.record.id.as_str())
                .chain(c.record.aliases.iter().map(|s| s.as_str()))
                .collect()
        })
        .collect();
    for i in 0..n {
        for j in i + 1..n {
            if !names[i].is_disjoint(&names[j]) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[b] = a;
            }
        }
    }
    for (i, candidate) in candidates.iter().enumerate().take(n) {
        let up = &candidate.record.upstream;
        if up.is_empty() {
            continue;
        }
        let others: Vec<usize> = up
            .iter()
            .filter_map(|u| (0..n).find(|&j| j != i && names[j].contains(u.as_str())))
            .collect();
        if others.len() == up.len() {
            let (a, b) = (find(&mut parent, others[0]), find(&mut parent, i));
            parent[b] = a;
        }
    }
    let mut groups: BTreeMap<usize, Vec<Candidate>> = BTreeMap::new();
    for (i, c) in candidates.into_iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(c);
    }
    groups.into_values().collect()
}

/// Scored ratings first, then the highest severity.
fn rating_rank(r: &Rating) -> (bool, palisade_model::Severity) {
    (r.score.is_some(), r.severity)
}

fn to_match(p: &Package, name: &str, version: &str, group: Vec<Candidate>) -> VulnMatch {
    let mut ids: Vec<String> = group.iter().map(|c| c.record.id.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut aliases: Vec<String> = group
        .iter()
        .flat_map(|c| c.record.aliases.iter().cloned())
        .filter(|a| !ids.contains(a))
        .collect();
    aliases.sort();
    aliases.dedup();
    let id = ids
        .iter()
        .chain(aliases.iter())
        .find(|i| i.starts_with("CVE-"))
        // Without a CVE, a RustSec id before a GHSA one: it is the id Rust
        // users and cargo audit know the advisory by.
        .or_else(|| ids.iter().find(|i| i.starts_with("RUSTSEC-")))
        .or_else(|| ids.iter().find(|i| i.starts_with("GHSA-")))
        .unwrap_or(&ids[0])
        .clone();
    let with_fix = group
        .iter()
        .find(|c| c.hit.fixed.is_some())
        .unwrap_or(&group[0]);
    let rated = group
        .iter()
        .max_by(|a, b| rating_rank(&a.rating).cmp(&rating_rank(&b.rating)))
        .unwrap_or(&group[0]);
    VulnMatch {
        id,
        sources: ids,
        aliases,
        package: p.name.clone(),
        version: p.version.clone(),
        ecosystem: p.ecosystem.clone(),
        purl: p.purl.clone(),
        matched_name: name.to_string(),
        by_source: SOURCE_KEYED.contains(&ecosystem_base(&p.ecosystem)),
        matched_version: version.to_string(),
        fixed: with_fix.hit.fixed.clone(),
        range: with_fix.hit.clone(),
        rating: rated.rating.clone(),
        urgency: group.iter().find_map(|c| c.urgency.clone()),
        // The advisory's own database calls it informational; its aliases
        // (a GHSA mirror of a RustSec notice) describe the same issue.
        informational: group.iter().find_map(|c| c.informational.clone()),
        summary: group.iter().find_map(|c| c.record.summary.clone()),
        path: p.locations.first().map(|l| l.path.clone()),
    }
}

impl VulnMatch {
    /// The match as a palisade finding (rule = the vulnerability id, so the
    /// ignore file's `rule` works on ids).
    pub fn to_finding(&self, input: &str) -> Finding {
        let source = if self.by_source
            && (self.matched_name != self.package || self.matched_version != self.version)
        {
            format!(
                " (source package {} {})",
                self.matched_name, self.matched_version
            )
        } else {
            String::new()
        };
        let mut message = format!(
            "{} {}{source} [{}] is in the affected range {} of {}",
            self.package,
            self.version,
            self.ecosystem,
            self.range.describe(),
            self.sources.join(", "),
        );
        if !self.aliases.is_empty() {
            message.push_str(&format!(" (aliases {})", self.aliases.join(", ")));
        }
        if let Some(kind) = &self.informational {
            message.push_str(&format!(
                "; informational advisory ({kind}): a warning, not a vulnerability"
            ));
        }
        message.push_str(&crate::severity::describe_source(&self.rating.source));
        if let Some(u) = &self.urgency {
            message.push_str(&format!("; distro urgency {u}"));
        }
        message.push_str(match &self.fixed {
            Some(_) => ".",
            None => "; no fixed version yet.",
        });
        let title = match &self.summary {
            Some(s) => format!("{} {}: {s}", self.package, self.version),
            None => format!("{} {}: {}", self.package, self.version, self.id),
        };
        Finding {
            rule: self.id.clone(),
            severity: self.rating.severity,
            title,
            message,
            location: Location {
                input: input.to_string(),
                path: self.path.clone(),
                ..Default::default()
            },
            fix: self
                .fixed
                .as_ref()
                .map(|f| format!("upgrade {} to {f} or later", self.matched_name)),
            references: self
                .sources
                .iter()
                .map(|id| format!("https://osv.dev/vulnerability/{id}"))
                .collect(),
            vulnerability: Some(Box::new(Vulnerability {
                id: self.id.clone(),
                aliases: self
                    .sources
                    .iter()
                    .chain(&self.aliases)
                    .filter(|a| **a != self.id)
                    .cloned()
                    .collect(),
                advisories: self.sources.clone(),
                data_source: "OSV".to_string(),
                package: self.package.clone(),
                installed_version: self.version.clone(),
                fixed_version: self.fixed.clone(),
                ecosystem: self.ecosystem.clone(),
                purl: self.purl.clone(),
                source_package: self.by_source.then(|| self.matched_name.clone()),
                affected_range: self.range.describe(),
                severity_source: self.rating.source.clone(),
                cvss_score: self.rating.score,
                cvss_vector: self.rating.vector.clone(),
                informational: self.informational.clone(),
            })),
        }
    }
}
