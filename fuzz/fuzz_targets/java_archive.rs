#![no_main]
//! A jar/war/ear from a (possibly hostile) image, nested archives included.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::java::read;

fuzz_target!(|data: &[u8]| {
    let (packages, warnings) = read(data);
    assert!(warnings.len() <= 21);
    assert!(packages.iter().all(|p| !p.artifact.is_empty() && !p.version.is_empty()));
});
