#![no_main]
//! A uv `uv.lock` from a (possibly hostile) image.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(packages) = palisade_catalog::uv_lock::parse(data) {
        assert!(
            packages
                .iter()
                .all(|p| !p.name.is_empty() && !p.version.is_empty())
        );
    }
});
