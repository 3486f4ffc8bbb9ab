#![no_main]
//! A Go binary's build information from a (possibly hostile) image: as a
//! whole file (ELF section lookup, magic scan) and from the magic on.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::golang::{parse, read};

fuzz_target!(|data: &[u8]| {
    let _ = read(data);
    let mut with_magic = b"\xff Go buildinf:\x08\x02".to_vec();
    with_magic.resize(32, 0);
    with_magic.extend_from_slice(data);
    let _ = parse(&with_magic);
});
