//! The RUN shell analysis and word expansion on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let vars: Vec<(String, String)> = vec![("A".into(), "x y".into())];
    let _ = palisade_dockerfile::shell::analyse(&text, &vars);
    let _ = palisade_dockerfile::expand::expand_word(&text, &vars, '\\');
});
