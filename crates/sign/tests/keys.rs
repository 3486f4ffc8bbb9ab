//! cosign key files from the sigstore repositories: decryption with their
//! known passwords, wrong passwords, unsupported key types; and round trips
//! of palisade's own keys.

use palisade_sign::{PublicKey, SigningKey};
use std::path::PathBuf;

fn data(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn decrypts_cosign_generated_key_with_empty_password() {
    let key = SigningKey::from_pem(
        &data("rs-cosign_generated_encrypted_empty_private.key"),
        b"",
    )
    .unwrap();
    let sig = key.sign(b"hello");
    key.public_key().verify(b"hello", &sig).unwrap();
}

#[test]
fn decrypts_legacy_cosign_label_with_password_123() {
    let pem = data("rs-ecdsa_encrypted_private.key");
    assert!(String::from_utf8_lossy(&pem).contains("ENCRYPTED COSIGN PRIVATE KEY"));
    SigningKey::from_pem(&pem, b"123").unwrap();
}

#[test]
fn decrypts_sigstore_rs_example_key_with_its_password() {
    let pem = data("rs-ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.key");
    let key = SigningKey::from_pem(&pem, b"password").unwrap();
    let sig = key.sign(b"m");
    key.public_key().verify(b"m", &sig).unwrap();
    assert!(SigningKey::from_pem(&pem, b"Password").is_err());
}

#[test]
fn wrong_password_is_a_clear_error_without_the_password() {
    let err = SigningKey::from_pem(&data("rs-ecdsa_encrypted_private.key"), b"hunter2-wrong")
        .unwrap_err()
        .to_string();
    assert!(err.contains("wrong password"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn ed25519_and_rsa_keys_are_refused_after_decryption() {
    for f in [
        "rs-ed25519_encrypted_private.key",
        "rs-rsa_encrypted_private.key",
    ] {
        let err = SigningKey::from_pem(&data(f), b"123")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not an ECDSA P-256 key"), "{f}: {err}");
    }
}

#[test]
fn unencrypted_pkcs8_key_is_read() {
    SigningKey::from_pem(&data("rs-ecdsa_private.key"), b"").unwrap();
}

#[test]
fn verifies_a_cosign_made_signature() {
    use base64::Engine as _;
    let key = PublicKey::from_pem(&data("rs-busybox.pub")).unwrap();
    let payload = data("rs-busybox.payload");
    let sig = base64::engine::general_purpose::STANDARD
        .decode(data("rs-busybox.sig.b64"))
        .unwrap();
    key.verify(&payload, &sig).unwrap();
    let mut edited = payload.clone();
    edited[20] ^= 1;
    assert!(key.verify(&edited, &sig).is_err());
    // The payload parses, with cosign's `"optional":null`.
    let p = palisade_sign::payload::SimpleSigning::parse(&payload).unwrap();
    assert_eq!(
        p.critical.identity.docker_reference,
        "registry-testing.svc.lan/busybox"
    );
    assert!(p.optional.is_none());
}

#[test]
fn own_key_round_trips_through_the_encrypted_pem() {
    let key = SigningKey::generate();
    let pem = key.to_encrypted_pem(b"s3cret pass").unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    let back = SigningKey::from_pem(pem.as_bytes(), b"s3cret pass").unwrap();
    assert_eq!(back.public_key(), key.public_key());
    assert!(SigningKey::from_pem(pem.as_bytes(), b"other").is_err());
    let public = PublicKey::from_pem(key.public_key().to_pem().as_bytes()).unwrap();
    assert_eq!(public, key.public_key());
    assert!(!format!("{key:?}").contains(&pem[40..80]));
}

#[test]
fn hostile_key_files_fail_cleanly() {
    let cases: &[&[u8]] = &[
        b"",
        b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
        b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n!!!\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
        b"\xff\xfe",
    ];
    for c in cases {
        assert!(SigningKey::from_pem(c, b"").is_err());
        assert!(PublicKey::from_pem(c).is_err());
    }
    // scrypt parameters beyond cosign's are refused before any work.
    use base64::Engine as _;
    let json = br#"{"kdf":{"name":"scrypt","params":{"N":1073741824,"r":8,"p":1},"salt":"AA=="},"cipher":{"name":"nacl/secretbox","nonce":"AA=="},"ciphertext":"AA=="}"#;
    let pem = format!(
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n{}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(json)
    );
    let err = SigningKey::from_pem(pem.as_bytes(), b"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unsupported scrypt parameters"), "{err}");
}

#[test]
fn p384_public_keys_are_read() {
    let sk = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    use p384::pkcs8::EncodePublicKey as _;
    let pem = sk
        .verifying_key()
        .to_public_key_pem(p384::pkcs8::LineEnding::LF)
        .unwrap();
    let key = PublicKey::from_pem(pem.as_bytes()).unwrap();
    assert_eq!(key.algorithm(), "ecdsa-p384-sha384");
    use p384::ecdsa::signature::Signer as _;
    let sig: p384::ecdsa::Signature = sk.sign(b"msg");
    key.verify(b"msg", sig.to_der().as_bytes()).unwrap();
}
