#![no_main]
//! WWW-Authenticate challenges from a (possibly hostile) registry.
use libfuzzer_sys::fuzz_target;
use palisade_image::source::registry::auth::parse_challenges;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = parse_challenges(s);
    }
});
