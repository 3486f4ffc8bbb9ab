//! Slack tokens (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`) and
//! incoming-webhook URLs.

use super::rules::{SLACK_TOKEN, SLACK_WEBHOOK_URL};
use super::{Found, Window, text};
use regex::bytes::Regex;
use std::sync::LazyLock;

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)xox[baprs]-[0-9]{6,16}-[0-9A-Za-z\-]{8,128}").expect("valid regex")
});

static WEBHOOK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u)https?://hooks\.slack\.com/(?:services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/([A-Za-z0-9]{20,40})|workflows/T[A-Z0-9]{6,12}/A[A-Z0-9]{6,12}/[0-9]{6,24}/([A-Za-z0-9]{20,40}))",
    )
    .expect("valid regex")
});

pub(crate) fn scan_token(w: &Window<'_>, out: &mut Vec<Found>) {
    for m in TOKEN.find_iter(w.text) {
        if !text::bounded(w.text, m.start(), m.end(), b"-") {
            continue;
        }
        let token = m.as_bytes();
        let random = &token[5..];
        if token.len() < 24 || text::entropy(random) < 3.0 || text::is_placeholder(random) {
            continue;
        }
        out.push(Found {
            rule: &SLACK_TOKEN,
            start: w.base + m.start(),
            end: w.base + m.end(),
            line_at: w.base + m.start(),
            redacted: text::mask(&String::from_utf8_lossy(&token[..5]), random.len()),
        });
    }
}

pub(crate) fn scan_webhook(w: &Window<'_>, out: &mut Vec<Found>) {
    for c in WEBHOOK.captures_iter(w.text) {
        let (Some(all), Some(secret)) = (c.get(0), c.get(1).or(c.get(2))) else {
            continue;
        };
        if !text::bounded(w.text, secret.start(), secret.end(), b"")
            || text::entropy(secret.as_bytes()) < 3.0
            || text::is_placeholder(secret.as_bytes())
        {
            continue;
        }
        let kind = if c.get(1).is_some() {
            "services"
        } else {
            "workflows"
        };
        out.push(Found {
            rule: &SLACK_WEBHOOK_URL,
            start: w.base + all.start(),
            end: w.base + all.end(),
            line_at: w.base + all.start(),
            redacted: format!("https://hooks.slack.com/{kind}/<redacted>"),
        });
    }
}
