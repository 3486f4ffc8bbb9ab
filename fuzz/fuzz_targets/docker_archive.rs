#![no_main]
//! docker-archive files (manifest.json, repositories, legacy json, links):
//! opening one and walking its layers must not panic.
use libfuzzer_sys::fuzz_target;
use palisade_image::{ImageRef, OpenOptions, WalkOptions, Limits, open, walk};
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile_in_tmp();
    file.1.write_all(data).unwrap();
    let reference = ImageRef::parse(&format!("docker-archive:{}", file.0)).unwrap();
    if let Ok(image) = open(&reference, &OpenOptions::default()) {
        let options = WalkOptions {
            limits: Limits { max_layer_bytes: 64 << 20, max_entries: 100_000, max_path_len: 4096 },
            threads: 1,
            progress: None,
        };
        let _ = walk(&image, &[], &options);
    }
    let _ = std::fs::remove_file(&file.0);
});

fn tempfile_in_tmp() -> (String, std::fs::File) {
    let path = format!("/tmp/palisade-fuzz-archive-{}", std::process::id());
    let f = std::fs::File::create(&path).unwrap();
    (path, f)
}
