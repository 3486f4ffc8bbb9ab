#![no_main]
//! Saved `aws ecr` outputs (describe-repositories, get-*-policy,
//! get-registry-scanning-configuration) through the audit, and tag-history
//! files of `aws lifecycle --history`. Never panic; a parsed history only
//! holds well-formed digests.
use libfuzzer_sys::fuzz_target;
use palisade_aws::check::CheckOptions;
use palisade_aws::ecr::{self, Inputs};
use palisade_aws::lifecycle::history;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut inputs = Inputs::default();
    if inputs.add("fuzz", text).is_ok() {
        let _ = ecr::audit(&inputs, &CheckOptions { namespace: Some("team-a".into()) });
    }
    if let Ok(h) = history::parse(text, "127.0.0.1:5000/app") {
        assert!(h.images.iter().all(|r| history::is_digest(&r.digest)));
    }
});
