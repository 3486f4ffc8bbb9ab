//! The ignore file: parsing, errors with line numbers, matching, expiry,
//! and the civil-date arithmetic behind `today_utc`.

mod common;

use common::*;
use palisade_report::Severity;
use palisade_report::ignore::{
    IgnoreError, IgnoreFile, civil_from_days, days_from_civil, today_utc,
};

const TODAY: (i32, u32, u32) = (2026, 6, 15);

fn parse(text: &str) -> IgnoreFile {
    IgnoreFile::parse(text, "ignore.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn parse_err(text: &str) -> IgnoreError {
    match IgnoreFile::parse(text, "ignore.toml") {
        Ok(_) => panic!("parsed:\n{text}"),
        Err(e) => e,
    }
}

// ---- parsing ----------------------------------------------------------------

#[test]
fn parses_full_entry() {
    let file = parse(
        r#"
# accepted risks
[[ignore]]
rule = "PAL-IMG-005"
path = "/app/tests/**"
input = "registry.example.com/team/*"
reason = "fixture key for tests"
expires = "2027-01-31"

[[ignore]]
rule = "*"
reason = "legacy"
expires = 2026-12-31
"#,
    );
    let e = file.entries();
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].rule, "PAL-IMG-005");
    assert_eq!(e[0].path.as_deref(), Some("/app/tests/**"));
    assert_eq!(e[0].input.as_deref(), Some("registry.example.com/team/*"));
    assert_eq!(e[0].reason, "fixture key for tests");
    assert_eq!(e[0].expires.as_deref(), Some("2027-01-31"));
    assert_eq!(e[0].line, 3);
    // A bare TOML date is accepted too.
    assert_eq!(e[1].expires.as_deref(), Some("2026-12-31"));
    assert_eq!(e[1].line, 10);
    assert_eq!(file.source(), "ignore.toml");
}

#[test]
fn empty_file_ignores_nothing() {
    let file = parse("# nothing yet\n");
    assert!(file.entries().is_empty());
    let (kept, ignored) = file.apply(mixed(), TODAY);
    assert_eq!(kept, mixed());
    assert!(ignored.is_empty());
    let (kept, _) = IgnoreFile::default().apply(mixed(), TODAY);
    assert_eq!(kept.len(), mixed().len());
}

fn assert_error(text: &str, line: usize, needle: &str) {
    let e = parse_err(text);
    let msg = e.to_string();
    assert_eq!(e.line(), Some(line), "line of {msg:?}");
    assert!(
        msg.starts_with(&format!("invalid ignore file ignore.toml:{line}:")),
        "{msg}"
    );
    assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    assert!(!msg.contains('\n'), "one-line message: {msg:?}");
}

#[test]
fn invalid_toml_names_the_line() {
    assert_error(
        "[[ignore]]\nrule = \"PAL-IMG-005\"\nreason = \"unterminated\n",
        3,
        "expected `\"`",
    );
    assert_error(
        "[[ignore]]\nrule = PAL\nreason = \"x\"\n",
        2,
        "must be quoted",
    );
}

#[test]
fn missing_reason_is_an_error() {
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"a\"\n\n[[ignore]]\nrule = \"PAL-IMG-005\"\npath = \"/x\"\n",
        5,
        "missing field `reason`",
    );
}

#[test]
fn empty_reason_is_an_error() {
    assert_error(
        "[[ignore]]\nrule = \"PAL-IMG-005\"\nreason = \"   \"\n",
        3,
        "reason must not be empty",
    );
}

#[test]
fn missing_rule_is_an_error() {
    assert_error("[[ignore]]\nreason = \"x\"\n", 1, "missing field `rule`");
}

