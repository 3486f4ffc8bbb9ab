//! PAL-IMG-018: secrets in the image config's Env and Labels.

use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity, looks_like_secret_key};
use palisade_report::RuleDoc;

pub struct SecretInConfig;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-018",
    title: "secret in the image config",
    severity: Severity::High,
    rationale: "ENV and LABEL values are stored in the image config in clear text: `docker inspect`, \
        every registry UI and every admission log shows them.",
    fix: "Remove the ENV/LABEL and rotate the secret; inject it at run time from a Kubernetes Secret or a \
        secrets manager. Use --accept-key NAME for a variable that is not a secret.",
    peer_ids: &["CIS-DI-0010", "CIS 4.10", "AVD-DS-0031"],
    references: &[],
};

/// Values that name where a secret is, or are obviously not one.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    // An endpoint (`TOKEN_URL=https://sso.example.com/token`) names where to
    // get a secret; credentials in a URL are the secret scanner's (checked first).
    let plain_url = v.contains("://") && !v.contains('@') && !v.contains('?');
    v.is_empty()
        || plain_url
        || v.starts_with('/')
        || v.starts_with("${")
        || v.starts_with('$')
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "none" | "null" | "changeme" | "<changeme>"
        )
}

/// Last words of keys that configure something about a secret rather than
/// hold one (`TOKEN_TTL=3600`, `PASSWORD_MIN_LENGTH=12`, `AUTH_TYPE=oauth2`,
/// `SECRET_NAME=app-credentials`). Only the name-based fallback skips them;
/// a value the secret scanner recognises is reported whatever its key.
const SETTING_SUFFIXES: &[&str] = &[
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "LIFETIME",
    "TIMEOUT",
    "LENGTH",
    "LEN",
    "MIN",
    "MAX",
    "TYPE",
    "METHOD",
    "MODE",
    "SCOPE",
    "SCOPES",
    "HEADER",
    "PORT",
    "HOST",
    "URL",
    "URI",
    "ENDPOINT",
    "ISSUER",
    "AUDIENCE",
    "ALGO",
    "ALGORITHM",
    "ENABLED",
    "DISABLED",
    "REQUIRED",
    "POLICY",
    "NAME",
    "USER",
    "USERNAME",
    "VERSION",
    "REGION",
    "PROVIDER",
    "STRATEGY",
];

/// Whether the key's last word (after `_`, `-`, `.` or a camelCase
/// boundary) is one of [`SETTING_SUFFIXES`]: `AUTH_SERVER_PORT`, `tokenTtl`,
/// but not `DB_PASSWORD_ADMIN`.
fn is_setting_key(key: &str) -> bool {
    let key = key.trim();
    let tail = &key[key.rfind(['_', '-', '.']).map_or(0, |i| i + 1)..];
    let b = tail.as_bytes();
    let cut = (1..b.len())
        .rev()
        .find(|&i| b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase())
        .unwrap_or(0);
    let word = tail[cut..].to_ascii_uppercase();
    SETTING_SUFFIXES.contains(&word.as_str())
}

impl Check for SecretInConfig {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Secret
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let Some(cfg) = ctx.image.config.config().as_ref() else {
            return Vec::new();
        };
        let mut pairs: Vec<(&str, String, String)> = Vec::new();
        for entry in cfg.env().clone().unwrap_or_default() {
            if let Some((k, v)) = entry.split_once('=') {
                pairs.push(("ENV", k.to_string(), v.to_string()));
            }
        }
        for (k, v) in cfg.labels().clone().unwrap_or_default() {
            pairs.push(("LABEL", k, v));
        }
        let mut out = Vec::new();
        for (kind, key, value) in pairs {
            if ctx.key_accepted(&key) {
                continue;
            }
            let hits = crate::secret::scan_value(Some(&key), &value);
            if let Some(m) = hits.iter().max_by_key(|m| m.severity) {
                let mut f =
                    ctx.finding(&DOC, format!("{kind} {key}: {} ({})", m.title, m.redacted));
                f.severity = m.severity;
                out.push(f);
            } else if looks_like_secret_key(&key)
                && !is_setting_key(&key)
                && !is_placeholder(&value)
            {
                let mut f = ctx.finding(
                    &DOC,
                    format!("{kind} {key} has a secret-looking name and a value ({} characters, redacted)", value.chars().count()),
                );
                f.severity = Severity::Medium;
                out.push(f);
            }
        }
        out
    }
}
