//! The hardened image's config: the input config with its fields kept
//! (history, labels, env, Docker extensions), the diff-ids updated, one
//! history entry and one label recording what was changed, and the new
//! user. Serialised with sorted keys, so it is deterministic.

use crate::HardenError;
use serde_json::{Map, Value, json};

/// The label that records what harden changed.
pub const LABEL: &str = "io.palisade.harden";

pub struct ConfigChange<'a> {
    pub new_diff_id: Option<String>,
    pub squash: bool,
    pub user: Option<&'a str>,
    /// One line: what changed (the label value and the history comment).
    pub summary: &'a str,
    /// The command recorded as the history step.
    pub created_by: &'a str,
    /// RFC 3339 time for the history entry.
    pub created: Option<String>,
}

pub fn rewrite(raw: &[u8], change: &ConfigChange<'_>) -> Result<Vec<u8>, HardenError> {
    let mut config: Value = serde_json::from_slice(raw)
        .map_err(|e| HardenError::Input(format!("image config: {e}")))?;
    let obj = config
        .as_object_mut()
        .ok_or_else(|| HardenError::Input("image config is not a JSON object".into()))?;
    let rootfs = obj
        .entry("rootfs")
        .or_insert_with(|| json!({"type": "layers", "diff_ids": []}));
    let diff_ids = rootfs["diff_ids"]
        .as_array_mut()
        .ok_or_else(|| HardenError::Input("image config: rootfs.diff_ids is not a list".into()))?;
    if change.squash {
        diff_ids.clear();
    }
    if let Some(d) = &change.new_diff_id {
        diff_ids.push(Value::String(d.clone()));
    }
    let history = obj
        .entry("history")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(steps) = history.as_array_mut() {
        if change.squash {
            // The old steps' layers are now all inside the new one.
            for step in steps.iter_mut() {
                if let Some(s) = step.as_object_mut() {
                    s.insert("empty_layer".into(), Value::Bool(true));
                }
            }
        }
        let mut step = Map::new();
        if let Some(c) = &change.created {
            step.insert("created".into(), Value::String(c.clone()));
        }
        step.insert("created_by".into(), Value::String(change.created_by.into()));
        step.insert("comment".into(), Value::String(change.summary.into()));
        if change.new_diff_id.is_none() {
            step.insert("empty_layer".into(), Value::Bool(true));
        }
        steps.push(Value::Object(step));
    }
    let inner = obj
        .entry("config")
        .or_insert_with(|| Value::Object(Map::new()));
    if inner.is_null() {
        *inner = Value::Object(Map::new());
    }
    let inner = inner
        .as_object_mut()
        .ok_or_else(|| HardenError::Input("image config: config is not an object".into()))?;
    if let Some(u) = change.user {
        inner.insert("User".into(), Value::String(u.into()));
    }
    let labels = inner
        .entry("Labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if labels.is_null() {
        *labels = Value::Object(Map::new());
    }
    if let Some(l) = labels.as_object_mut() {
        l.insert(LABEL.into(), Value::String(change.summary.into()));
    }
    Ok(serde_json::to_vec(&config).expect("config serialises"))
}

/// Seconds since the epoch of an RFC 3339 time (`2024-05-01T10:00:00.5Z`,
/// `…+02:00`); `None` if it is not one.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (rest[1..3].parse::<i64>().ok()? * 3600 + rest[4..6].parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    u64::try_from(t).ok()
}

/// RFC 3339 (UTC, whole seconds) of seconds since the epoch.
pub fn format_rfc3339(t: u64) -> String {
    let days = (t / 86400) as i64;
    let secs = t % 86400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

// Howard Hinnant's date algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-02-29T12:30:15.123456789Z"),
            Some(1709209815)
        );
        assert_eq!(parse_rfc3339("2024-02-29T14:30:15+02:00"), Some(1709209815));
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(format_rfc3339(1709209815), "2024-02-29T12:30:15Z");
    }

    #[test]
    fn records_the_change() {
        let raw = br#"{"architecture":"amd64","os":"linux","config":{"Labels":{"a":"b"}},
            "rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"history":[{"created_by":"x"}]}"#;
        let out = rewrite(
            raw,
            &ConfigChange {
                new_diff_id: Some("sha256:bb".into()),
                squash: false,
                user: Some("65532:65532"),
                summary: "setuid-stripped=1",
                created_by: "palisade harden",
                created: None,
            },
        )
        .unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["rootfs"]["diff_ids"], json!(["sha256:aa", "sha256:bb"]));
        assert_eq!(
            v["config"]["Labels"],
            json!({"a": "b", LABEL: "setuid-stripped=1"})
        );
        assert_eq!(v["config"]["User"], "65532:65532");
        assert_eq!(v["history"][1]["created_by"], "palisade harden");
    }
}
