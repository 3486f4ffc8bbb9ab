#![no_main]
//! One OSV JSON document, as import reads it from all.zip or a directory
//! (the informational kind kept is short and never empty).
use libfuzzer_sys::fuzz_target;
use palisade_vulndb::osv::{Parsed, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(Parsed::Records(recs)) = parse(data) {
        for ((eco, _), rec) in &recs {
            assert!(!rec.affected.is_empty());
            assert!(rec.affected.iter().all(|a| &a.ecosystem == eco));
            assert!(
                rec.affected
                    .iter()
                    .filter_map(|a| a.informational.as_deref())
                    .all(|k| !k.is_empty() && k.len() <= 32)
            );
        }
    }
});
