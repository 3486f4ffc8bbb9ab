//! Redaction of secret-looking values.
//!
//! palisade never prints a secret value. Anything whose key looks like it
//! names a credential is replaced by [`REDACTED`] before it reaches a
//! renderer, in every output format.

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Key fragments that name credentials. Matched case-insensitively against
/// the key split at `_`, `-`, `.` and camelCase boundaries is overkill; a
/// substring test on the upper-cased key catches `DB_PASSWORD`,
/// `awsSecretAccessKey`, `GITHUB_TOKEN`, `api-key` alike.
const SECRET_KEY_FRAGMENTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "API-KEY",
    "ACCESS_KEY",
    "ACCESSKEY",
    "PRIVATE_KEY",
    "PRIVATEKEY",
    "CREDENTIAL",
    "AUTH",
    "SESSION_KEY",
    "CLIENT_KEY",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "CONNECTION_STRING",
    "DSN",
];

/// Keys that contain a fragment above but are known not to hold secrets.
const NOT_SECRET_KEYS: &[&str] = &["AUTHOR", "AUTHORS", "OAUTHLIB_INSECURE_TRANSPORT"];

/// Whether a variable or label name looks like it holds a credential.
pub fn looks_like_secret_key(key: &str) -> bool {
    let upper = key.trim().to_ascii_uppercase();
    if upper.is_empty() || NOT_SECRET_KEYS.contains(&upper.as_str()) {
        return false;
    }
    if upper.ends_with("_FILE") || upper.ends_with("_PATH") {
        // `POSTGRES_PASSWORD_FILE=/run/secrets/db` names where a secret is, not the secret.
        return false;
    }
    SECRET_KEY_FRAGMENTS.iter().any(|frag| upper.contains(frag))
}

/// Redacts the value of a `KEY=VALUE` environment entry when the key looks secret.
pub fn redact_env(entry: &str) -> String {
    match entry.split_once('=') {
        Some((key, value)) if looks_like_secret_key(key) && !value.is_empty() => {
            format!("{key}={REDACTED}")
        }
        _ => entry.to_string(),
    }
}

/// Redacts `KEY=VALUE` and `--key=value` / `--key value` assignments to
/// secret-looking keys inside a free-form command line, such as a history
/// `created_by` string (`/bin/sh -c #(nop) ENV DB_PASSWORD=hunter2`).
pub fn redact_assignment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut redact_next_word = false;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if redact_next_word && !word.is_empty() {
            out.push_str(REDACTED);
            redact_next_word = false;
            continue;
        }
        let bare = word.trim_start_matches('-');
        if let Some((key, value)) = bare.split_once('=') {
            if looks_like_secret_key(key) && !value.is_empty() {
                out.push_str(&word[..word.len() - value.len()]);
                out.push_str(REDACTED);
                continue;
            }
        } else if word.starts_with("--") && looks_like_secret_key(bare) {
            redact_next_word = true;
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for key in [
            "DB_PASSWORD",
            "awsSecretAccessKey",
            "GITHUB_TOKEN",
            "api-key",
            "AWS_ACCESS_KEY_ID",
            "MYSQL_ROOT_PASSWORD",
        ] {
            assert!(looks_like_secret_key(key), "{key}");
        }
        for key in [
            "PATH",
            "HOME",
            "LANG",
            "AUTHOR",
            "POSTGRES_PASSWORD_FILE",
            "PYTHON_VERSION",
            "",
        ] {
            assert!(!looks_like_secret_key(key), "{key}");
        }
    }

    #[test]
    fn env_redaction() {
        assert_eq!(redact_env("DB_PASSWORD=hunter2"), "DB_PASSWORD=<redacted>");
        assert_eq!(redact_env("PATH=/usr/bin"), "PATH=/usr/bin");
        assert_eq!(redact_env("TOKEN="), "TOKEN=");
        assert_eq!(redact_env("NOEQUALS"), "NOEQUALS");
    }

    #[test]
    fn command_line_redaction() {
        let s = "/bin/sh -c #(nop) ENV DB_PASSWORD=hunter2 LANG=C";
        assert_eq!(
            redact_assignment(s),
            "/bin/sh -c #(nop) ENV DB_PASSWORD=<redacted> LANG=C"
        );
        let s = "login --password hunter2 --user bob";
        assert_eq!(
            redact_assignment(s),
            "login --password <redacted> --user bob"
        );
        let s = "tool --api-key=abc123";
        assert_eq!(redact_assignment(s), "tool --api-key=<redacted>");
        assert!(!redact_assignment("ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI").contains("wJalr"));
    }
}
