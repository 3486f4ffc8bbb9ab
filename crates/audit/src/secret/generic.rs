//! Generic assignments of a value to a credential key: `DB_PASSWORD=...`,
//! `api_key: ...`, `"token": "..."`, `<password>...</password>`,
//! `--password=...`, plus the `.netrc` and `.pgpass` formats.
//!
//! Only run on configuration and credentials files, image config values and
//! build steps (see [`super::path::classify`]): source code and prose
//! mention `password` everywhere. Placeholders, references, paths, URLs and
//! low-entropy values are not reported.

use super::assign::Assignment;
use super::path::Generic;
use super::rules::{GENERIC_PASSWORD, GENERIC_SECRET, Rule};
use super::{Found, REDACTED, assignment_redacted, text};

/// Last words of a key that say the value is not the secret itself.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "directory",
    "url",
    "uri",
    "urls",
    "endpoint",
    "type",
    "types",
    "method",
    "methods",
    "mode",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "length",
    "len",
    "min",
    "max",
    "size",
    "timeout",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "lifetime",
    "age",
    "policy",
    "algorithm",
    "algorithms",
    "algo",
    "alg",
    "hash",
    "hashed",
    "digest",
    "encryption",
    "encrypted",
    "encoding",
    "cipher",
    "name",
    "names",
    "id",
    "ids",
    "ref",
    "reference",
    "source",
    "process",
    "helper",
    "provider",
    "providers",
    "store",
    "header",
    "field",
    "param",
    "parameter",
    "prompt",
    "command",
    "cmd",
    "format",
    "regex",
    "pattern",
    "prefix",
    "suffix",
    "chars",
    "charset",
    "strength",
    "validator",
    "validation",
    "reset",
    "change",
    "level",
    "count",
    "retries",
    "attempts",
    "limit",
    "interval",
    "version",
    "user",
    "username",
    "login",
    "email",
    "host",
    "port",
    "server",
    "scheme",
    "scope",
    "scopes",
    "audience",
    "issuer",
    "realm",
    "label",
    "hint",
    "description",
    "desc",
    "help",
    "text",
    "message",
    "msg",
    "title",
    "template",
    "class",
    "module",
    "plugin",
    "plugins",
    "backend",
    "backends",
    "handler",
    "driver",
    "service",
    "location",
    "env",
    "var",
    "variable",
    "mount",
    "lookup",
    "check",
    "verify",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "checksum",
    "kind",
    "key_id",
    "keyid",
    "rotation",
    "refresh_interval",
    "cache",
    "tokens",
    "list",
    "option",
    "options",
    "settings",
    "config",
    "configuration",
    "flag",
    "flags",
    "manager",
    "mechanism",
    "mechanisms",
    "strategy",
    "token_type",
    "response",
    "request",
    "storage",
    "table",
    "column",
    "col",
    "role",
    "roles",
    "group",
    "groups",
    "policy_arn",
    "arn",
    "region",
    "bucket",
    "namespace",
    "claim",
    "claims",
    "callback",
    "redirect",
];