#[test]
fn bad_dates_are_errors() {
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\nexpires = \"2027-02-30\"\n",
        4,
        "2027-02 has 28 days",
    );
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\nexpires = \"2027-13-01\"\n",
        4,
        "month 13",
    );
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\nexpires = \"31/01/2027\"\n",
        4,
        "expected YYYY-MM-DD",
    );
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\nexpires = 20270131\n",
        4,
        "expires must be a day",
    );
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\nexpires = 2027-01-31T10:00:00Z\n",
        4,
        "not a date-time",
    );
    // 2028 is a leap year, 2100 is not, 2000 is.
    parse("[[ignore]]\nrule = \"A\"\nreason = \"x\"\nexpires = \"2028-02-29\"\n");
    parse("[[ignore]]\nrule = \"A\"\nreason = \"x\"\nexpires = \"2000-02-29\"\n");
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\nexpires = \"2100-02-29\"\n",
        4,
        "2100-02 has 28 days",
    );
}

#[test]
fn unknown_keys_are_errors() {
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\nreasn = \"typo\"\n",
        4,
        "unknown field `reasn`",
    );
    assert_error("version = 1\n", 1, "unknown field `version`");
}

#[test]
fn bad_globs_are_errors() {
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\npath = \"/app/[tests\"\n",
        4,
        "invalid glob \"/app/[tests\"",
    );
    assert_error(
        "[[ignore]]\nrule = \"A\"\nreason = \"x\"\ninput = \"a/***\"\n",
        4,
        "invalid glob",
    );
    assert_error(
        "[[ignore]]\nrule = \"\"\nreason = \"x\"\n",
        2,
        "must not be empty",
    );
}

#[test]
fn wrong_shape_is_an_error() {
    let e = parse_err("[ignore]\nrule = \"A\"\nreason = \"x\"\n");
    assert!(e.to_string().contains("ignore.toml:1:"), "{e}");
    assert!(
        e.to_string().contains("[[ignore]], with double brackets"),
        "{e}"
    );
}

