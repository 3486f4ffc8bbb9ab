#![no_main]
//! A dpkg status file (or a distroless status.d file, or a .list file)
//! from a (possibly hostile) image.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::dpkg::{parse_list, parse_status};

fuzz_target!(|data: &[u8]| {
    let (packages, _) = parse_status(data, data.first() == Some(&b'D'));
    for p in &packages {
        assert!(!p.name.is_empty() && !p.version.is_empty());
    }
    let _ = parse_list(data);
});
