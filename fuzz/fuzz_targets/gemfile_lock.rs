#![no_main]
//! A bundler `Gemfile.lock` from a (possibly hostile) image.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(specs) = palisade_catalog::gemfile_lock::parse(data) {
        assert!(
            specs
                .iter()
                .all(|s| !s.name.is_empty() && !s.version.is_empty())
        );
    }
});
