//! The SARIF renderer: SARIF 2.1.0 structure, field by field.
//!
//! The schema itself is not vendored. `schema_valid_when_available` checks
//! the output against it when `PALISADE_SARIF_SCHEMA` names a copy of
//! `sarif-schema-2.1.0.json` and python3 has `jsonschema`; otherwise it says
//! that it skipped.

mod common;

use common::*;
use palisade_report::{Format, Ignored, Severity, TOOL_VERSION, render};
use serde_json::Value;

fn sample() -> (Vec<palisade_report::Finding>, Vec<Ignored>) {
    let mut findings = mixed();
    findings.push(finding(
        "PAL-IMG-010",
        Severity::High,
        Some("/usr/share/a b#c"),
    ));
    let ignored = vec![Ignored {
        finding: finding("PAL-IMG-005", Severity::High, Some("/app/tests/key.pem")),
        reason: "fixture key for tests".into(),
        expires: Some("2027-01-31".into()),
    }];
    (findings, ignored)
}

fn sarif_image() -> (String, Value) {
    let (findings, ignored) = sample();
    let text = render(Format::Sarif, &image_target(), &findings, &ignored, &docs());
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

#[test]
fn log_header_and_driver() {
    let (text, v) = sarif_image();
    assert!(
        text.starts_with("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\"")
    );
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "palisade");
    assert_eq!(driver["version"], TOOL_VERSION);
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(runs[0]["properties"]["target"]["input"], IMAGE);
}

#[test]
fn rules_are_those_used_sorted_with_docs() {
    let (_, v) = sarif_image();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // Kept and ignored rules, once each, sorted; the unused doc is absent.
    assert_eq!(
        ids,
        [
            "PAL-IMG-001",
            "PAL-IMG-002",
            "PAL-IMG-003",
            "PAL-IMG-005",
            "PAL-IMG-007",
            "PAL-IMG-008",
            "PAL-IMG-009",
            "PAL-IMG-010"
        ]
    );

    let r = &rules[0];
    assert_eq!(r["name"], "SetuidRootBinary");
    assert_eq!(r["shortDescription"]["text"], "Setuid root binary");
    assert_eq!(
        r["fullDescription"]["text"],
        "A setuid root binary lets any user become root if it has a bug."
    );
    assert_eq!(r["help"]["text"], "Remove the setuid bit: chmod u-s FILE.");
    assert_eq!(
        r["helpUri"],
        "https://docs.docker.com/develop/security-best-practices/"
    );
    assert_eq!(r["defaultConfiguration"]["level"], "error");
    assert_eq!(
        r["properties"]["tags"],
        serde_json::json!(["security", "CIS-DI-0008", "CIS 4.8"])
    );
    assert_eq!(r["properties"]["security-severity"], "9.5");

    // A rule without a RuleDoc is described from its finding.
    let r = &rules[4];
    assert_eq!(r["id"], "PAL-IMG-007");
    assert_eq!(r["shortDescription"]["text"], "title of PAL-IMG-007");
    assert_eq!(r["defaultConfiguration"]["level"], "warning");
    assert_eq!(r["properties"]["security-severity"], "5.5");
    assert_eq!(r["properties"]["tags"], serde_json::json!(["security"]));
}

#[test]
fn levels_and_security_severities() {
    let cases = [
        (Severity::Critical, "error", "9.5"),
        (Severity::High, "error", "8.0"),
        (Severity::Medium, "warning", "5.5"),
        (Severity::Low, "note", "2.0"),
        (Severity::Info, "note", "0.0"),
        (Severity::Unknown, "note", "0.0"),
    ];
    for (sev, level, score) in cases {
        let f = finding("PAL-X", sev, Some("/x"));
        let text = render(Format::Sarif, &image_target(), &[f], &[], &[]);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["runs"][0]["results"][0]["level"], level, "{sev}");
        let rule = &v["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["properties"]["security-severity"], score, "{sev}");
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{sev}");
    }
}

