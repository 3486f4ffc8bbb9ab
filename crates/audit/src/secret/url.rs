//! URLs with embedded credentials: `scheme://user:password@host`.

use super::rules::URL_CREDENTIALS;
use super::{Found, REDACTED, Window, text};
use regex::bytes::Regex;
use std::sync::LazyLock;

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i-u)([a-z][a-z0-9+.\-]{1,19})://([^\s/?#@:'"<>`\\\[\]{}()|,;*$%]{1,128}):([^\s/?#@'"<>`\\]{1,256})@([a-z0-9\[][a-z0-9.\-\]:_]*)"#,
    )
    .expect("valid regex")
});

/// Host names of documentation (RFC 2606 and the usual stand-ins).
fn placeholder_host(host: &[u8]) -> bool {
    let h = host.to_ascii_lowercase();
    let h = String::from_utf8_lossy(&h);
    h.contains("example")
        || matches!(
            h.as_ref(),
            "host"
                | "hostname"
                | "server"
                | "domain"
                | "myhost"
                | "yourhost"
                | "x"
                | "h"
                | "foo"
                | "bar"
        )
        || h.ends_with(".test")
        || h.ends_with(".invalid")
}

pub(crate) fn scan(w: &Window<'_>, out: &mut Vec<Found>) {
    for c in URL.captures_iter(w.text) {
        let (Some(all), Some(scheme), Some(user), Some(pass), Some(host)) =
            (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4))
        else {
            continue;
        };
        if all.start() > 0 && w.text[all.start() - 1].is_ascii_alphanumeric() {
            continue;
        }
        let p = pass.as_bytes();
        if p.len() < 3
            || p == user.as_bytes()
            || text::is_placeholder(p)
            || host.as_bytes().is_empty()
            || placeholder_host(host.as_bytes())
        {
            continue;
        }
        out.push(Found {
            rule: &URL_CREDENTIALS,
            start: w.base + pass.start(),
            end: w.base + pass.end(),
            line_at: w.base + all.start(),
            redacted: format!(
                "{}://{}:{REDACTED}@{}",
                text::show(scheme.as_bytes(), 20),
                text::show(user.as_bytes(), 64),
                text::show(host.as_bytes(), 128)
            ),
        });
    }
}
