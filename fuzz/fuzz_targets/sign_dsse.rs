#![no_main]
//! DSSE envelopes, the in-toto statements inside them, and the signature
//! manifests (`.sig`/`.att`) and referrer indexes that list them.
use libfuzzer_sys::fuzz_target;
use palisade_sign::dsse::{Envelope, pae};
use palisade_sign::manifest::{Index, Manifest};
use palisade_sign::statement::Statement;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::parse(data)
        && let Ok(body) = env.payload_bytes()
    {
        let _ = pae(&env.payload_type, &body);
        if let Ok(s) = Statement::parse(&body) {
            let _ = s.has_subject("00");
            let _ = s.subject_annotations("00");
        }
    }
    if let Ok(s) = Statement::parse(data) {
        let _ = s.to_bytes();
    }
    if let Ok(m) = Manifest::parse("fuzz", data) {
        let _ = m.to_bytes();
        for l in &m.layers {
            let _ = l.parsed_digest();
        }
    }
    let _ = Index::parse("fuzz", data);
});
