#![no_main]
//! ECR lifecycle policies and `describe-images` output: parse, validate and
//! preview. Never panic; every expired image is expired by exactly one rule.
use libfuzzer_sys::fuzz_target;
use palisade_aws::lifecycle::{self, Image};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = lifecycle::describe_images::parse(text);
    let Ok(policy) = lifecycle::parse(text, "fuzz") else { return };
    let images: Vec<Image> = (0..8)
        .map(|i| Image {
            digest: format!("sha256:{i}"),
            tags: match i % 3 {
                0 => vec![],
                1 => vec![format!("v{i}"), "prod".into()],
                _ => vec![format!("beta-{i}")],
            },
            pushed_at: 1_800_000_000 - i * 86_400 * 5,
            last_pulled_at: None,
            storage_class: "standard".into(),
        })
        .collect();
    let out = lifecycle::preview(&policy, &images, 1_800_000_000);
    let mut seen = std::collections::HashSet::new();
    for o in &out {
        assert!(seen.insert(o.image.digest.clone()), "an image acted on twice");
    }
});
