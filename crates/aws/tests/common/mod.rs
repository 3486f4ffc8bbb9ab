//! Shared set-up of the palisade-aws tests: fixture files, the evaluation
//! table (tests/cases/eval.json) turned into policies and requests.

#![allow(dead_code)]

use palisade_aws::{Policy, PolicyKind, Request, parse};
use serde_json::Value;

/// A path under crates/aws/tests/.
pub fn path(rel: &str) -> String {
    format!("{}/tests/{rel}", env!("CARGO_MANIFEST_DIR"))
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A JSON file under tests/.
pub fn json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file of the fixture directories, as text.
pub fn fixtures() -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["policies", "lifecycle", "ecr", "history"] {
        for e in std::fs::read_dir(path(sub)).unwrap() {
            out.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
    }
    out
}

/// The layer names of eval.json.
pub fn kind(name: &str) -> PolicyKind {
    match name {
        "identity" => PolicyKind::Identity,
        "repository" => PolicyKind::Repository,
        "registry" => PolicyKind::Registry,
        "endpoint" => PolicyKind::Endpoint,
        "scp" => PolicyKind::Scp,
        "boundary" => PolicyKind::Boundary,
        other => panic!("unknown policy layer {other} in eval.json"),
    }
}

/// The policies of one eval.json group, with each one's layer name and JSON.
/// "scp" lists the levels of the organisation tree, each a list of policies.
pub fn group_policies(group: &Value) -> Vec<(String, Value, Policy)> {
    let title = group["title"].as_str().unwrap();
    let mut out = Vec::new();
    for (layer, list) in group["policies"].as_object().unwrap() {
        let levels: Vec<(u32, &Value)> = if layer == "scp" {
            let levels = list.as_array().unwrap().iter().enumerate();
            levels
                .flat_map(|(l, ps)| ps.as_array().unwrap().iter().map(move |p| (l as u32, p)))
                .collect()
        } else {
            list.as_array().unwrap().iter().map(|p| (0, p)).collect()
        };
        for (i, (level, p)) in levels.into_iter().enumerate() {
            let text = serde_json::to_string_pretty(p).unwrap();
            let source = format!("{title}/{layer}[{i}]");
            let mut policy = parse(&text, kind(layer), &source).unwrap_or_else(|e| panic!("{e}"));
            policy.level = level;
            out.push((layer.clone(), p.clone(), policy));
        }
    }
    out
}

/// One case of a group as a request.
pub fn case_request(group: &Value, case: &Value) -> Request {
    let principal = case["principal"]
        .as_str()
        .or(group["principal"].as_str())
        .unwrap();
    let mut request = Request::new(
        principal,
        case["action"].as_str().unwrap(),
        case["resource"].as_str().unwrap(),
    );
    if let Some(ctx) = case["context"].as_object() {
        for (k, v) in ctx {
            let values = v
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            request.set(k, values);
        }
    }
    request
}
