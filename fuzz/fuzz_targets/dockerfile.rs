//! The Dockerfile parser, expansion and every lint rule on arbitrary bytes
//! (the label-schema rules too): no panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_dockerfile::lint::{LintOptions, lint};
use palisade_dockerfile::rules::{LabelFormat, Settings};

fuzz_target!(|data: &[u8]| {
    if let Ok(df) = palisade_dockerfile::parse_bytes(data) {
        let _ = palisade_dockerfile::dump::dump(&df);
        let _ = lint(&df, "fuzz", &LintOptions::default());
        let formats = [
            LabelFormat::Text,
            LabelFormat::Url,
            LabelFormat::Semver,
            LabelFormat::Hash,
            LabelFormat::Rfc3339,
            LabelFormat::Spdx,
            LabelFormat::Email,
        ];
        let opts = LintOptions {
            settings: Settings {
                trusted_bases: vec!["docker.io/library/".into()],
                // Every label key gets every format, so every value is checked.
                label_schema: ["a", "b", "c", "d", "e", "f", "g"]
                    .iter()
                    .zip(formats)
                    .map(|(k, f)| (k.to_string(), f))
                    .collect(),
                strict_labels: true,
            },
            ..Default::default()
        };
        let _ = lint(&df, "fuzz", &opts);
    }
});
