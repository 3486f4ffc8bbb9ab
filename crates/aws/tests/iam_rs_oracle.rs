//! Differential test: the evaluation table's cases where iam-rs (crates.io,
//! an independent IAM evaluator) has the same semantics as palisade — groups
//! with identity policies only, resources that are ARNs — evaluated by
//! both. Every disagreement must be one reviewed in
//! tests/cases/iam_rs_disagreements.json, which says whose reading of the
//! AWS documentation is right; a new disagreement, or a reviewed one that
//! no longer happens, fails the test.

mod common;

use iam_rs::{
    Arn, Context, ContextValue, IAMPolicy, IAMRequest, PolicyEvaluator, Principal, PrincipalId,
};
use palisade_aws::{Decision, Policy, evaluate};
use serde_json::Value;
use std::collections::BTreeMap;

/// iam-rs's decision in palisade's words, or why it could not decide.
fn oracle(policies: &[Value], group: &Value, case: &Value) -> Result<Decision, String> {
    let parsed: Vec<IAMPolicy> = policies
        .iter()
        .map(|p| {
            IAMPolicy::from_json(&p.to_string())
                .map_err(|e| format!("iam-rs cannot parse the policy: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let principal = case["principal"]
        .as_str()
        .or(group["principal"].as_str())
        .unwrap();
    let resource = Arn::parse(case["resource"].as_str().unwrap())
        .map_err(|e| format!("iam-rs cannot parse the resource: {e:?}"))?;
    // The context palisade's Request holds: the case's keys as written, and
    // the keys palisade derives from the principal and resource, under
    // their documented names.
    let request = common::case_request(group, case);
    let mut context = Context::new();
    for key in [
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:username",
        "aws:ResourceAccount",
    ] {
        if let Some(v) = request.context_values(key) {
            context.insert(key.to_string(), ContextValue::String(v[0].clone()));
        }
    }
    if let Some(ctx) = case["context"].as_object() {
        for (k, v) in ctx {
            let values: Vec<String> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            // Typed as iam-rs expects (AWS's request context is untyped text).
            let value = match values.as_slice() {
                [b] if b == "true" || b == "false" => ContextValue::Boolean(b == "true"),
                [one] => ContextValue::String(one.clone()),
                _ => ContextValue::StringList(values),
            };
            context.insert(k.clone(), value);
        }
    }
    let req = IAMRequest::new_with_context(
        Principal::Aws(PrincipalId::String(principal.to_string())),
        case["action"].as_str().unwrap(),
        resource,
        context,
    );
    let result = PolicyEvaluator::with_policies(parsed)
        .evaluate(&req)
        .map_err(|e| format!("iam-rs error: {e}"))?;
    Ok(match result.decision {
        iam_rs::Decision::Allow => Decision::Allow,
        iam_rs::Decision::Deny => Decision::ExplicitDeny,
        iam_rs::Decision::NotApplicable => Decision::ImplicitDeny,
    })
}

#[test]
fn iam_rs_agrees_where_semantics_overlap() {
    let table = common::json("cases/eval.json");
    let reviewed = common::json("cases/iam_rs_disagreements.json");
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for d in reviewed["disagreements"].as_array().unwrap() {
        expected.insert(
            d["case"].as_str().unwrap().to_string(),
            d["iamRs"].as_str().unwrap().to_string(),
        );
        assert!(
            d["right"]
                .as_str()
                .is_some_and(|r| r == "palisade" || r == "iam-rs"),
            "{d}: say who is right"
        );
        assert!(
            d["why"].as_str().is_some_and(|w| !w.is_empty()),
            "{d}: say why"
        );
    }
    let (mut compared, mut agreed, mut skipped, mut errors) = (0, 0, 0, 0);
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for group in table["groups"].as_array().unwrap() {
        let layers = group["policies"].as_object().unwrap();
        if layers.keys().any(|k| k != "identity") {
            continue; // resource, endpoint, SCP and boundary layers: iam-rs has one flat policy set
        }
        let title = group["title"].as_str().unwrap();
        let policies: Vec<Value> = layers["identity"].as_array().unwrap().clone();
        let ours: Vec<Policy> = common::group_policies(group)
            .into_iter()
            .map(|(_, _, p)| p)
            .collect();
        for (i, case) in group["cases"].as_array().unwrap().iter().enumerate() {
            let id = format!("{title} #{i}");
            let theirs = match oracle(&policies, group, case) {
                Ok(d) => d,
                Err(why) if why.contains("cannot parse the resource") => {
                    skipped += 1; // `*` for GetAuthorizationToken: not an ARN to iam-rs
                    continue;
                }
                Err(why) => {
                    errors += 1;
                    found.insert(id, why);
                    continue;
                }
            };
            compared += 1;
            let mine = evaluate(&ours, &common::case_request(group, case)).decision;
            assert_eq!(
                mine.as_str(),
                case["expect"].as_str().unwrap(),
                "{id}: palisade disagrees with the table"
            );
            if mine == theirs {
                agreed += 1;
            } else {
                found.insert(id, theirs.as_str().to_string());
            }
        }
    }
    eprintln!(
        "iam-rs oracle: {compared} cases decided by both, {agreed} agree; iam-rs cannot evaluate {errors}; {skipped} not comparable (resource `*`)"
    );
    let unexpected: Vec<String> = found
        .iter()
        .filter(|(k, v)| expected.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}: iam-rs says {v}"))
        .collect();
    let gone: Vec<&String> = expected
        .keys()
        .filter(|k| !found.contains_key(*k))
        .collect();
    assert!(
        unexpected.is_empty() && gone.is_empty(),
        "unreviewed disagreements:\n{}\nreviewed but no longer seen: {gone:?}",
        unexpected.join("\n")
    );
    assert!(compared >= 100, "only {compared} cases compared");
}
