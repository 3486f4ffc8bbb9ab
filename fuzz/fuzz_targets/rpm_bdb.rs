#![no_main]
//! A Berkeley DB `Packages` rpm database from a (possibly hostile) image:
//! the values it yields are never larger, in total, than the file.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::rpm::{bdb::read_values, read_bdb};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = read_values(data) {
        assert!(v.values.iter().map(Vec::len).sum::<usize>() <= data.len());
    }
    let _ = read_bdb(data);
});
