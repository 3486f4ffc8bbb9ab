//! Hostile inputs without a fuzzer: every truncation and a sweep of byte
//! flips of the fixtures (policies, lifecycle policies, saved `aws ecr`
//! outputs, tag histories) through every parser, the evaluator and the ECR
//! audit. No panic; every error has a 1-based position; a history that
//! parses holds only well-formed digests. (cargo-fuzz targets aws_policy,
//! aws_lifecycle and aws_ecr_inputs go further.)

mod common;

use common::fixtures;
use palisade_aws::check::{self, CheckOptions};
use palisade_aws::ecr::{self, Inputs};
use palisade_aws::lifecycle::{self, history};
use palisade_aws::{PolicyKind, Request, evaluate, parse};

fn exercise(text: &str) {
    let request = Request::new(
        "arn:aws:iam::111122223333:user/alice",
        "ecr:PutImage",
        "arn:aws:ecr:us-west-2:111122223333:repository/team-a/app",
    );
    let mut parsed = Vec::new();
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Repository,
        PolicyKind::Registry,
        PolicyKind::Endpoint,
    ] {
        match parse(text, kind, "t") {
            Ok(p) => {
                check::run(
                    &p,
                    &CheckOptions {
                        namespace: Some("team-a".into()),
                    },
                );
                parsed.push(p);
            }
            Err(e) => assert!(e.pos.line >= 1 && e.pos.column >= 1, "{e}"),
        }
    }
    evaluate(&parsed, &request);
    if let Err(e) = lifecycle::parse(text, "t") {
        assert!(e.pos.line >= 1 && e.pos.column >= 1, "{e}");
    }
    let _ = lifecycle::describe_images::parse(text);
    let mut inputs = Inputs::default();
    if inputs.add("t", text).is_ok() {
        ecr::audit(&inputs, &CheckOptions::default());
    }
    if let Ok(h) = history::parse(text, "127.0.0.1:5000/app") {
        assert!(h.images.iter().all(|r| history::is_digest(&r.digest)));
    }
}

#[test]
fn truncations_and_byte_flips() {
    for text in fixtures() {
        for (i, _) in text.char_indices() {
            exercise(&text[..i]);
        }
        let bytes = text.as_bytes();
        for i in (0..bytes.len()).step_by(13) {
            for b in [b'"', b'{', b'[', b'\\', b'*', b'$', b'0', b' '] {
                let mut m = bytes.to_vec();
                m[i] = b;
                if let Ok(s) = std::str::from_utf8(&m) {
                    exercise(s);
                }
            }
        }
    }
}

#[test]
fn nesting_and_size_limits() {
    let deep = format!("{{\"Statement\":{}{}}}", "[".repeat(5000), "]".repeat(5000));
    let e = parse(&deep, PolicyKind::Identity, "deep").unwrap_err();
    assert!(
        e.message.contains("invalid JSON") || e.message.contains("nested"),
        "{e}"
    );
    let big = format!("{{\"Statement\":[],\"Id\":\"{}\"}}", "a".repeat(2 << 20));
    let e = parse(&big, PolicyKind::Identity, "big").unwrap_err();
    assert!(e.message.contains("bytes"), "{e}");
    // A pathological wildcard stays fast (the matcher is not exponential).
    let policy = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":{{\"Effect\":\"Allow\",\"Action\":\"ecr:{}\",\"Resource\":\"*\"}}}}",
        "*a".repeat(200)
    );
    let p = parse(&policy, PolicyKind::Identity, "glob").unwrap();
    let action = format!("ecr:{}", "a".repeat(5000));
    let start = std::time::Instant::now();
    evaluate(
        &[p],
        &Request::new("arn:aws:iam::111122223333:role/r", &action, "*"),
    );
    assert!(start.elapsed().as_secs() < 5);
}
