//! The tag history of a registry repository (`palisade aws lifecycle
//! --history FILE`): every digest a tag pointed at in earlier runs, so that
//! images whose tag moved on can be found again as untagged images (the
//! distribution API lists tags, never manifests). The file is user-writable
//! input: it is size-bounded by the caller and every digest is checked
//! before it becomes part of a URL.

use serde::{Deserialize, Serialize};

/// Most digests remembered.
pub const MAX_ENTRIES: usize = 1_000_000;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct History {
    /// `HOST/REPO`: a history is for one repository.
    pub repository: String,
    pub images: Vec<Remembered>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Remembered {
    pub digest: String,
    /// The config's `created` time (epoch seconds), standing in for the push time.
    pub pushed_at: i64,
    /// The tags that last pointed at it (empty once untagged).
    pub last_tags: Vec<String>,
}

/// Parses the history of `repository`.
pub fn parse(text: &str, repository: &str) -> Result<History, String> {
    let history: History =
        serde_json::from_str(text).map_err(|e| format!("not a palisade tag history: {e}"))?;
    if history.repository != repository {
        return Err(format!(
            "the history of {}, not of {repository}",
            history.repository
        ));
    }
    if history.images.len() > MAX_ENTRIES {
        return Err(format!("more than {MAX_ENTRIES} digests"));
    }
    for r in &history.images {
        if !is_digest(&r.digest) {
            return Err(format!(
                "digest {:?} is not sha256:<64 hex> or sha512:<128 hex>",
                r.digest
            ));
        }
    }
    Ok(history)
}

/// `sha256:` + 64 or `sha512:` + 128 lower-case hex digits.
pub fn is_digest(s: &str) -> bool {
    let (len, hex) = match s.split_once(':') {
        Some(("sha256", hex)) => (64, hex),
        Some(("sha512", hex)) => (128, hex),
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_repository_checked() {
        let ok = format!(
            r#"{{"repository": "r/x", "images": [{{"digest": "sha256:{}", "pushedAt": 1, "lastTags": ["v1"]}}]}}"#,
            "a".repeat(64)
        );
        assert_eq!(parse(&ok, "r/x").unwrap().images[0].last_tags, ["v1"]);
        assert!(parse(&ok, "r/y").unwrap_err().contains("not of r/y"));
        let bad = ok.replace(&"a".repeat(64), "../../../etc");
        assert!(parse(&bad, "r/x").unwrap_err().contains("digest"));
        assert!(!is_digest(&format!("sha256:{}", "A".repeat(64))));
        assert!(parse(r#"{"repository": "r/x", "images": [], "extra": 1}"#, "r/x").is_err());
    }
}
