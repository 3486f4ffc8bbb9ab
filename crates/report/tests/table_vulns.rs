//! The table groups vulnerability findings by package, after the other
//! findings, worst package first; without vulnerabilities it is unchanged.

mod common;

use common::*;
use palisade_model::Vulnerability;
use palisade_report::{Format, Severity, render};

fn vuln(id: &str, sev: Severity, package: &str, fixed: Option<&str>) -> palisade_report::Finding {
    let mut f = finding(id, sev, Some("/app/package-lock.json"));
    f.title = format!("{package} 1.0.0: summary of {id}");
    f.vulnerability = Some(Box::new(Vulnerability {
        id: id.into(),
        advisories: vec![format!("GHSA-{id}")],
        package: package.into(),
        installed_version: "1.0.0".into(),
        fixed_version: fixed.map(Into::into),
        ecosystem: "npm".into(),
        affected_range: ">= 0, < 2.0.0 (SEMVER)".into(),
        severity_source: "CVSS_V3 9.8".into(),
        ..Default::default()
    }));
    f
}

#[test]
fn vulnerabilities_are_grouped_by_package() {
    let findings = vec![
        vuln("CVE-1", Severity::Low, "aaa", Some("2.0.0")),
        finding("PAL-IMG-003", Severity::Low, Some("/bin/sh")),
        vuln("CVE-2", Severity::Critical, "zzz", None),
        vuln("CVE-3", Severity::High, "aaa", Some("1.5.0")),
    ];
    let text = render(Format::Table, &image_target(), &findings, &[], &[]);
    let audit = text.find("PAL-IMG-003").unwrap();
    let section = text.find("Vulnerabilities by package:").expect(&text);
    assert!(audit < section, "{text}");
    let zzz = text.find("zzz 1.0.0 [npm] /app/package-lock.json: 1 vulnerability (worst CRITICAL), 0 with a fix").expect(&text);
    let aaa = text
        .find(
            "aaa 1.0.0 [npm] /app/package-lock.json: 2 vulnerabilities (worst HIGH), 2 with a fix",
        )
        .expect(&text);
    assert!(zzz < aaa, "worst package first:\n{text}");
    // Within a package, worst first; the fixed version and the summary without the package prefix.
    let c3 = text
        .find("HIGH      CVE-3  1.5.0   summary of CVE-3")
        .expect(&text);
    let c1 = text
        .find("LOW       CVE-1  2.0.0   summary of CVE-1")
        .expect(&text);
    assert!(c3 < c1);
    assert!(text.contains("CVE-2  (none)  summary of CVE-2"), "{text}");
    assert!(
        text.contains("4 findings: 1 CRITICAL, 1 HIGH, 2 LOW"),
        "{text}"
    );
}

#[test]
fn only_vulnerabilities_has_no_empty_table_header() {
    let text = render(
        Format::Table,
        &image_target(),
        &[vuln("CVE-1", Severity::Low, "aaa", None)],
        &[],
        &[],
    );
    assert!(!text.contains("SEVERITY  RULE"), "{text}");
    assert!(text.contains("Vulnerabilities by package:"));
}
