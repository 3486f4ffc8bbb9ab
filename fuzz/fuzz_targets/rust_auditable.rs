#![no_main]
//! A cargo-auditable `.dep-v0` section (zlib + JSON) and the ELF section
//! lookup, from a (possibly hostile) image.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::rust_binary::{parse, read};

fuzz_target!(|data: &[u8]| {
    let _ = parse(data);
    let _ = read(data);
});
