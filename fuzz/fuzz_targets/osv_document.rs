#![no_main]
//! One OSV JSON document, as import reads it from all.zip or a directory.
use libfuzzer_sys::fuzz_target;
use palisade_vulndb::osv::{Parsed, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(Parsed::Records(recs)) = parse(data) {
        for ((eco, _), rec) in &recs {
            assert!(!rec.affected.is_empty());
            assert!(rec.affected.iter().all(|a| &a.ecosystem == eco));
        }
    }
});