#[test]
fn load_reads_files_and_names_them() {
    let dir = std::env::temp_dir().join(format!("palisade-ignore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(&good, "[[ignore]]\nrule = \"A\"\nreason = \"x\"\n").unwrap();
    let file = IgnoreFile::load(&good).unwrap();
    assert_eq!(file.entries().len(), 1);
    assert_eq!(file.source(), good.display().to_string());

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[ignore]]\nrule = \"A\"\n").unwrap();
    let e = IgnoreFile::load(&bad).unwrap_err();
    assert!(
        e.to_string().contains(&format!("{}:1:", bad.display())),
        "{e}"
    );

    let binary = dir.join("binary.toml");
    std::fs::write(&binary, b"# ok\n\xff\xfe").unwrap();
    let e = IgnoreFile::load(&binary).unwrap_err();
    assert!(
        e.to_string()
            .contains("binary.toml:2:1: the file is not valid UTF-8"),
        "{e}"
    );

    let missing = dir.join("missing.toml");
    let e = IgnoreFile::load(&missing).unwrap_err();
    assert!(matches!(e, IgnoreError::Read { .. }));
    assert!(e.to_string().contains("missing.toml"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- matching -----------------------------------------------------------------

fn rules_of(v: &[palisade_report::Finding]) -> Vec<(String, Option<String>)> {
    v.iter()
        .map(|f| (f.rule.clone(), f.location.path.clone()))
        .collect()
}

#[test]
fn matches_by_rule() {
    let file = parse("[[ignore]]\nrule = \"PAL-IMG-002\"\nreason = \"shells are fine here\"\n");
    let (kept, ignored) = file.apply(mixed(), TODAY);
    assert_eq!(kept.len(), 5);
    assert_eq!(ignored.len(), 2);
    assert!(ignored.iter().all(|i| i.finding.rule == "PAL-IMG-002"));
    assert!(
        ignored
            .iter()
            .all(|i| i.reason == "shells are fine here" && i.expires.is_none())
    );
    assert!(kept.iter().all(|f| f.rule != "PAL-IMG-002"));
}

#[test]
fn rule_ids_compare_case_insensitively_and_glob() {
    let file = parse("[[ignore]]\nrule = \"pal-img-00[12]\"\nreason = \"x\"\n");
    let (_, ignored) = file.apply(mixed(), TODAY);
    assert_eq!(ignored.len(), 3);
}

#[test]
fn star_rule_matches_everything() {
    let file = parse("[[ignore]]\nrule = \"*\"\nreason = \"accept all\"\n");
    let (kept, ignored) = file.apply(mixed(), TODAY);
    assert!(kept.is_empty());
    assert_eq!(ignored.len(), mixed().len());
}

#[test]
fn path_globs_match_inside_the_image() {
    let findings = vec![
        finding("PAL-IMG-005", Severity::High, Some("/app/tests/key.pem")),
        finding(
            "PAL-IMG-005",
            Severity::High,
            Some("/app/tests/deep/er/key.pem"),
        ),
        finding("PAL-IMG-005", Severity::High, Some("/app/src/key.pem")),
        finding("PAL-IMG-005", Severity::High, None),
        finding("PAL-IMG-006", Severity::High, Some("/app/tests/key.pem")),
    ];
    let file = parse(
        "[[ignore]]\nrule = \"PAL-IMG-005\"\npath = \"/app/tests/**\"\nreason = \"fixtures\"\n",
    );
    let (kept, ignored) = file.apply(findings.clone(), TODAY);
    assert_eq!(
        rules_of(
            &ignored
                .iter()
                .map(|i| i.finding.clone())
                .collect::<Vec<_>>()
        ),
        [
            (
                "PAL-IMG-005".to_string(),
                Some("/app/tests/key.pem".to_string())
            ),
            (
                "PAL-IMG-005".to_string(),
                Some("/app/tests/deep/er/key.pem".to_string())
            ),
        ]
    );
    assert_eq!(kept.len(), 3, "other paths, no path, other rule stay");

    // `*` stays within one segment; the leading slash is optional.
    let file = parse("[[ignore]]\nrule = \"*\"\npath = \"app/tests/*.pem\"\nreason = \"x\"\n");
    let (_, ignored) = file.apply(findings, TODAY);
    assert_eq!(ignored.len(), 2);
    assert!(
        ignored
            .iter()
            .all(|i| i.finding.location.path.as_deref() == Some("/app/tests/key.pem"))
    );
}

#[test]
fn input_globs_match_the_image_reference() {
    let mut other = finding("PAL-IMG-001", Severity::High, None);
    other.location.input = "registry.example.com/other/app:1.0".into();
    let mut docker = finding("PAL-IMG-001", Severity::High, None);
    docker.location.input = "docker://registry.example.com/team/db:2".into();
    let mut nested = finding("PAL-IMG-001", Severity::High, None);
    nested.location.input = "registry.example.com/team/sub/app:1.0".into();
    let findings = vec![
        finding("PAL-IMG-001", Severity::High, None),
        other,
        docker,
        nested,
    ];

    let file = parse(
        "[[ignore]]\nrule = \"*\"\ninput = \"registry.example.com/team/*\"\nreason = \"team images\"\n",
    );
    let (kept, ignored) = file.apply(findings, TODAY);
    let ignored_inputs: Vec<&str> = ignored
        .iter()
        .map(|i| i.finding.location.input.as_str())
        .collect();
    assert_eq!(
        ignored_inputs,
        [
            "registry.example.com/team/app:1.0",
            "docker://registry.example.com/team/db:2"
        ]
    );
    let kept_inputs: Vec<&str> = kept.iter().map(|f| f.location.input.as_str()).collect();
    assert_eq!(
        kept_inputs,
        [
            "registry.example.com/other/app:1.0",
            "registry.example.com/team/sub/app:1.0"
        ]
    );
}

#[test]
fn every_stated_field_must_match() {
    let file = parse(
        "[[ignore]]\nrule = \"PAL-IMG-002\"\npath = \"/usr/bin/a\"\ninput = \"elsewhere/*\"\nreason = \"x\"\n",
    );
    let (_, ignored) = file.apply(mixed(), TODAY);
    assert!(ignored.is_empty());
    let file = parse(
        "[[ignore]]\nrule = \"PAL-IMG-002\"\npath = \"/usr/bin/a\"\ninput = \"registry.example.com/**\"\nreason = \"x\"\n",
    );
    let (_, ignored) = file.apply(mixed(), TODAY);
    assert_eq!(ignored.len(), 1);
}

#[test]
fn dockerfile_inputs_match() {
    let file = parse(
        "[[ignore]]\nrule = \"PAL-DF-*\"\ninput = \"services/**/Dockerfile\"\nreason = \"x\"\n",
    );
    let (kept, ignored) = file.apply(
        vec![dockerfile_finding("PAL-DF-001", Severity::Low, 1, None)],
        TODAY,
    );
    assert!(kept.is_empty());
    assert_eq!(ignored.len(), 1);
}

#[test]
fn first_matching_entry_gives_the_reason() {
    let file = parse(
        "[[ignore]]\nrule = \"PAL-IMG-001\"\nreason = \"first\"\nexpires = \"2026-01-01\"\n\
         [[ignore]]\nrule = \"PAL-IMG-001\"\nreason = \"second\"\nexpires = \"2030-01-01\"\n\
         [[ignore]]\nrule = \"*\"\nreason = \"third\"\n",
    );
    let (_, ignored) = file.apply(vec![finding("PAL-IMG-001", Severity::High, None)], TODAY);
    // The first entry has expired, so the second applies.
    assert_eq!(ignored[0].reason, "second");
    assert_eq!(ignored[0].expires.as_deref(), Some("2030-01-01"));
}

// ---- expiry -------------------------------------------------------------------

#[test]
fn expired_entries_stop_applying_and_are_listed() {
    let file = parse(
        "[[ignore]]\nrule = \"PAL-IMG-002\"\nreason = \"until the rebuild\"\nexpires = \"2026-06-15\"\n\
         \n[[ignore]]\nrule = \"PAL-IMG-003\"\nreason = \"forever\"\n",
    );
    // On the expiry day the entry still applies.
    let (_, ignored) = file.apply(mixed(), (2026, 6, 15));
    assert_eq!(ignored.len(), 3);
    assert!(file.expired((2026, 6, 15)).is_empty());

    // The next day it does not, and `expired` says so.
    let (kept, ignored) = file.apply(mixed(), (2026, 6, 16));
    assert_eq!(ignored.len(), 1);
    assert_eq!(ignored[0].finding.rule, "PAL-IMG-003");
    assert_eq!(kept.iter().filter(|f| f.rule == "PAL-IMG-002").count(), 2);
    let expired = file.expired((2026, 6, 16));
    assert_eq!(expired.len(), 1);
    assert_eq!(
        expired[0],
        "ignore.toml:1: ignore entry for rule \"PAL-IMG-002\" expired on 2026-06-15 and no longer applies (reason: \"until the rebuild\")"
    );
    // Across a year boundary too.
    assert_eq!(file.expired((2027, 1, 1)).len(), 1);
    assert!(file.expired((2025, 12, 31)).is_empty());
}

// ---- dates --------------------------------------------------------------------

#[test]
fn civil_from_days_known_dates() {
    let known = [
        (0, (1970, 1, 1)),
        (-1, (1969, 12, 31)),
        (31, (1970, 2, 1)),
        (59, (1970, 3, 1)),
        (10_957, (2000, 1, 1)),
        (11_016, (2000, 2, 29)),
        (11_017, (2000, 3, 1)),
        (19_417, (2023, 3, 1)),
        (19_782, (2024, 2, 29)),
        (20_454, (2026, 1, 1)),
        (20_818, (2026, 12, 31)),
        (24_855, (2038, 1, 19)),
        (-719_162, (1, 1, 1)),
        (47_541, (2100, 3, 1)),
        (-719_468, (0, 3, 1)),
    ];
    for (days, date) in known {
        assert_eq!(civil_from_days(days), date, "{days}");
        assert_eq!(days_from_civil(date.0, date.1, date.2), days, "{date:?}");
    }
}

#[test]
fn civil_round_trip_over_centuries() {
    let mut prev = civil_from_days(-200_000);
    for days in -199_999..200_000 {
        let d = civil_from_days(days);
        assert_eq!(days_from_civil(d.0, d.1, d.2), days);
        assert!(d > prev, "{d:?} after {prev:?}");
        prev = d;
    }
}

#[test]
fn today_utc_is_sane() {
    let (y, m, d) = today_utc();
    assert!(y >= 2026, "{y}");
    assert!((1..=12).contains(&m));
    assert!((1..=31).contains(&d));
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let days = days_from_civil(y, m, d);
    // Allow for a midnight between the two clock reads.
    assert!((secs / 86_400 - days).abs() <= 1);
}

// ---- vulnerabilities: aliases, package, purl ---------------------------------

fn vuln(id: &str, aliases: &[&str], package: &str, purl: &str) -> palisade_report::Finding {
    let mut f = finding(id, Severity::High, Some("/usr/lib/python3/dist-packages"));
    f.vulnerability = Some(Box::new(palisade_model::Vulnerability {
        id: id.into(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        advisories: aliases.iter().map(|s| s.to_string()).collect(),
        data_source: "OSV".into(),
        package: package.into(),
        installed_version: "2.19.1".into(),
        ecosystem: "PyPI".into(),
        purl: purl.into(),
        ..Default::default()
    }));
    f
}

#[test]
fn a_vulnerability_is_ignored_by_any_of_its_ids() {
    let cve = || {
        vuln(
            "CVE-2018-18074",
            &["GHSA-x84v-xcm2-53pg", "PYSEC-2018-32"],
            "requests",
            "pkg:pypi/requests@2.19.1",
        )
    };
    let by_ghsa = parse("[[ignore]]\nrule = \"GHSA-x84v-xcm2-53pg\"\nreason = \"r\"\n");
    let (kept, ignored) = by_ghsa.apply(vec![cve()], TODAY);
    assert!(kept.is_empty());
    assert_eq!(ignored[0].reason, "r");
    // The other way round: a finding reported under its GHSA id, ignored by the CVE.
    let ghsa = vuln(
        "GHSA-x84v-xcm2-53pg",
        &["CVE-2018-18074"],
        "requests",
        "pkg:pypi/requests@2.19.1",
    );
    let by_cve = parse("[[ignore]]\nrule = \"cve-2018-18074\"\nreason = \"r\"\n");
    assert_eq!(by_cve.apply(vec![ghsa], TODAY).1.len(), 1);
    // An unrelated id does not.
    let other = parse("[[ignore]]\nrule = \"GHSA-0000-0000-0000\"\nreason = \"r\"\n");
    assert_eq!(other.apply(vec![cve()], TODAY).0.len(), 1);
}

#[test]
fn package_and_purl_globs_match_only_vulnerabilities() {
    let f = || vuln("CVE-1", &[], "Requests", "pkg:pypi/requests@2.19.1");
    let by_package = parse("[[ignore]]\nrule = \"*\"\npackage = \"requests\"\nreason = \"r\"\n");
    assert_eq!(by_package.apply(vec![f()], TODAY).1.len(), 1);
    let by_purl =
        parse("[[ignore]]\nrule = \"*\"\npurl = \"pkg:pypi/requests@2.*\"\nreason = \"r\"\n");
    assert_eq!(by_purl.apply(vec![f()], TODAY).1.len(), 1);
    let other_version =
        parse("[[ignore]]\nrule = \"*\"\npurl = \"pkg:pypi/requests@3.*\"\nreason = \"r\"\n");
    assert_eq!(other_version.apply(vec![f()], TODAY).0.len(), 1);
    // A non-vulnerability finding never matches a package entry.
    let audit = finding("PAL-IMG-001", Severity::High, Some("/bin/sh"));
    assert_eq!(by_package.apply(vec![audit], TODAY).0.len(), 1);
    // Expiry applies as for every entry.
    let expired = parse(
        "[[ignore]]\nrule = \"*\"\npackage = \"requests\"\nreason = \"r\"\nexpires = 2026-06-14\n",
    );
    assert_eq!(expired.apply(vec![f()], TODAY).0.len(), 1);
}
