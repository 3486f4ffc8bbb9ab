//! The JSON renderer: shape, order, summary, empty reports.

mod common;

use common::*;
use palisade_report::{Format, Ignored, Severity, TOOL_VERSION, render};
use serde_json::Value;

fn json(findings: &[palisade_report::Finding], ignored: &[Ignored]) -> (String, Value) {
    let text = render(Format::Json, &image_target(), findings, ignored, &docs());
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

#[test]
fn shape_and_key_order() {
    let ignored = vec![Ignored {
        finding: finding("PAL-IMG-005", Severity::High, Some("/app/tests/key.pem")),
        reason: "fixture key".into(),
        expires: Some("2027-01-31".into()),
    }];
    let (text, v) = json(&mixed(), &ignored);
    assert!(text.ends_with("}\n"));

    let obj = v.as_object().unwrap();
    // Keys are written in a fixed order (serde_json's Map would sort them,
    // so check the text).
    let pos = |k: &str| {
        text.find(&format!("\n  \"{k}\":"))
            .unwrap_or_else(|| panic!("{k}"))
    };
    assert!(pos("tool") < pos("target"));
    assert!(pos("target") < pos("findings"));
    assert!(pos("findings") < pos("ignored"));
    assert!(pos("ignored") < pos("summary"));
    assert!(pos("summary") < pos("informational"));
    assert_eq!(obj.len(), 6);
    assert_eq!(v["informational"], serde_json::json!({}));

    assert_eq!(v["tool"]["name"], "palisade");
    assert_eq!(v["tool"]["version"], TOOL_VERSION);

    assert_eq!(v["target"]["input"], IMAGE);
    assert_eq!(v["target"]["kind"], "image");
    assert!(
        v["target"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(v["target"]["summary"]["Efficiency"], "97.01 %");
    assert!(text.find("\"Efficiency\"").unwrap() < text.find("\"Wasted\"").unwrap());

    let sevs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(
        sevs,
        [
            "CRITICAL", "HIGH", "HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"
        ]
    );
    let paths: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["location"]["path"])
        .collect();
    assert_eq!(paths[1], "/usr/bin/a");
    assert_eq!(paths[2], "/usr/bin/b");
    assert_eq!(v["findings"][0]["rule"], "PAL-IMG-001");
    assert_eq!(v["findings"][0]["location"]["input"], IMAGE);

    assert_eq!(v["ignored"][0]["finding"]["rule"], "PAL-IMG-005");
    assert_eq!(v["ignored"][0]["reason"], "fixture key");
    assert_eq!(v["ignored"][0]["expires"], "2027-01-31");

    let summary = v["summary"].as_object().unwrap();
    assert_eq!(summary.len(), 6);
    assert_eq!(v["summary"]["CRITICAL"], 1);
    assert_eq!(v["summary"]["HIGH"], 2);
    assert_eq!(v["summary"]["UNKNOWN"], 1);
    let order: Vec<usize> = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"]
        .iter()
        .map(|k| text.find(&format!("\"{k}\": ")).unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "summary keys out of order"
    );
}

#[test]
fn empty_report() {
    let (_, v) = json(&[], &[]);
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["ignored"], serde_json::json!([]));
    for k in ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"] {
        assert_eq!(v["summary"][k], 0, "{k}");
    }
}

#[test]
fn null_digest_and_no_expiry() {
    let target = dockerfile_target();
    let ignored = vec![Ignored {
        finding: dockerfile_finding("PAL-DF-001", Severity::Low, 1, None),
        reason: "r".into(),
        expires: None,
    }];
    let text = render(Format::Json, &target, &[], &ignored, &[]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["target"]["digest"], Value::Null);
    assert_eq!(v["target"]["summary"], serde_json::json!({}));
    assert_eq!(v["ignored"][0]["expires"], Value::Null);
    assert_eq!(v["ignored"][0]["finding"]["location"]["line"], 1);
}

#[test]
fn control_characters_survive_as_json_escapes() {
    let mut f = finding("PAL-IMG-001", Severity::High, Some("/evil\n\u{1b}"));
    f.message = "a\u{0}b".into();
    let (text, v) = json(&[f], &[]);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
    assert_eq!(v["findings"][0]["location"]["path"], "/evil\n\u{1b}");
    assert_eq!(v["findings"][0]["message"], "a\u{0}b");
}

#[test]
fn repeated_summary_key_keeps_first() {
    let mut target = image_target();
    target.summary = vec![("K".into(), "1".into()), ("K".into(), "2".into())];
    let text = render(Format::Json, &target, &[], &[], &[]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["target"]["summary"], serde_json::json!({"K": "1"}));
}
