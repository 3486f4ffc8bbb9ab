//! AWS credentials: access key ids (`AKIA...`) anywhere, and 40-character
//! secret access keys assigned to a key that mentions `secret`.

use super::rules::{AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY};
use super::{Found, Window, assignment_redacted, text};
use regex::bytes::Regex;
use std::sync::LazyLock;

static KEY_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}").expect("valid regex"));

static SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)([a-z0-9_.\-]*secret[a-z0-9_.\-]*)["']?[ \t]*(?:=>|:=|=|:)[ \t]*["']?([a-z0-9/+]{40})"#)
        .expect("valid regex")
});

/// Access key ids in a window (word-bounded, not AWS's documented example).
pub(crate) fn scan_key_id(w: &Window<'_>, out: &mut Vec<Found>) {
    for m in KEY_ID.find_iter(w.text) {
        if !text::bounded(w.text, m.start(), m.end(), b"") || contains(m.as_bytes(), b"EXAMPLE") {
            continue;
        }
        out.push(Found {
            rule: &AWS_ACCESS_KEY_ID,
            start: w.base + m.start(),
            end: w.base + m.end(),
            line_at: w.base + m.start(),
            redacted: text::mask(&String::from_utf8_lossy(&m.as_bytes()[..4]), 16),
        });
    }
}

/// `aws_secret_access_key = <40 chars>` and the like, in a window.
pub(crate) fn scan_secret(w: &Window<'_>, out: &mut Vec<Found>) {
    for c in SECRET.captures_iter(w.text) {
        let (Some(key), Some(value)) = (c.get(1), c.get(2)) else {
            continue;
        };
        // The value must end where the 40 characters end.
        if value.end() < w.text.len()
            && (w.text[value.end()].is_ascii_alphanumeric()
                || matches!(w.text[value.end()], b'/' | b'+' | b'='))
        {
            continue;
        }
        if !looks_like_secret_key(value.as_bytes()) {
            continue;
        }
        out.push(Found {
            rule: &AWS_SECRET_ACCESS_KEY,
            start: w.base + value.start(),
            end: w.base + value.end(),
            line_at: w.base + key.start(),
            redacted: assignment_redacted(key.as_bytes(), b'='),
        });
    }
}

/// A key and its whole value (image config Env entries and labels).
pub(crate) fn check_pair(key: &str, value: &str, out: &mut Vec<Found>) {
    let v = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .as_bytes();
    if key.to_ascii_lowercase().contains("secret")
        && v.len() == 40
        && v.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        && looks_like_secret_key(v)
    {
        out.push(Found {
            rule: &AWS_SECRET_ACCESS_KEY,
            start: 0,
            end: value.len(),
            line_at: 0,
            redacted: assignment_redacted(key.as_bytes(), b'='),
        });
    }
}

/// Random-looking base64: mixed case, a digit or symbol, high entropy,
/// not AWS's documented example key.
fn looks_like_secret_key(v: &[u8]) -> bool {
    let (lower, upper, digit, other) = text::classes(v);
    lower && upper && (digit || other) && text::entropy(v) > 4.0 && !contains(v, b"EXAMPLE")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
