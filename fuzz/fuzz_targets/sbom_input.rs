#![no_main]
//! An SBOM to scan (`palisade sbom-scan`): CycloneDX or SPDX JSON, and
//! every purl in it. Errors are fine; panics are not, and every package
//! read has a non-empty version and an ecosystem.
use libfuzzer_sys::fuzz_target;
use palisade_vulndb::{purl::Purl, sbom_input};

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = sbom_input::read(data) {
        for p in &s.packages {
            assert!(!p.version.is_empty() && !p.ecosystem.is_empty());
        }
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(p) = Purl::parse(text)
    {
        let _ = p.lookup();
    }
});
