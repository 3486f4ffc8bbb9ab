//! Runs tests/cases/lifecycle.json: previews built from the ECR
//! documentation's lifecycle examples and evaluation rules, and the
//! validation rules of the lifecycle policy parameters page.

mod common;

use palisade_aws::lifecycle::{self, Image};
use serde_json::Value;
use std::collections::BTreeMap;

const NOW: i64 = 1_800_000_000;

fn table() -> Value {
    common::json("cases/lifecycle.json")
}

#[test]
fn lifecycle_previews() {
    let t = table();
    let mut failures = Vec::new();
    let cases = t["preview"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let policy = lifecycle::parse(&case["policy"].to_string(), name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let images: Vec<Image> = case["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| Image {
                digest: format!("sha256:{}", i["name"].as_str().unwrap()),
                tags: i["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect(),
                pushed_at: NOW - i["pushedDaysAgo"].as_i64().unwrap() * 86_400,
                last_pulled_at: None,
                storage_class: "standard".into(),
            })
            .collect();
        let got: BTreeMap<String, u64> = lifecycle::preview(&policy, &images, NOW)
            .into_iter()
            .map(|o| {
                (
                    o.image.digest.trim_start_matches("sha256:").to_string(),
                    o.rule_priority,
                )
            })
            .collect();
        let want: BTreeMap<String, u64> = case["expired"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        if got != want {
            failures.push(format!("{name}: want {want:?}, got {got:?}"));
        }
    }
    assert!(
        cases.len() >= 20,
        "at least 20 lifecycle cases, have {}",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lifecycle_validation() {
    let t = table();
    for case in t["invalid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let text = serde_json::to_string_pretty(&case["policy"]).unwrap();
        let err = lifecycle::parse(&text, name).expect_err(name);
        let want = case["error"].as_str().unwrap();
        assert!(
            err.message.contains(want),
            "{name}: error {err} does not say {want:?}"
        );
        assert!(err.pos.line >= 1);
    }
    for case in t["valid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        lifecycle::parse(&case["policy"].to_string(), name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn describe_images_output() {
    let text = r#"{"imageDetails": [
      {"registryId": "111122223333", "repositoryName": "app", "imageDigest": "sha256:aa",
       "imageTags": ["v1"], "imageSizeInBytes": 10, "imagePushedAt": "2026-01-01T00:00:00+00:00"},
      {"registryId": "111122223333", "repositoryName": "app", "imageDigest": "sha256:bb",
       "imagePushedAt": 1767225600.5, "lastRecordedPullTime": "2026-02-01T00:00:00Z"}]}"#;
    let images = lifecycle::describe_images::parse(text).unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(images[0].pushed_at, 1_767_225_600);
    assert_eq!(images[1].pushed_at, 1_767_225_600);
    assert!(images[1].tags.is_empty());
    assert!(images[1].last_pulled_at.is_some());
    assert!(lifecycle::describe_images::parse("{\"images\": []}").is_err());
}
