//! Private keys: PEM (`RSA`, `EC`, `DSA`, PKCS#8, encrypted PKCS#8),
//! OpenSSH and PGP private key blocks, followed by real key material.
//!
//! Certificates and public keys never match (their armour does not say
//! `PRIVATE KEY`). A header alone is not enough: documentation and source
//! code mention `-----BEGIN RSA PRIVATE KEY-----` in strings and comments,
//! so at least 64 characters of random-looking base64 must follow, with
//! real line breaks, `\n` escapes (a JSON service-account file), spaces (a
//! key pasted into one line) or quotes between the lines.

use super::rules::{ENCRYPTED_PRIVATE_KEY, PRIVATE_KEY};
use super::{Found, text};
use base64::Engine as _;

/// How far after the header key material is read.
const BODY_LIMIT: usize = 16 << 10;
/// Base64 characters of key material needed.
const MIN_MATERIAL: usize = 64;

const LABELS: &[&[u8]] = &[
    b"",
    b"RSA ",
    b"EC ",
    b"DSA ",
    b"OPENSSH ",
    b"ENCRYPTED ",
    b"PGP ",
];

/// Looks for a private key whose `PRIVATE KEY` keyword is at `hit`.
/// Returns the offset up to which the content has been examined (later
/// hits before it are skipped; the work per byte stays constant).
pub(crate) fn at(content: &[u8], hit: usize, out: &mut Vec<Found>) -> usize {
    let mut label: Option<&[u8]> = None;
    for l in LABELS {
        let pre = 11 + l.len();
        if hit >= pre
            && &content[hit - pre..hit - l.len()] == b"-----BEGIN "
            && &content[hit - l.len()..hit] == *l
        {
            label = Some(l);
            break;
        }
    }
    let Some(label) = label else {
        return hit + 1;
    };
    let start = hit - 11 - label.len();
    let mut header_end = hit + b"PRIVATE KEY".len();
    if content[header_end..].starts_with(b" BLOCK") {
        header_end += 6;
    }
    if !content[header_end..].starts_with(b"-----") {
        return hit + 1;
    }
    header_end += 5;
    let body = &content[header_end..content.len().min(header_end + BODY_LIMIT)];
    let (material, examined) = material(body);
    let Some(material) = material else {
        return header_end + examined;
    };
    let encrypted =
        label == b"ENCRYPTED " || material.proc_encrypted || openssh_encrypted(&material.first);
    let rule = if encrypted {
        &ENCRYPTED_PRIVATE_KEY
    } else {
        &PRIVATE_KEY
    };
    out.push(Found {
        rule,
        start,
        end: header_end + material.end,
        line_at: start,
        redacted: format!(
            "{} <redacted>",
            String::from_utf8_lossy(&content[start..header_end])
        ),
    });
    header_end + examined
}

struct Material {
    /// Relative end of the key material.
    end: usize,
    /// `Proc-Type: 4,ENCRYPTED` header (traditional encrypted PEM).
    proc_encrypted: bool,
    /// The first base64 characters (to read the OpenSSH cipher name).
    first: Vec<u8>,
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Reads the body after a header: optional `Name: value` armour header
/// lines, then runs of base64 separated by line breaks, up to `-----END`
/// or the first other character. Returns the material (if enough) and how
/// many bytes were examined.
fn material(body: &[u8]) -> (Option<Material>, usize) {
    let mut i = 0;
    let mut b64 = 0usize;
    let mut first = Vec::new();
    let mut proc_encrypted = false;
    let mut end = 0;
    let mut headers = 0;
    loop {
        // Separators between lines.
        while i < body.len() {
            match body[i] {
                b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b',' => i += 1,
                b'\\' if matches!(body.get(i + 1), Some(b'n' | b'r' | b't')) => i += 2,
                _ => break,
            }
        }
        if i >= body.len() || body[i..].starts_with(b"-----END") {
            break;
        }
        if b64 == 0 && headers < 8 && body[i].is_ascii_alphabetic() {
            // An armour header line: `Proc-Type: 4,ENCRYPTED`, `Version: ...`.
            let line = &body[i..body.len().min(i + 256)];
            let len = line
                .iter()
                .position(|&b| b == b'\n' || b == b'\\')
                .unwrap_or(line.len());
            let line = &line[..len];
            if let Some(colon) = line.iter().position(|&b| b == b':')
                && line[..colon]
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
            {
                if line.starts_with(b"Proc-Type:") && line.windows(9).any(|w| w == b"ENCRYPTED") {
                    proc_encrypted = true;
                }
                headers += 1;
                i += len;
                continue;
            }
        }
        let run = body[i..].iter().take_while(|&&b| is_b64(b)).count();
        if run == 0 {
            break;
        }
        if first.len() < 256 {
            first.extend_from_slice(&body[i..i + run.min(256 - first.len())]);
        }
        b64 += run;
        i += run;
        end = i;
    }
    let ok = b64 >= MIN_MATERIAL && text::entropy(&first) > 4.0;
    (
        ok.then_some(Material {
            end,
            proc_encrypted,
            first,
        }),
        i.max(1),
    )
}

/// Whether an `openssh-key-v1` blob names a cipher other than `none`.
fn openssh_encrypted(first_b64: &[u8]) -> bool {
    let n = (first_b64.len() / 4 * 4).min(64);
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(&first_b64[..n]) else {
        return false;
    };
    let Some(rest) = raw.strip_prefix(b"openssh-key-v1\0") else {
        return false;
    };
    if rest.len() < 4 {
        return false;
    }
    let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    rest.get(4..4 + len).is_some_and(|cipher| cipher != b"none")
}
