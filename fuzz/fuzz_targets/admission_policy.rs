//! The admission policy (`.palisade.yaml`'s `admission:` section) and the
//! vuln attestation reader on arbitrary input: no panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(policy) = palisade_admission::policy::parse(text) {
            let rules = policy.rules_for("team-a");
            let _ = palisade_admission::rules::registries::check(rules, "docker.io/library/debian:12");
        }
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = palisade_admission::attestation::parse(&v);
    }
});
