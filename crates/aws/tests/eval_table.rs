//! Runs the evaluation table in tests/cases/eval.json: every case's
//! expected decision was written from the AWS documentation section cited
//! by its group. All failures are reported together.

mod common;

use palisade_aws::{Decision, Policy, evaluate};

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
    let table = common::json("cases/eval.json");
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
        let policies: Vec<Policy> = common::group_policies(group)
            .into_iter()
            .map(|(_, _, p)| p)
            .collect();
        for (i, case) in group["cases"].as_array().unwrap().iter().enumerate() {
            total += 1;
            let request = common::case_request(group, case);
            let want = decision(case["expect"].as_str().unwrap());
            let got = evaluate(&policies, &request);
            if got.decision != want {
                failures.push(format!(
                    "[{title}] case {i} {}: {} {} {}: want {want:?}, got {:?} ({})",
                    case["name"].as_str().unwrap_or(""),
                    request.principal,
                    request.action,
                    request.resource,
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
