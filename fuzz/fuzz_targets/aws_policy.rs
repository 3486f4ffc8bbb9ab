#![no_main]
//! IAM / ECR / endpoint policies: parse as every kind, then evaluate a
//! request and run every check on whatever parsed. Never panic.
use libfuzzer_sys::fuzz_target;
use palisade_aws::check::{self, CheckOptions};
use palisade_aws::{PolicyKind, Request, evaluate, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut request = Request::new(
        "arn:aws:sts::111122223333:assumed-role/dev/s",
        "ecr:PutImage",
        "arn:aws:ecr:us-west-2:111122223333:repository/team-a/app",
    );
    request.set("aws:PrincipalTag/team", vec!["team-a".into()]);
    request.set("aws:TagKeys", vec!["a".into(), "b".into()]);
    request.set("aws:SourceIp", vec!["203.0.113.9".into()]);
    request.set("aws:CurrentTime", vec!["2026-01-01T00:00:00Z".into()]);
    let options = CheckOptions { namespace: Some("team-a".into()) };
    let mut parsed = Vec::new();
    for kind in [PolicyKind::Identity, PolicyKind::Repository, PolicyKind::Registry, PolicyKind::Endpoint] {
        match parse(text, kind, "fuzz") {
            Ok(p) => {
                let _ = check::run(&p, &options);
                parsed.push(p);
            }
            Err(e) => {
                assert!(e.pos.line >= 1 && e.pos.column >= 1);
                let _ = check::invalid(&e);
            }
        }
    }
    let _ = evaluate(&parsed, &request);
});
