#![no_main]
//! The binary records of one package (format version 2), as they come out
//! of a blob after decompression: walk them, decode them, look a version up
//! in every `versions` list. Errors are fine, panics and huge allocations
//! are not.
use libfuzzer_sys::fuzz_target;
use palisade_vulndb::blob;

fuzz_target!(|data: &[u8]| {
    let _ = blob::decode(data);
    if let Ok(records) = blob::records(data) {
        for r in &records {
            for a in &r.affected {
                let _ = a.lists("1.0");
                let _ = r.to_record(Some(a), false);
            }
        }
    }
});
