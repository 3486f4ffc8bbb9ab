//! AdmissionReview parsing, image extraction and response building on
//! arbitrary bytes: no panic, bounded work.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_admission::images::extract;
use palisade_admission::review::{AdmissionResponse, envelope, parse};

fuzz_target!(|data: &[u8]| {
    let Ok((review, request)) = parse(data) else {
        return;
    };
    if let Some(object) = &request.object {
        if let Ok(palisade_admission::images::Extracted::Images(images)) =
            extract(&request.kind.kind, object)
        {
            let warnings: Vec<String> = images.iter().map(|i| i.image.clone()).collect();
            let ops: Vec<serde_json::Value> = images
                .iter()
                .map(|i| serde_json::json!({"op": "replace", "path": i.pointer, "value": i.image}))
                .collect();
            let r = AdmissionResponse::allow(&request.uid)
                .with_warnings(&warnings)
                .with_patch(&ops);
            let _ = envelope(&review.api_version, r);
            for i in &images {
                let _ = palisade_image::RegistryRef::parse(&i.image);
            }
        }
    }
    let _ = envelope(&review.api_version, AdmissionResponse::deny(&request.uid, 403, &request.uid));
});
