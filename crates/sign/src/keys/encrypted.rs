//! cosign's encrypted private key (go-securesystemslib `encrypted`): a PEM
//! whose body is JSON
//! `{"kdf":{"name":"scrypt","params":{"N","r","p"},"salt"},"cipher":{"name":"nacl/secretbox","nonce"},"ciphertext"}`.
//! The key is scrypt(password, salt, N, r=8, p=1) → 32 bytes; the
//! plaintext is the PKCS#8 DER private key. Parameters outside what cosign
//! writes are refused, so a hostile file cannot ask for gigabytes of scrypt
//! memory.

use crate::error::Error;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use rand_core::RngCore as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
pub const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";
/// The scrypt cost palisade writes (cosign's `generate-key-pair` default).
const WRITE_N: u32 = 32768;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedKey {
    pub kdf: Kdf,
    pub cipher: Cipher,
    pub ciphertext: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kdf {
    pub name: String,
    pub params: ScryptParams,
    pub salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScryptParams {
    #[serde(rename = "N")]
    pub n: u64,
    pub r: u32,
    pub p: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cipher {
    pub name: String,
    pub nonce: String,
}

/// The one PEM block of `text`: its label and decoded body.
pub fn pem_block(text: &str) -> Result<(String, Vec<u8>), Error> {
    let mut lines = text.lines().map(str::trim).skip_while(|l| l.is_empty());
    let first = lines.next().unwrap_or_default();
    let label = first
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| Error::Key("not a PEM file (no -----BEGIN line)".into()))?
        .to_string();
    let end = format!("-----END {label}-----");
    let mut body = String::new();
    let mut ended = false;
    for line in lines {
        if line == end {
            ended = true;
            break;
        }
        if line.contains(':') {
            return Err(Error::Key("PEM headers are not supported".into()));
        }
        body.push_str(line);
    }
    if !ended {
        return Err(Error::Key(format!("PEM block {label:?} has no END line")));
    }
    let der = STANDARD
        .decode(body.as_bytes())
        .map_err(|_| Error::Key(format!("PEM block {label:?}: invalid base64")))?;
    Ok((label, der))
}

/// Parses the JSON body and checks its parameters (no decryption yet).
pub fn parse(body: &[u8]) -> Result<EncryptedKey, Error> {
    let key: EncryptedKey = serde_json::from_slice(body)
        .map_err(|e| Error::Key(format!("encrypted key: invalid JSON: {e}")))?;
    if key.kdf.name != "scrypt" {
        return Err(Error::Key(format!(
            "encrypted key: unsupported KDF {:?}",
            key.kdf.name
        )));
    }
    let p = &key.kdf.params;
    if !(p.n == 32768 || p.n == 65536) || p.r != 8 || p.p != 1 {
        return Err(Error::Key(format!(
            "encrypted key: unsupported scrypt parameters N={} r={} p={} (cosign uses N=32768 or 65536, r=8, p=1)",
            p.n, p.r, p.p
        )));
    }
    if key.cipher.name != "nacl/secretbox" {
        return Err(Error::Key(format!(
            "encrypted key: unsupported cipher {:?}",
            key.cipher.name
        )));
    }
    Ok(key)
}

/// Decrypts the PEM body (JSON) with `password`: the PKCS#8 DER key.
pub fn decrypt(body: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let key = parse(body)?;
    let salt = STANDARD
        .decode(&key.kdf.salt)
        .map_err(|_| Error::Key("encrypted key: salt is not base64".into()))?;
    let nonce = STANDARD
        .decode(&key.cipher.nonce)
        .map_err(|_| Error::Key("encrypted key: nonce is not base64".into()))?;
    if nonce.len() != 24 {
        return Err(Error::Key(
            "encrypted key: the nonce is not 24 bytes".into(),
        ));
    }
    let ciphertext = STANDARD
        .decode(&key.ciphertext)
        .map_err(|_| Error::Key("encrypted key: ciphertext is not base64".into()))?;
    let secret = derive(password, &salt, key.kdf.params.n)?;
    let cipher = XSalsa20Poly1305::new_from_slice(&secret[..])
        .map_err(|_| Error::Key("encrypted key: bad key length".into()))?;
    cipher
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| {
            Error::Key(
                "cannot decrypt the private key: wrong password (or a corrupted key file)".into(),
            )
        })
}

/// Seals a PKCS#8 DER key as an `ENCRYPTED SIGSTORE PRIVATE KEY` PEM.
pub fn encrypt(der: &[u8], password: &[u8]) -> Result<String, Error> {
    let mut salt = [0u8; 32];
    let mut nonce = [0u8; 24];
    rand_core::OsRng.fill_bytes(&mut salt);
    rand_core::OsRng.fill_bytes(&mut nonce);
    let secret = derive(password, &salt, u64::from(WRITE_N))?;
    let cipher = XSalsa20Poly1305::new_from_slice(&secret[..])
        .map_err(|_| Error::Key("bad key length".into()))?;
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), der)
        .map_err(|_| Error::Key("encryption failed".into()))?;
    let doc = EncryptedKey {
        kdf: Kdf {
            name: "scrypt".into(),
            params: ScryptParams {
                n: u64::from(WRITE_N),
                r: 8,
                p: 1,
            },
            salt: STANDARD.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".into(),
            nonce: STANDARD.encode(nonce),
        },
        ciphertext: STANDARD.encode(ciphertext),
    };
    let json = serde_json::to_vec(&doc).map_err(|e| Error::Key(e.to_string()))?;
    Ok(pem_encode(SIGSTORE_LABEL, &json))
}

fn derive(password: &[u8], salt: &[u8], n: u64) -> Result<Zeroizing<[u8; 32]>, Error> {
    let log_n = n.trailing_zeros() as u8;
    let params = scrypt::Params::new(log_n, 8, 1, 32)
        .map_err(|e| Error::Key(format!("scrypt parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, &mut out[..])
        .map_err(|e| Error::Key(format!("scrypt: {e}")))?;
    Ok(out)
}

/// PEM with 64-character lines, as Go's `encoding/pem` writes.
pub fn pem_encode(label: &str, bytes: &[u8]) -> String {
    let b64 = STANDARD.encode(bytes);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
