#![no_main]
//! A Poetry `poetry.lock` from a (possibly hostile) image.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(packages) = palisade_catalog::poetry_lock::parse(data) {
        assert!(packages.iter().all(|p| !p.name.trim().is_empty()));
    }
});
