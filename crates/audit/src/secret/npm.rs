//! npm: access tokens (`npm_` + 36) anywhere, and registry credentials
//! (`_authToken`, `_auth`, `_password`) in `.npmrc` files.

use super::rules::{NPM_ACCESS_TOKEN, NPMRC_AUTH};
use super::{Found, REDACTED, text};

/// `npm_` + 36 alphanumerics at `hit`.
pub(crate) fn token_at(content: &[u8], hit: usize, out: &mut Vec<Found>) {
    let end = hit + 4 + 36;
    if text::run(content, hit + 4, 37, |b| b.is_ascii_alphanumeric()) != 36
        || !text::bounded(content, hit, end, b"")
        || text::entropy(&content[hit + 4..end]) < 3.0
    {
        return;
    }
    out.push(Found {
        rule: &NPM_ACCESS_TOKEN,
        start: hit,
        end,
        line_at: hit,
        redacted: text::mask("npm_", 36),
    });
}

/// The credential lines of a whole `.npmrc`:
/// `//registry.example/:_authToken=...`, `_auth=...`, `_password=...`.
pub(crate) fn scan_npmrc(content: &[u8], out: &mut Vec<Found>) {
    let mut offset = 0;
    for line in content.split(|&b| b == b'\n') {
        let line_start = offset;
        offset += line.len() + 1;
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = line[..eq].trim_ascii();
        if key.starts_with(b"#") || key.starts_with(b";") {
            continue;
        }
        if !(key.ends_with(b"_authToken") || key.ends_with(b"_auth") || key.ends_with(b"_password"))
        {
            continue;
        }
        let raw = &line[eq + 1..];
        let lead = raw.len() - raw.trim_ascii_start().len();
        let mut value = raw.trim_ascii();
        let mut value_start = line_start + eq + 1 + lead;
        if value.len() >= 2 && value[0] == b'"' && value[value.len() - 1] == b'"' {
            value = &value[1..value.len() - 1];
            value_start += 1;
        }
        if value.len() < 4 || text::is_placeholder(value) {
            continue;
        }
        let key_start = line_start + (key.as_ptr() as usize - line.as_ptr() as usize);
        out.push(Found {
            rule: &NPMRC_AUTH,
            start: value_start,
            end: value_start + value.len(),
            line_at: key_start,
            redacted: format!("{}={REDACTED}", text::show(key, 96)),
        });
    }
}
