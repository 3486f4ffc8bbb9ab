#![no_main]
//! Manifests, indexes and configs: never panic, whatever the bytes.
use libfuzzer_sys::fuzz_target;
use palisade_image::{Platform, manifest};

fuzz_target!(|data: &[u8]| {
    for declared in [None, Some(manifest::OCI_MANIFEST), Some(manifest::DOCKER_MANIFEST_LIST)] {
        if let Ok(manifest::Document::Index(index)) = manifest::parse_document("fuzz", data, declared) {
            let _ = manifest::select_platform("fuzz", &index, &Platform::host());
        }
    }
    let _ = manifest::parse_config("fuzz", manifest::OCI_CONFIG, data);
});