#[test]
fn results_sorted_with_rule_index_locations_and_properties() {
    let (_, v) = sarif_image();
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 9);

    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at the rule"
        );
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        assert_eq!(r["locations"].as_array().unwrap().len(), 1);
        assert_eq!(r["properties"]["image"], IMAGE);
    }

    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        [
            "error", "error", "error", "error", "warning", "note", "note", "note", "error"
        ]
    );

    let first = &results[0];
    assert_eq!(first["ruleId"], "PAL-IMG-001");
    assert_eq!(first["message"]["text"], "message of PAL-IMG-001");
    let phys = &first["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], "usr/bin/su");
    assert!(phys.get("region").is_none());
    assert_eq!(first["properties"]["path"], "/usr/bin/su");
    assert_eq!(first["properties"]["severity"], "CRITICAL");
    assert!(
        first["properties"]["layer"]
            .as_str()
            .unwrap()
            .starts_with("sha256:0123")
    );
    assert!(first.get("suppressions").is_none());

    // Paths are percent-encoded.
    let encoded = results
        .iter()
        .find(|r| r["ruleId"] == "PAL-IMG-010")
        .unwrap();
    assert_eq!(
        encoded["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "usr/share/a%20b%23c"
    );

    // A finding about the image itself points at the image.
    let meta = results
        .iter()
        .find(|r| r["ruleId"] == "PAL-IMG-007")
        .unwrap();
    assert_eq!(
        meta["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "registry.example.com/team/app:1.0"
    );
}

#[test]
fn ignored_findings_carry_suppressions() {
    let (_, v) = sarif_image();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let last = results.last().unwrap();
    assert_eq!(last["ruleId"], "PAL-IMG-005");
    assert_eq!(
        last["suppressions"],
        serde_json::json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "fixture key for tests",
            "properties": {"expires": "2027-01-31"}
        }])
    );
    let suppressed = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .count();
    assert_eq!(suppressed, 1);
}

#[test]
fn dockerfile_results_have_regions() {
    let findings = vec![
        dockerfile_finding("PAL-DF-001", Severity::Medium, 3, Some(5)),
        dockerfile_finding("PAL-DF-002", Severity::Low, 7, None),
        dockerfile_finding("PAL-DF-003", Severity::Low, 0, Some(2)),
    ];
    let text = render(Format::Sarif, &dockerfile_target(), &findings, &[], &[]);
    let v: Value = serde_json::from_str(&text).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let loc = |i: usize| &results[i]["locations"][0]["physicalLocation"];
    assert_eq!(loc(0)["artifactLocation"]["uri"], "services/api/Dockerfile");
    assert_eq!(
        loc(0)["region"],
        serde_json::json!({"startLine": 3, "startColumn": 5})
    );
    assert_eq!(loc(1)["region"], serde_json::json!({"startLine": 7}));
    // Line 0 is not a SARIF line: no region rather than an invalid one.
    assert!(loc(2).get("region").is_none());
    assert!(results[0]["properties"].get("image").is_none());
    // The finding's fix becomes the rule's help when there is no RuleDoc.
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][0]["help"]["text"],
        "do the right thing"
    );
}

#[test]
fn empty_run() {
    let text = render(Format::Sarif, &image_target(), &[], &[], &docs());
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"],
        serde_json::json!([])
    );
}

#[test]
fn schema_valid_when_available() {
    let Some(schema) = std::env::var_os("PALISADE_SARIF_SCHEMA") else {
        eprintln!(
            "skipped: set PALISADE_SARIF_SCHEMA to a copy of sarif-schema-2.1.0.json to validate"
        );
        return;
    };
    let (text, _) = sarif_image();
    let dir = std::env::temp_dir().join(format!("palisade-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = dir.join("out.sarif");
    std::fs::write(&doc, &text).unwrap();
    let script = "import json,sys,jsonschema\n\
                  s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2]))\n\
                  errs=list(jsonschema.Draft4Validator(s).iter_errors(d))\n\
                  [print(e.json_path, e.message) for e in errs]\n\
                  sys.exit(1 if errs else 0)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(&doc)
        .output()
        .expect("python3 with jsonschema");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "SARIF output is not schema-valid:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
