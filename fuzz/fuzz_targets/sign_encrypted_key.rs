#![no_main]
//! cosign key files: the PEM framing, the encrypted-key JSON and its
//! parameter checks, and public key PEMs. Decryption is not run on every
//! input (scrypt is deliberately slow); the JSON parser and the parameter
//! checks are what a hostile file reaches first.
use libfuzzer_sys::fuzz_target;
use palisade_sign::keys::encrypted;

fuzz_target!(|data: &[u8]| {
    let _ = encrypted::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok((_, body)) = encrypted::pem_block(text) {
            let _ = encrypted::parse(&body);
        }
    }
    let _ = palisade_sign::PublicKey::from_pem(data);
    // Unencrypted PKCS#8/SEC1 keys go through the same entry point without scrypt.
    if !data.windows(9).any(|w| w == b"ENCRYPTED") {
        let _ = palisade_sign::SigningKey::from_pem(data, b"");
    }
});
