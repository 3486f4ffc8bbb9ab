#![no_main]
//! Language package metadata from a (possibly hostile) image: Python
//! METADATA, npm package.json and package-lock.json, Cargo.lock, composer
//! lock/installed files, yarn.lock, pnpm-lock.yaml, gemspecs, .NET deps.json, DEP-5 copyright files. Each parser returns packages or an error, never panics.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::{cargo, composer, dotnet, dpkg_copyright, gem, npm, pnpm, python, yarn};

fuzz_target!(|data: &[u8]| {
    let _ = python::parse_metadata(data);
    let _ = npm::parse_package_json(data);
    let _ = npm::parse_lock(data);
    let _ = cargo::parse_lock(data);
    let _ = composer::parse(data, true);
    let _ = composer::parse(data, false);
    let _ = yarn::parse(data);
    let _ = pnpm::parse(data);
    let _ = gem::parse(data);
    let _ = dotnet::parse(data);
    let _ = dpkg_copyright::parse(data);
});
