#![no_main]
//! Language package metadata from a (possibly hostile) image: Python
//! METADATA, npm package.json and package-lock.json, Cargo.lock, composer
//! lock/installed files. Each parser returns packages or an error, never panics.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::{cargo, composer, npm, python};

fuzz_target!(|data: &[u8]| {
    let _ = python::parse_metadata(data);
    let _ = npm::parse_package_json(data);
    let _ = npm::parse_lock(data);
    let _ = cargo::parse_lock(data);
    let _ = composer::parse(data, true);
    let _ = composer::parse(data, false);
});
