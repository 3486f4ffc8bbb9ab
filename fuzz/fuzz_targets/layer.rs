#![no_main]
//! The layer walker on arbitrary blob bytes (gzip, zstd or plain tar are
//! detected by magic): it must return Ok or a clear error, never panic, and
//! never accept a path outside the root.
use libfuzzer_sys::fuzz_target;
use palisade_image::walk::{Limits, walk_blob};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_layer_bytes: 64 << 20, max_entries: 100_000, max_path_len: 4096 };
    if let Ok(layer) = walk_blob("fuzz", data, &limits) {
        for e in &layer.entries {
            assert!(!e.path.starts_with('/') && !e.path.split('/').any(|c| c == ".." || c == "." || c.is_empty()));
        }
    }
});
