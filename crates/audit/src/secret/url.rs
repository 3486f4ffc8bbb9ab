//! URLs with embedded credentials: `scheme://user:password@host`.

use super::rules::URL_CREDENTIALS;
use super::{Found, REDACTED, text};

/// Host names of documentation (RFC 2606 and the usual stand-ins).
fn placeholder_host(host: &[u8]) -> bool {
    let h = String::from_utf8_lossy(host).to_ascii_lowercase();
    h.contains("example")
        || matches!(
            h.as_str(),
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

fn is_scheme_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')
}

/// The URL whose `://` is at `hit`.
pub(crate) fn at(content: &[u8], hit: usize, out: &mut Vec<Found>) {
    // Scheme: up to 20 characters before `://`, starting with a letter.
    let mut s = hit;
    while s > 0 && hit - s < 20 && is_scheme_char(content[s - 1]) {
        s -= 1;
    }
    if s == hit || !content[s].is_ascii_alphabetic() || (s > 0 && is_scheme_char(content[s - 1])) {
        return;
    }
    // Userinfo: up to the first delimiter; it must be `@`.
    let from = hit + 3;
    let n = text::run(content, from, 512, |b| {
        !(b.is_ascii_whitespace()
            || b.is_ascii_control()
            || matches!(
                b,
                b'/' | b'?' | b'#' | b'@' | b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\'
            ))
    });
    let at = from + n;
    if content.get(at) != Some(&b'@') {
        return;
    }
    let userinfo = &content[from..at];
    let Some(colon) = userinfo.iter().position(|&b| b == b':') else {
        return;
    };
    let (user, pass) = (&userinfo[..colon], &userinfo[colon + 1..]);
    let host_len = text::run(content, at + 1, 256, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':')
    });
    let host = &content[at + 1..at + 1 + host_len];
    if user.len() > 128
        || user.iter().any(|b| b"[]{}()|,;*$%".contains(b))
        || pass.len() < 3
        || pass.len() > 256
        || pass == user
        || text::is_placeholder(pass)
        || host.is_empty()
        || !(host[0].is_ascii_alphanumeric() || host[0] == b'[')
        || placeholder_host(host)
    {
        return;
    }
    out.push(Found {
        rule: &URL_CREDENTIALS,
        start: from + colon + 1,
        end: at,
        line_at: s,
        redacted: format!(
            "{}://{}:{REDACTED}@{}",
            text::show(&content[s..hit], 20),
            text::show(user, 64),
            text::show(host, 128)
        ),
    });
}
