#![no_main]
//! Sigstore bundles (v0.1–v0.3 JSON).
use libfuzzer_sys::fuzz_target;
use palisade_sign::bundle::Bundle;

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = Bundle::parse(data) {
        let _ = b.is_keyless();
        let _ = b.content();
    }
});
