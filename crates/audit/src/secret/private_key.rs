//! Private keys: PEM (`RSA`, `EC`, `DSA`, PKCS#8, encrypted PKCS#8),
//! OpenSSH and PGP private key blocks, followed by real key material.
//!
//! Certificates and public keys never match (their armour does not say
//! `PRIVATE KEY`). A header alone is not enough: documentation and source
//! code mention `-----BEGIN RSA PRIVATE KEY-----` in strings and comments,
//! so at least 64 characters of base64 with random-looking content must
//! follow (in the same file, with real or `\n`-escaped line breaks, as in a
//! JSON service-account file).

use super::rules::{ENCRYPTED_PRIVATE_KEY, PRIVATE_KEY};
use super::{Found, text};
use base64::Engine as _;
use regex::bytes::Regex;
use std::sync::LazyLock;

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)-----BEGIN ((?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----")
        .expect("valid regex")
});

/// How far after the header key material is looked for.
const BODY_LIMIT: usize = 16 << 10;
/// Base64 characters of key material needed.
const MIN_MATERIAL: usize = 64;

/// Looks for a private key around the keyword hit at `hit` (the offset of
/// `PRIVATE KEY`). Returns the offset up to which the content has been
/// examined, so that later hits inside the same block are skipped.
pub(crate) fn scan(content: &[u8], hit: usize, out: &mut Vec<Found>) -> usize {
    let lo = hit.saturating_sub(32);
    let hi = content.len().min(hit + 32);
    let Some(m) = HEADER.find(&content[lo..hi]) else {
        return hit + 1;
    };
    let (start, header_end) = (lo + m.start(), lo + m.end());
    let label = HEADER
        .captures(&content[lo..hi])
        .and_then(|c| c.get(1))
        .map(|g| g.as_bytes().to_vec())
        .unwrap_or_default();
    let body_end = content.len().min(header_end + BODY_LIMIT);
    let body = &content[header_end..body_end];
    let Some(material) = material(body) else {
        return header_end;
    };
    let encrypted =
        label == b"ENCRYPTED " || material.proc_encrypted || openssh_encrypted(&material.first);
    let rule = if encrypted {
        &ENCRYPTED_PRIVATE_KEY
    } else {
        &PRIVATE_KEY
    };
    let end = header_end + material.end;
    out.push(Found {
        rule,
        start,
        end,
        line_at: start,
        redacted: format!("{} <redacted>", String::from_utf8_lossy(m.as_bytes())),
    });
    end
}

struct Material {
    /// Relative end of the key material (after the last base64 line).
    end: usize,
    /// `Proc-Type: 4,ENCRYPTED` header (traditional encrypted PEM).
    proc_encrypted: bool,
    /// The first base64 characters (to read the OpenSSH cipher name).
    first: Vec<u8>,
}

/// Reads the body after a header: optional `Name: value` header lines,
/// then lines of base64, up to `-----END` or the first line that is not
/// base64. Lines may be separated by real newlines or by `\n` escapes,
/// and wrapped in quotes (JSON, YAML, source strings).
fn material(body: &[u8]) -> Option<Material> {
    let mut pos = 0;
    let mut b64 = 0usize;
    let mut first = Vec::new();
    let mut proc_encrypted = false;
    let mut end = 0;
    let mut lines = 0;
    while pos < body.len() && lines < 400 {
        lines += 1;
        // One line: up to a real newline or a literal `\n` / `\r\n` escape.
        let rest = &body[pos..];
        let (len, sep) = next_break(rest);
        let line = trim(&rest[..len]);
        pos += len + sep;
        if line.is_empty() {
            if sep == 0 {
                break;
            }
            continue;
        }
        if line.starts_with(b"-----END") {
            end = pos - sep;
            break;
        }
        if b64 == 0 && line.contains(&b':') {
            // Armour headers: Proc-Type, DEK-Info, Version, Comment.
            if line.starts_with(b"Proc-Type:") && line.windows(9).any(|w| w == b"ENCRYPTED") {
                proc_encrypted = true;
            }
            continue;
        }
        if line
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            b64 += line.len();
            if first.len() < 256 {
                first.extend_from_slice(&line[..line.len().min(256 - first.len())]);
            }
            end = pos - sep;
            continue;
        }
        break;
    }
    (b64 >= MIN_MATERIAL && text::entropy(&first) > 4.0).then_some(Material {
        end,
        proc_encrypted,
        first,
    })
}

/// Length of the line at the start of `s` and of the break after it.
fn next_break(s: &[u8]) -> (usize, usize) {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\n' => return (i, 1),
            b'\\' if matches!(s.get(i + 1), Some(b'n') | Some(b'r')) => {
                let mut j = i + 2;
                while s.get(j) == Some(&b'\\') && matches!(s.get(j + 1), Some(b'n') | Some(b'r')) {
                    j += 2;
                }
                return (i, j - i);
            }
            _ => i += 1,
        }
    }
    (s.len(), 0)
}

/// Strips whitespace, quotes and string concatenation around a line.
fn trim(line: &[u8]) -> &[u8] {
    let junk = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b',' | b'+' | b'|');
    let start = line.iter().position(|b| !junk(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !junk(b)).map_or(start, |e| e + 1);
    &line[start..end.max(start)]
}

/// Whether an `openssh-key-v1` blob names a cipher other than `none`.
fn openssh_encrypted(first_b64: &[u8]) -> bool {
    let n = first_b64.len() / 4 * 4;
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(&first_b64[..n.min(64)]) else {
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
