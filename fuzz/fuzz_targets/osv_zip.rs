#![no_main]
//! An all.zip (possibly a zip bomb or a broken archive) through import.
use libfuzzer_sys::fuzz_target;
use palisade_vulndb::Builder;
use palisade_vulndb::format::Source;
use std::io::Cursor;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let mut b = Builder::new();
    let mut source = Source::default();
    let _ = b.import_zip(Cursor::new(data), Path::new("fuzz.zip"), &mut source);
});
