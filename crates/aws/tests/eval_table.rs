//! Runs the evaluation table in tests/cases/eval.json: every case's
//! expected decision was written from the AWS documentation section cited
//! by its group. All failures are reported together.

use palisade_aws::{Decision, Policy, PolicyKind, Request, evaluate, parse};
use serde_json::Value;

fn kind(name: &str) -> PolicyKind {
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

fn decision(s: &str) -> Decision {
    match s {
        "Allow" => Decision::Allow,
        "ExplicitDeny" => Decision::ExplicitDeny,
        "ImplicitDeny" => Decision::ImplicitDeny,
        other => panic!("unknown decision {other}"),
    }
}

#[test]
fn evaluation_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/eval.json");
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut total = 0;
    for group in table["groups"].as_array().unwrap() {
        let title = group["title"].as_str().unwrap();
        assert!(
            group["doc"]
                .as_str()
                .unwrap()
                .starts_with("https://docs.aws.amazon.com/"),
            "{title}: cite the AWS docs"
        );
        let mut policies: Vec<Policy> = Vec::new();
        for (layer, list) in group["policies"].as_object().unwrap() {
            // "scp" lists the levels of the organisation tree, each a list of policies.
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
                let mut policy =
                    parse(&text, kind(layer), &source).unwrap_or_else(|e| panic!("{e}"));
                policy.level = level;
                policies.push(policy);
            }
        }
        for (i, case) in group["cases"].as_array().unwrap().iter().enumerate() {
            total += 1;
            let principal = case["principal"]
                .as_str()
                .or(group["principal"].as_str())
                .unwrap();
            let action = case["action"].as_str().unwrap();
            let resource = case["resource"].as_str().unwrap();
            let mut request = Request::new(principal, action, resource);
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
            let want = decision(case["expect"].as_str().unwrap());
            let got = evaluate(&policies, &request);
            if got.decision != want {
                failures.push(format!(
                    "[{title}] case {i} {}: {principal} {action} {resource}: want {want:?}, got {:?} ({})",
                    case["name"].as_str().unwrap_or(""),
                    got.decision,
                    got.reason
                ));
            }
        }
    }
    assert!(
        total >= 150,
        "the table must hold at least 150 cases, has {total}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{total} evaluation cases passed");
}
