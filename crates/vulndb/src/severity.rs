//! How bad a matched advisory is, and which part of the advisory said so.
//!
//! Preference: a CVSS v4 vector, then v3.x (the entry's own vectors before
//! the record's), scored with the `cvss` crate; then the advisory
//! database's word (GHSA `database_specific.severity`); then the entry's
//! own severity; then the distro tracker's urgency (Debian).

use crate::record::{Affected, Record, SeverityVector};
use palisade_model::Severity;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rating {
    pub severity: Severity,
    /// What gave it: `CVSS_V3 9.8`, `GHSA database_specific.severity MODERATE`,
    /// `Debian urgency unimportant`, or `none`.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
}

fn from_cvss(s: cvss::Severity) -> Severity {
    match s {
        cvss::Severity::None => Severity::Info,
        cvss::Severity::Low => Severity::Low,
        cvss::Severity::Medium => Severity::Medium,
        cvss::Severity::High => Severity::High,
        cvss::Severity::Critical => Severity::Critical,
    }
}

/// Scores a CVSS v3.x or v4.0 vector: (score, severity).
pub fn score_vector(vector: &str) -> Option<(f64, Severity)> {
    let c: cvss::Cvss = vector.trim().parse().ok()?;
    Some((c.score(), from_cvss(c.severity())))
}

/// A word severity (`MODERATE`, `high`, `low**`) as a [`Severity`].
pub fn from_word(word: &str) -> Option<Severity> {
    let w = word
        .trim()
        .trim_end_matches('*')
        .trim()
        .to_ascii_lowercase();
    Some(match w.as_str() {
        "critical" => Severity::Critical,
        "high" | "important" => Severity::High,
        "moderate" | "medium" => Severity::Medium,
        "low" | "unimportant" | "negligible" => Severity::Low,
        "none" => Severity::Info,
        _ => return None,
    })
}

fn best_vector(vectors: &[SeverityVector], kind: &str) -> Option<Rating> {
    vectors.iter().filter(|v| v.kind == kind).find_map(|v| {
        let (score, severity) = score_vector(&v.score)?;
        Some(Rating {
            severity,
            source: format!("{kind} {score:.1}"),
            score: Some(score),
            vector: Some(v.score.clone()),
        })
    })
}

/// The rating of `record` for its affected entry `entry`.
pub fn rate(record: &Record, entry: &Affected) -> Rating {
    for kind in ["CVSS_V4", "CVSS_V3"] {
        if let Some(r) =
            best_vector(&entry.severity, kind).or_else(|| best_vector(&record.severity, kind))
        {
            return r;
        }
    }
    let word = |source: String, w: &str| {
        from_word(w).map(|severity| Rating {
            severity,
            source,
            score: None,
            vector: None,
        })
    };
    let db = record.id.split('-').next().unwrap_or("advisory");
    record
        .database_severity
        .as_deref()
        .and_then(|w| word(format!("{db} database_specific.severity {w}"), w))
        .or_else(|| {
            entry
                .entry_severity
                .as_deref()
                .and_then(|w| word(format!("{} severity {w}", entry.ecosystem), w))
        })
        .or_else(|| {
            entry
                .urgency
                .as_deref()
                .and_then(|w| word(format!("{} urgency {w}", entry.ecosystem), w))
        })
        .unwrap_or(Rating {
            severity: Severity::Unknown,
            source: NO_SOURCE.to_string(),
            score: None,
            vector: None,
        })
}

/// The rating source of a record that states no severity at all.
pub const NO_SOURCE: &str = "none";

/// "; severity from SOURCE" for a finding's message, in words when the
/// record gave no severity.
pub fn describe_source(source: &str) -> String {
    if source == NO_SOURCE {
        "; the record gives no severity".to_string()
    } else {
        format!("; severity from {source}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Examples from the CVSS v3.1 specification's user guide and the
    /// v4.0 calculator (FIRST).
    #[test]
    fn spec_example_vectors() {
        let cases = [
            // CVE-2014-3566 (POODLE), v3.1 user guide.
            (
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
                3.1,
                Severity::Low,
            ),
            // CVE-2013-1937 phpMyAdmin XSS, v3.1 user guide.
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
                6.1,
                Severity::Medium,
            ),
            // CVE-2014-0160 Heartbleed, v3.1 user guide.
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
                7.5,
                Severity::High,
            ),
            // CVE-2014-6271 Shellshock, v3.0 examples.
            (
                "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                9.8,
                Severity::Critical,
            ),
            // v4.0: all-high network vector.
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
                Severity::Critical,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N",
                8.7,
                Severity::High,
            ),
        ];
        for (v, score, sev) in cases {
            let (s, g) = score_vector(v).unwrap_or_else(|| panic!("{v} did not parse"));
            assert!((s - score).abs() < 1e-9, "{v}: {s} != {score}");
            assert_eq!(g, sev, "{v}");
        }
        assert!(score_vector("CVSS:3.1/AV:X").is_none());
        assert!(score_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P").is_none());
    }

    #[test]
    fn words() {
        assert_eq!(from_word("MODERATE"), Some(Severity::Medium));
        assert_eq!(from_word("low**"), Some(Severity::Low));
        assert_eq!(from_word("unimportant"), Some(Severity::Low));
        assert_eq!(from_word("not yet assigned"), None);
    }
}
