//! Every truncation and many single-byte corruptions of the fixtures go
//! through each parser: errors, never a panic (the fuzz targets do the same
//! at random; this runs in every `cargo test`).

use palisade_sign::bundle::Bundle;
use palisade_sign::dsse::Envelope;
use palisade_sign::keys::encrypted;
use palisade_sign::manifest::{Index, Manifest};
use palisade_sign::payload::SimpleSigning;
use palisade_sign::statement::Statement;
use palisade_sign::{PublicKey, SigningKey};
use std::path::PathBuf;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap()
}

fn all_parsers(bytes: &[u8]) {
    if let Ok(b) = Bundle::parse(bytes) {
        let _ = b.content();
        let _ = b.is_keyless();
    }
    if let Ok(e) = Envelope::parse(bytes)
        && let Ok(body) = e.payload_bytes()
    {
        let _ = Statement::parse(&body);
    }
    let _ = SimpleSigning::parse(bytes);
    let _ = Statement::parse(bytes);
    let _ = Manifest::parse("t", bytes);
    let _ = Index::parse("t", bytes);
    let _ = encrypted::parse(bytes);
    let _ = PublicKey::from_pem(bytes);
    if let Ok(t) = std::str::from_utf8(bytes) {
        let _ = encrypted::pem_block(t);
    }
}

fn variants(bytes: &[u8], step: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
    let truncations = (0..bytes.len())
        .step_by(step)
        .map(move |n| bytes[..n].to_vec());
    let flips = (0..bytes.len()).step_by(step).flat_map(move |i| {
        [0x01u8, 0x80, 0xff].into_iter().map(move |x| {
            let mut v = bytes.to_vec();
            v[i] ^= x;
            v
        })
    });
    truncations.chain(flips)
}

#[test]
fn corrupted_fixtures_never_panic_any_parser() {
    let envelope = {
        let b: serde_json::Value = serde_json::from_slice(&data("rs-bundle_v03.json")).unwrap();
        serde_json::to_vec(&b["dsseEnvelope"]).unwrap()
    };
    for (name, bytes) in [
        ("bundle", data("rs-bundle_v03.json")),
        (
            "attestation bundle",
            data("cosign-oci-attestation.sigstore.json"),
        ),
        ("payload", data("rs-busybox.payload")),
        ("public key", data("rs-busybox.pub")),
        ("envelope", envelope),
    ] {
        let step = (bytes.len() / 400).max(1);
        let mut n = 0;
        for v in variants(&bytes, step) {
            all_parsers(&v);
            n += 1;
        }
        assert!(n > 100, "{name}: only {n} variants");
    }
}

#[test]
fn corrupted_encrypted_keys_fail_cleanly() {
    // The JSON inside the PEM, corrupted: parse only (no scrypt per variant).
    let pem = String::from_utf8(data("rs-cosign_generated_encrypted_empty_private.key")).unwrap();
    let (_, json) = encrypted::pem_block(&pem).unwrap();
    for v in variants(&json, 1) {
        let _ = encrypted::parse(&v);
    }
    // A few full decryptions of damaged ciphertext: authenticated, so refused.
    let mut doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let ct = doc["ciphertext"].as_str().unwrap().to_string();
    let mut chars: Vec<char> = ct.chars().collect();
    chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
    doc["ciphertext"] = chars.into_iter().collect::<String>().into();
    let body = serde_json::to_vec(&doc).unwrap();
    let err = encrypted::decrypt(&body, b"").unwrap_err().to_string();
    assert!(err.contains("cannot decrypt"), "{err}");
    let pem = encrypted::pem_encode(encrypted::SIGSTORE_LABEL, &body);
    assert!(SigningKey::from_pem(pem.as_bytes(), b"").is_err());
}
