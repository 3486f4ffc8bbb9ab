#![no_main]
//! Image references: parse, and a parsed reference must print and re-parse to itself.
use libfuzzer_sys::fuzz_target;
use palisade_image::{ImageRef, Platform};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(r) = ImageRef::parse(s) {
        let printed = r.to_string();
        let again = ImageRef::parse(&printed).expect("a printed reference parses");
        assert_eq!(again.to_string(), printed);
    }
    let _ = s.parse::<Platform>();
    let _ = s.parse::<palisade_image::Digest>();
});