fn key_words(key: &[u8]) -> Vec<String> {
    // Split at separators and lower→upper camelCase boundaries.
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for &b in key {
        if matches!(b, b'_' | b'.' | b'-' | b':') {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        cur.push(b.to_ascii_lowercase() as char);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The rule for a credential key, or `None` for keys that contain a
/// keyword but do not hold a secret (`author`, `password_file`, `token_type`).
pub(crate) fn key_rule(key: &[u8]) -> Option<&'static Rule> {
    let lower = String::from_utf8_lossy(key).to_ascii_lowercase();
    let lower = lower.trim_start_matches('-');
    if lower.is_empty() || lower.len() > 128 {
        return None;
    }
    if (lower.contains("author") && !lower.contains("authorization"))
        || lower.contains("tokeniz")
        || lower.contains("oauthlib")
    {
        return None;
    }
    let words = key_words(key);
    let last = words.last()?;
    if NOT_SECRET_SUFFIXES.contains(&last.as_str()) {
        return None;
    }
    // A keyword must be a word of the key or start or end one (`DB_PASSWORD`,
    // `dbPassword`, `oauth`, `authkey`); `pass` and `pwd` only as whole
    // words (not `passenger`, `bypass`).
    let has = |w: &str| {
        words
            .iter()
            .any(|x| x == w || x.starts_with(w) || x.ends_with(w))
    };
    let exact = |w: &str| words.iter().any(|x| x == w);
    let password =
        has("password") || has("passwd") || has("passphrase") || exact("pwd") || exact("pass");
    if password {
        return Some(&GENERIC_PASSWORD);
    }
    let secret = has("secret")
        || has("token")
        || has("apikey")
        || lower.contains("api_key")
        || lower.contains("api-key")
        || lower.contains("api.key")
        || (words.windows(2).any(|w| w[0] == "api" && w[1] == "key"))
        || has("auth")
        || has("credential")
        || has("credentials")
        || has("privatekey")
        || lower.contains("private_key")
        || lower.contains("private-key")
        || (words.windows(2).any(|w| w[0] == "private" && w[1] == "key"));
    secret.then_some(&GENERIC_SECRET)
}

/// Whether a value is worth reporting for this rule and mode.
fn value_is_secret(rule: &Rule, v: &[u8], mode: Generic) -> bool {
    if v.len() > 4096 {
        return false;
    }
    let (lower, upper, digit, other) = text::classes(v);
    let kinds = [lower, upper, digit, other].iter().filter(|&&k| k).count();
    let password = rule.id == GENERIC_PASSWORD.id;
    // Cheap tests first, the placeholder lists last.
    let shape = match (mode, password) {
        (Generic::Off, _) => false,
        (Generic::Credentials, true) => v.len() >= 4,
        (Generic::Credentials, false) => v.len() >= 8 && kinds >= 2,
        (Generic::Config, true) => v.len() >= 8 && kinds >= 2 && text::entropy(v) >= 2.5,
        (Generic::Config, false) => {
            v.len() >= 16 && (lower || upper) && digit && text::entropy(v) >= 3.0
        }
    };
    shape && !text::is_placeholder(v)
}

/// The assignment found around a keyword hit, if it is a secret.
pub(crate) fn assignment(content: &[u8], a: &Assignment, mode: Generic, out: &mut Vec<Found>) {
    let key = &content[a.key.clone()];
    let value = &content[a.value.clone()];
    // The value first, against the laxer password requirements (cheaper
    // than looking at the key, and most candidates fail here).
    if !value_is_secret(&GENERIC_PASSWORD, value, mode) {
        return;
    }
    let Some(rule) = key_rule(key) else {
        return;
    };
    if rule.id != GENERIC_PASSWORD.id && !value_is_secret(rule, value, mode) {
        return;
    }
    let shown = text::show(key, 96);
    let redacted = match a.sep {
        b'>' => format!("<{shown}>{REDACTED}</{shown}>"),
        b' ' => format!("{shown} {REDACTED}"),
        sep => assignment_redacted(key, sep),
    };
    out.push(Found {
        rule,
        start: a.value.start,
        end: a.value.end,
        line_at: a.key.start,
        redacted,
    });
}

/// A key and its whole value (image config Env entries and labels).
pub(crate) fn check_pair(key: &str, value: &str, out: &mut Vec<Found>) {
    let Some(rule) = key_rule(key.as_bytes()) else {
        return;
    };
    let v = value.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(v);
    if value_is_secret(rule, v.as_bytes(), Generic::Config) {
        out.push(Found {
            rule,
            start: 0,
            end: value.len(),
            line_at: 0,
            redacted: assignment_redacted(key.as_bytes(), b'='),
        });
    }
}

/// `machine host login user password secret` (`.netrc`, whole file).
pub(crate) fn scan_netrc(content: &[u8], out: &mut Vec<Found>) {
    let words = content
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| (w.as_ptr() as usize - content.as_ptr() as usize, w));
    let mut previous: Option<(usize, &[u8])> = None;
    for (at, word) in words {
        if let Some((key_at, key)) = previous
            && matches!(key, b"password" | b"passwd")
            && value_is_secret(&GENERIC_PASSWORD, word, Generic::Credentials)
        {
            out.push(Found {
                rule: &GENERIC_PASSWORD,
                start: at,
                end: at + word.len(),
                line_at: key_at,
                redacted: format!("{} {REDACTED}", text::show(key, 16)),
            });
        }
        previous = Some((at, word));
    }
}

/// `hostname:port:database:username:password` (`.pgpass`, whole file).
pub(crate) fn scan_pgpass(content: &[u8], out: &mut Vec<Found>) {
    let mut offset = 0;
    for line in content.split(|&b| b == b'\n') {
        let start = offset;
        offset += line.len() + 1;
        if line.trim_ascii_start().starts_with(b"#") {
            continue;
        }
        // Split at unescaped colons.
        let mut fields = Vec::new();
        let mut field_start = 0;
        let mut i = 0;
        while i < line.len() && fields.len() < 4 {
            match line[i] {
                b'\\' => i += 2,
                b':' => {
                    fields.push(field_start..i);
                    field_start = i + 1;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        if fields.len() < 4 {
            continue;
        }
        let password = line[field_start..].trim_ascii_end();
        if !value_is_secret(&GENERIC_PASSWORD, password, Generic::Credentials) {
            continue;
        }
        out.push(Found {
            rule: &GENERIC_PASSWORD,
            start: start + field_start,
            end: start + field_start + password.len(),
            line_at: start,
            redacted: format!(
                "{}:{REDACTED}",
                text::show(&line[..field_start.saturating_sub(1)], 128)
            ),
        });
    }
}
