//! The Dockerfile parser, expansion and every lint rule on arbitrary bytes:
//! no panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_dockerfile::lint::{LintOptions, lint};

fuzz_target!(|data: &[u8]| {
    if let Ok(df) = palisade_dockerfile::parse_bytes(data) {
        let _ = palisade_dockerfile::dump::dump(&df);
        let _ = lint(&df, "fuzz", &LintOptions::default());
    }
});
