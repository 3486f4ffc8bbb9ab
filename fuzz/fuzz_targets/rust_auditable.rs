#![no_main]
//! A cargo-auditable `.dep-v0` section (zlib + JSON), the ELF section
//! lookup, and the streaming scanner in chunks of a size the input picks.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::rust_binary::{RustBinaryAnalyzer, parse, read};
use palisade_image::{Analyzer, FileRef, scan_slice};

fuzz_target!(|data: &[u8]| {
    let _ = parse(data);
    let _ = read(data);
    if let Some((&n, rest)) = data.split_first() {
        let mut elf = b"\x7fELF".to_vec();
        elf.extend_from_slice(rest);
        let file = FileRef {
            path: "bin/x",
            mode: 0o755,
            size: elf.len() as u64,
            layer: 0,
        };
        let _ = scan_slice(
            RustBinaryAnalyzer.scanner(file).unwrap(),
            &elf,
            usize::from(n) + 1,
        );
    }
});
