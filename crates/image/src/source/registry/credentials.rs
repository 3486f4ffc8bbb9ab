//! Registry credentials from `--username/--password-stdin` or Docker's
//! `config.json` (`auths` entries, `credHelpers` and `credsStore`).
//! Credentials are never logged or put into error messages.

use base64::Engine as _;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: HashMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

/// The Docker config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn default_docker_config() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The keys an `auths` entry for `registry` may be stored under.
fn candidate_keys(registry: &str) -> Vec<String> {
    let mut keys = vec![
        registry.to_string(),
        format!("https://{registry}"),
        format!("http://{registry}"),
        format!("https://{registry}/v1/"),
        format!("https://{registry}/v2/"),
    ];
    if registry == "docker.io" {
        keys.push("https://index.docker.io/v1/".into());
        keys.push("index.docker.io".into());
        keys.push("registry-1.docker.io".into());
    }
    keys
}

/// Strips scheme and path from an `auths` key: `https://host:5000/v1/` → `host:5000`.
fn key_host(key: &str) -> &str {
    let no_scheme = key.split_once("://").map(|(_, r)| r).unwrap_or(key);
    no_scheme.split('/').next().unwrap_or(no_scheme)
}

/// Looks up credentials for `registry` in a Docker config file. A missing
/// file means no credentials; an unreadable or invalid one is an error
/// (silently going anonymous would hide the cause of a later 401).
pub fn from_docker_config(path: &Path, registry: &str) -> Result<Option<Credentials>, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if bytes.len() > 4 << 20 {
        return Err(format!("{}: too large for a Docker config", path.display()));
    }
    let config: DockerConfig = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: invalid Docker config: {e}", path.display()))?;
    let keys = candidate_keys(registry);
    if let Some(helper) = keys.iter().find_map(|k| config.cred_helpers.get(k)) {
        return credential_helper(helper, registry);
    }
    let entry = keys.iter().find_map(|k| config.auths.get(k)).or_else(|| {
        config
            .auths
            .iter()
            .find(|(k, _)| key_host(k) == registry)
            .map(|(_, v)| v)
    });
    if let Some(entry) = entry {
        if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
            return Ok(Some(Credentials {
                username: u.clone(),
                password: p.clone(),
            }));
        }
        if let Some(auth) = &entry.auth {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| {
                    format!(
                        "{}: auths entry for {registry} is not base64",
                        path.display()
                    )
                })?;
            let text = String::from_utf8(decoded).map_err(|_| {
                format!(
                    "{}: auths entry for {registry} is not UTF-8",
                    path.display()
                )
            })?;
            let (u, p) = text.split_once(':').ok_or_else(|| {
                format!(
                    "{}: auths entry for {registry} is not user:password",
                    path.display()
                )
            })?;
            return Ok(Some(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            }));
        }
    }
    if let Some(store) = &config.creds_store {
        return credential_helper(store, registry);
    }
    Ok(None)
}

/// Runs `docker-credential-<helper> get`, which answers `{"Username":…,"Secret":…}`.
fn credential_helper(helper: &str, registry: &str) -> Result<Option<Credentials>, String> {
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!("invalid credential helper name {helper:?}"));
    }
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(registry.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !out.status.success() {
        // "credentials not found" is a normal answer: go anonymous.
        return Ok(None);
    }
    #[derive(Deserialize)]
    struct HelperAnswer {
        #[serde(rename = "Username")]
        username: String,
        #[serde(rename = "Secret")]
        secret: String,
    }
    let answer: HelperAnswer = serde_json::from_slice(&out.stdout)
        .map_err(|_| format!("{program} gave an invalid answer"))?;
    Ok(Some(Credentials {
        username: answer.username,
        password: answer.secret,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, json: &str) -> PathBuf {
        let p = dir.join("config.json");
        std::fs::write(&p, json).unwrap();
        p
    }

    #[test]
    fn auths_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            r#"{"auths":{"https://127.0.0.1:5000/v1/":{"auth":"YWxpY2U6czNjcjN0"},"ghcr.io":{"username":"bob","password":"pw"}}}"#,
        );
        let c = from_docker_config(&p, "127.0.0.1:5000").unwrap().unwrap();
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("alice", "s3cr3t")
        );
        assert_eq!(
            from_docker_config(&p, "ghcr.io").unwrap().unwrap().username,
            "bob"
        );
        assert_eq!(from_docker_config(&p, "quay.io").unwrap(), None);
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn bad_configs() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            from_docker_config(&dir.path().join("missing.json"), "x").unwrap(),
            None
        );
        let p = write(dir.path(), "{not json");
        assert!(
            from_docker_config(&p, "x")
                .unwrap_err()
                .contains("invalid Docker config")
        );
        let p = write(dir.path(), r#"{"auths":{"x":{"auth":"!!!"}}}"#);
        let err = from_docker_config(&p, "x").unwrap_err();
        assert!(err.contains("base64") && !err.contains("!!!"), "{err}");
        let p = write(dir.path(), r#"{"credHelpers":{"x":"../evil"}}"#);
        assert!(from_docker_config(&p, "x").is_err());
    }
}
