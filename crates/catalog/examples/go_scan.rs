//! `cargo run --release -p palisade-catalog --example go_scan -- FILE...`:
//! the cost of the Go build-information scanner on executables, fed in
//! 64 KiB chunks as the layer walk feeds it, next to the floor it cannot
//! beat (one `memmem` pass for the magic over the same chunks). Prints per
//! run: files, bytes, scanner seconds, floor seconds, Go binaries found.
//! Used by bench/go-scanner.sh.
use palisade_catalog::golang::{GoAnalyzer, GoFile};
use palisade_image::{Analyzer, FileRef};
use std::time::Instant;

fn main() {
    let files: Vec<(String, Vec<u8>)> = std::env::args()
        .skip(1)
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    for _ in 0..3 {
        let start = Instant::now();
        let mut found = 0;
        let mut old_format = 0;
        for (path, b) in &files {
            let file = FileRef {
                path,
                mode: 0o755,
                size: b.len() as u64,
                layer: 0,
            };
            let mut scanner = GoAnalyzer.scanner(file).unwrap();
            for (i, chunk) in b.chunks(1 << 16).enumerate() {
                if !scanner.chunk((i as u64) << 16, chunk) {
                    break;
                }
            }
            if let Ok(Some(out)) = scanner.finish()
                && let Some(GoFile::Binary(info)) = out.downcast_ref::<GoFile>()
            {
                found += 1;
                if b.windows(16)
                    .any(|w| w.starts_with(b"\xff Go buildinf:") && w[15] & 2 == 0)
                {
                    old_format += 1;
                }
                std::hint::black_box(info);
            }
        }
        let scanner_s = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let mut hits = 0;
        for (_, b) in &files {
            for chunk in b.chunks(1 << 16) {
                hits += memchr::memmem::find_iter(chunk, b"\xff Go buildinf:").count();
            }
        }
        std::hint::black_box(hits);
        let floor_s = start.elapsed().as_secs_f64();
        println!(
            "files {} bytes {bytes} scanner_s {scanner_s:.3} floor_s {floor_s:.3} go_binaries {found} (pointer format {old_format})",
            files.len()
        );
    }
}
