//! AWS credentials: access key ids (`AKIA...`) anywhere, and 40-character
//! secret access keys assigned to a key that mentions `secret`.

use super::assign::Assignment;
use super::rules::{AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY};
use super::{Found, assignment_redacted, text};

fn is_base32(b: u8) -> bool {
    b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)
}

/// An access key id starting at `hit` (where `AKIA`/`ASIA`/`ABIA`/`ACCA`
/// was found): 16 base32 characters, word-bounded, not AWS's documented
/// example.
pub(crate) fn key_id_at(content: &[u8], hit: usize, out: &mut Vec<Found>) {
    let end = hit + 20;
    if text::run(content, hit + 4, 16, is_base32) != 16 || !text::bounded(content, hit, end, b"") {
        return;
    }
    if text::contains(&content[hit..end], b"EXAMPLE") {
        return;
    }
    out.push(Found {
        rule: &AWS_ACCESS_KEY_ID,
        start: hit,
        end,
        line_at: hit,
        redacted: text::mask(&String::from_utf8_lossy(&content[hit..hit + 4]), 16),
    });
}

/// `aws_secret_access_key = <40 chars>` and the like. Returns whether the
/// assignment was reported (then the generic rules skip it).
pub(crate) fn secret_assignment(content: &[u8], a: &Assignment, out: &mut Vec<Found>) -> bool {
    let key = &content[a.key.clone()];
    if !is_aws_secret_key_name(key) {
        return false;
    }
    let v = &content[a.value.clone()];
    if !is_secret_key(v) {
        return false;
    }
    out.push(Found {
        rule: &AWS_SECRET_ACCESS_KEY,
        start: a.value.start,
        end: a.value.end,
        line_at: a.key.start,
        redacted: assignment_redacted(key, a.sep),
    });
    true
}

/// A key and its whole value (image config Env entries and labels).
pub(crate) fn check_pair(key: &str, value: &str, out: &mut Vec<Found>) {
    let v = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .as_bytes();
    if is_aws_secret_key_name(key.as_bytes()) && is_secret_key(v) {
        out.push(Found {
            rule: &AWS_SECRET_ACCESS_KEY,
            start: 0,
            end: value.len(),
            line_at: 0,
            redacted: assignment_redacted(key.as_bytes(), b'='),
        });
    }
}

/// `aws_secret_access_key`, `AWS_SECRET_ACCESS_KEY`, `SecretAccessKey`,
/// `awsSecretKey`, and the bare `secret_key` of `.s3cfg`/boto files; any
/// other `*secret*` key is left to the generic rule.
fn is_aws_secret_key_name(key: &[u8]) -> bool {
    let lower = key.to_ascii_lowercase();
    let bare: Vec<u8> = lower
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric())
        .collect();
    text::contains(&lower, b"secret")
        && (text::contains(&lower, b"aws")
            || text::contains(&lower, b"access")
            || bare == b"secretkey")
}

/// 40 characters of random-looking base64: mixed case, a digit or symbol,
/// high entropy, not AWS's documented example key.
fn is_secret_key(v: &[u8]) -> bool {
    if v.len() != 40
        || !v
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
    {
        return false;
    }
    let (lower, upper, digit, other) = text::classes(v);
    lower && upper && (digit || other) && text::entropy(v) > 4.0 && !text::contains(v, b"EXAMPLE")
}
