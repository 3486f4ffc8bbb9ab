//! Signs an image in a registry with a fresh key and attests an empty
//! cosign vuln report for it, for bench/admission.sh's signed-and-attested
//! cold path; writes the public key to PUB_PEM.
//!
//! cargo run --release -p palisade-admission --example sign_image -- REGISTRY/REPO:TAG PUB_PEM

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: sign_image REGISTRY/REPO:TAG PUB_PEM");
        std::process::exit(2);
    }
    let image = palisade_image::RegistryRef::parse(&args[1]).expect("reference");
    let options = palisade_image::RegistryOptions::default();
    let key = palisade_sign::SigningKey::generate();
    let client = palisade_sign::connect(&image, &options, true).expect("registry");
    let digest = palisade_sign::resolve(&client, &image).expect("resolve");
    palisade_sign::sign_digest(&client, &image, &digest, &key, &Default::default()).expect("sign");
    let predicate = serde_json::json!({
        "invocation": {"parameters": null, "uri": "", "event_id": "", "builder.id": ""},
        "scanner": {"uri": "pkg:github/palisade-sec/palisade", "version": "0.1.0",
                    "db": {"uri": "", "version": ""}, "result": {"vulnerabilities": []}},
        "metadata": {"scanStartedOn": "2026-12-06T00:00:00Z", "scanFinishedOn": "2026-12-06T00:00:01Z"}
    });
    palisade_sign::attest_digest(
        &client,
        &image,
        &digest,
        &key,
        palisade_admission::attestation::PREDICATE_TYPE,
        predicate,
    )
    .expect("attest");
    std::fs::write(&args[2], key.public_key().to_pem()).expect("write the public key");
    println!("{digest}");
}
