//! npm: access tokens (`npm_` + 36) anywhere, and registry credentials
//! (`_authToken`, `_auth`, `_password`) in `.npmrc` files.

use super::rules::{NPM_ACCESS_TOKEN, NPMRC_AUTH};
use super::{Found, REDACTED, Window, text};
use regex::bytes::Regex;
use std::sync::LazyLock;

static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)npm_[A-Za-z0-9]{36}").expect("valid regex"));

static NPMRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m-u)^[ \t]*([^\s=#;]*?(?:_authToken|_auth|_password))[ \t]*=[ \t]*"?([^\s"]+)"#)
        .expect("valid regex")
});

pub(crate) fn scan_token(w: &Window<'_>, out: &mut Vec<Found>) {
    for m in TOKEN.find_iter(w.text) {
        let random = &m.as_bytes()[4..];
        if !text::bounded(w.text, m.start(), m.end(), b"") || text::entropy(random) < 3.0 {
            continue;
        }
        out.push(Found {
            rule: &NPM_ACCESS_TOKEN,
            start: w.base + m.start(),
            end: w.base + m.end(),
            line_at: w.base + m.start(),
            redacted: text::mask("npm_", random.len()),
        });
    }
}

/// The credential lines of a whole `.npmrc`.
pub(crate) fn scan_npmrc(content: &[u8], out: &mut Vec<Found>) {
    for c in NPMRC.captures_iter(content) {
        let (Some(key), Some(value)) = (c.get(1), c.get(2)) else {
            continue;
        };
        if text::is_placeholder(value.as_bytes()) || value.len() < 4 {
            continue;
        }
        out.push(Found {
            rule: &NPMRC_AUTH,
            start: value.start(),
            end: value.end(),
            line_at: key.start(),
            redacted: format!("{}={REDACTED}", text::show(key.as_bytes(), 96)),
        });
    }
}
