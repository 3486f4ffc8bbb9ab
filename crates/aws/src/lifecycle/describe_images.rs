//! Images from a saved `aws ecr describe-images` JSON output.

use super::preview::Image;
use crate::condition::date;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Output {
    image_details: Vec<Detail>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    image_digest: String,
    #[serde(default)]
    image_tags: Vec<String>,
    image_pushed_at: serde_json::Value,
    #[serde(default)]
    last_recorded_pull_time: Option<serde_json::Value>,
    #[serde(default)]
    image_status: Option<String>,
}

/// AWS CLI prints times as ISO 8601 strings (or epoch seconds with
/// `--cli-timestamp-format none` / older versions).
fn time(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map(|f| f as i64),
        serde_json::Value::String(s) => date(s).map(|f| f as i64),
        _ => None,
    }
}

/// Parses `aws ecr describe-images` output (several pages may be concatenated
/// into one `imageDetails` array).
pub fn parse(text: &str) -> Result<Vec<Image>, String> {
    let out: Output =
        serde_json::from_str(text).map_err(|e| format!("not describe-images output: {e}"))?;
    out.image_details
        .into_iter()
        .map(|d| {
            let pushed_at = time(&d.image_pushed_at)
                .ok_or_else(|| format!("{}: imagePushedAt is not a time", d.image_digest))?;
            Ok(Image {
                digest: d.image_digest,
                tags: d.image_tags,
                pushed_at,
                last_pulled_at: d.last_recorded_pull_time.as_ref().and_then(time),
                storage_class: match d.image_status.as_deref() {
                    Some(s) if s.eq_ignore_ascii_case("ARCHIVED") => "archive".into(),
                    _ => "standard".into(),
                },
            })
        })
        .collect()
}
