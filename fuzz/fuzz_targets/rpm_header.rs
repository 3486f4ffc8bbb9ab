#![no_main]
//! An rpm database header blob from a (possibly hostile) image.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::rpm::header::parse;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = parse(data) {
        assert!(!h.name.is_empty() && !h.version.is_empty() && !h.release.is_empty());
    }
});
