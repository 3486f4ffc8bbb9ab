#![no_main]
//! A Pipenv `Pipfile.lock` from a (possibly hostile) image.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(packages) = palisade_catalog::pipfile_lock::parse(data) {
        assert!(packages.iter().all(|p| !p.version.trim().is_empty()));
    }
});
