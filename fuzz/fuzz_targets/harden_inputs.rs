#![no_main]
//! What `palisade harden` parses from a hostile image: the config (rewritten
//! with a new diff-id, history step, label and user: a result must be JSON
//! that parses again), the entrypoint/cmd/healthcheck, a script's `#!`
//! line, times, `--user` values and output references.
use libfuzzer_sys::fuzz_target;
use palisade_harden::{config, entrypoint, transforms::user::UserSpec};

fuzz_target!(|data: &[u8]| {
    let change = config::ConfigChange {
        new_diff_id: Some("sha256:00".into()),
        squash: data.first().is_some_and(|b| b & 1 == 1),
        user: Some("65532:65532"),
        summary: "setuid-stripped=1",
        created_by: "palisade harden",
        created: None,
    };
    if let Ok(out) = config::rewrite(data, &change) {
        let v: serde_json::Value = serde_json::from_slice(&out).expect("rewritten config is JSON");
        let _ = entrypoint::direct(&v);
    }
    let _ = entrypoint::shebang(data, "/script");
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = config::parse_rfc3339(s);
        let _ = s.parse::<UserSpec>();
        let _ = palisade_image::write::Destination::parse(s);
    }
});
