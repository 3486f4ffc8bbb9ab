#![no_main]
//! Simple-signing payloads and the docker-reference matcher.
use libfuzzer_sys::fuzz_target;
use palisade_sign::payload::{SimpleSigning, reference_matches};

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = SimpleSigning::parse(data) {
        let _ = p.annotation("a");
        let back = SimpleSigning::parse(&p.to_bytes()).expect("own output parses");
        assert_eq!(back, p);
        let _ = reference_matches(&p.critical.identity.docker_reference, "r.example/x/y");
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = reference_matches(s, "127.0.0.1:5000/team/app");
    }
});
