//! User-defined rules: the `.palisade.yaml` rules loader (the CLI's own
//! module, included by path) on arbitrary YAML, then the loaded rules run on
//! a Dockerfile. The input is `YAML \0 DOCKERFILE`. No panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_dockerfile::lint::{LintOptions, lint};

#[path = "../../crates/cli/src/commands/dockerfile_rules.rs"]
#[allow(dead_code)]
mod dockerfile_rules;

fuzz_target!(|data: &[u8]| {
    let (yaml, dockerfile) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"FROM a:1\nRUN pip install x\nLABEL k=v\n"[..]),
    };
    let Ok(yaml) = std::str::from_utf8(yaml) else { return };
    let Ok(rules) = dockerfile_rules::load(yaml) else { return };
    if let Ok(df) = palisade_dockerfile::parse_bytes(dockerfile) {
        let opts = LintOptions {
            custom: rules,
            ..Default::default()
        };
        let _ = lint(&df, "fuzz", &opts);
    }
});
