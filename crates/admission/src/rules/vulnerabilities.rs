//! `vulnerabilities`: no vulnerability at or above `max_severity`. The
//! message lists the top N (highest severity first, then id) with the
//! fixed version, as the guide's webhook returns the CVE list.

use crate::facts::{Vuln, VulnFacts};
use crate::policy::Rules;

pub fn offending<'a>(rules: &Rules, facts: &'a VulnFacts) -> Vec<&'a Vuln> {
    let mut hits: Vec<&Vuln> = facts
        .vulns
        .iter()
        .filter(|v| v.severity >= rules.max_severity)
        .filter(|v| !(rules.ignore_unfixed && v.fixed.is_none()))
        .collect();
    hits.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    hits
}

pub fn check(rules: &Rules, facts: &VulnFacts) -> Option<String> {
    let hits = offending(rules, facts);
    if hits.is_empty() {
        return None;
    }
    let listed: Vec<String> = hits
        .iter()
        .take(rules.top)
        .map(|v| {
            format!(
                "{} {} in {} {} ({})",
                crate::text::clip(&v.id, 40),
                v.severity.as_str(),
                crate::text::clip(&v.package, 60),
                crate::text::clip(&v.version, 40),
                match &v.fixed {
                    Some(f) => format!("fixed in {}", crate::text::clip(f, 40)),
                    None => "no fix yet".to_string(),
                }
            )
        })
        .collect();
    let more = hits.len().saturating_sub(rules.top);
    Some(format!(
        "{} vulnerabilities at or above {} (from {}): {}{}",
        hits.len(),
        rules.max_severity.as_str(),
        facts.source,
        listed.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::Severity;

    fn v(id: &str, s: Severity, fixed: Option<&str>) -> Vuln {
        Vuln {
            id: id.into(),
            severity: s,
            package: "openssl".into(),
            version: "3.0.1".into(),
            fixed: fixed.map(str::to_string),
        }
    }

    #[test]
    fn lists_the_worst_first_within_top_n() {
        let facts = VulnFacts {
            source: "palisade scan".into(),
            vulns: vec![
                v("CVE-2024-2", Severity::High, Some("3.0.2")),
                v("CVE-2024-1", Severity::Critical, None),
                v("CVE-2024-3", Severity::Low, Some("3.0.2")),
                v("CVE-2024-4", Severity::High, None),
            ],
        };
        let rules = Rules {
            max_severity: Severity::High,
            top: 2,
            ..Rules::default()
        };
        let msg = check(&rules, &facts).unwrap();
        assert!(
            msg.starts_with("3 vulnerabilities at or above HIGH"),
            "{msg}"
        );
        assert!(
            msg.contains("CVE-2024-1 CRITICAL in openssl 3.0.1 (no fix yet), CVE-2024-2 HIGH"),
            "{msg}"
        );
        assert!(msg.ends_with("and 1 more"), "{msg}");
        let unfixed = Rules {
            ignore_unfixed: true,
            ..rules
        };
        assert_eq!(offending(&unfixed, &facts).len(), 1);
        let critical = Rules {
            max_severity: Severity::Critical,
            ignore_unfixed: true,
            ..Rules::default()
        };
        assert!(check(&critical, &facts).is_none());
    }
}
