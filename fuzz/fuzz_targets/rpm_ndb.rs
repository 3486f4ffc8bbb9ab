#![no_main]
//! An ndb `Packages.db` rpm database from a (possibly hostile) image: the
//! blobs it yields are never larger, in total, than the file.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::rpm::{ndb::read_blobs, read_ndb};

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = read_blobs(data) {
        assert!(b.blobs.iter().map(Vec::len).sum::<usize>() <= data.len());
    }
    let _ = read_ndb(data);
});
