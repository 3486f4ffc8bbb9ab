#![no_main]
//! An apk installed database from a (possibly hostile) image.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::apk::parse_installed;

fuzz_target!(|data: &[u8]| {
    let (packages, _) = parse_installed(data);
    for p in &packages {
        assert!(!p.name.is_empty() && !p.version.is_empty());
    }
});
