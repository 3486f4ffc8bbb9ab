//! One JSON object per line on stderr: what was decided and why (never
//! credentials; image references and reasons only).

pub fn event(mut value: serde_json::Value) {
    if let Some(o) = value.as_object_mut() {
        o.insert(
            "ts".into(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
                .into(),
        );
    }
    eprintln!("{value}");
}
