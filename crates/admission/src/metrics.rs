//! Prometheus metrics in the text exposition format (written by hand: a
//! few counters and one histogram do not need a metrics crate).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Histogram bucket upper bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
pub struct Metrics {
    /// (path, outcome) → count; outcome is allowed, denied, error.
    requests: Mutex<BTreeMap<(String, &'static str), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    /// rule → denials.
    denials: Mutex<BTreeMap<String, u64>>,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    pub policy_reloads: AtomicU64,
    pub policy_reload_errors: AtomicU64,
    pub cert_reloads: AtomicU64,
    /// Requests that joined a registry fetch or scan already running.
    pub inflight_merged: AtomicU64,
    /// palisade's own image scans started.
    pub scans: AtomicU64,
    /// Connections open now, and the limit (gauges).
    pub connections_open: AtomicU64,
    pub connections_max: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Times the accept loop waited because every connection slot was taken.
    pub connections_at_limit: AtomicU64,
    /// TLS handshakes in progress now (gauge), and failed or timed out.
    pub handshakes_active: AtomicU64,
    pub handshake_failures: AtomicU64,
}

fn bump<K: Ord>(m: &Mutex<BTreeMap<K, u64>>, k: K) {
    *m.lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(k)
        .or_default() += 1;
}

impl Metrics {
    pub fn request(&self, path: &str, outcome: &'static str, took: Duration) {
        // Only known paths become labels (a scanner cannot grow the map).
        let path = match path {
            "/validate" | "/mutate" => path,
            _ => "other",
        };
        bump(&self.requests, (path.to_string(), outcome));
        let secs = took.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.buckets[i].fetch_add(1, Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Relaxed);
        self.latency_sum_micros
            .fetch_add(took.as_micros() as u64, Relaxed);
    }

    pub fn denial(&self, rule: &str) {
        bump(&self.denials, rule.to_string());
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str("# HELP palisade_admission_requests_total Admission reviews answered.\n# TYPE palisade_admission_requests_total counter\n");
        for ((path, outcome), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                s,
                "palisade_admission_requests_total{{path=\"{path}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        s.push_str("# HELP palisade_admission_request_duration_seconds Time to answer an admission review.\n# TYPE palisade_admission_request_duration_seconds histogram\n");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "palisade_admission_request_duration_seconds_bucket{{le=\"{b}\"}} {}",
                self.buckets[i].load(Relaxed)
            );
        }
        let count = self.latency_count.load(Relaxed);
        let _ = writeln!(
            s,
            "palisade_admission_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            s,
            "palisade_admission_request_duration_seconds_sum {}",
            self.latency_sum_micros.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(
            s,
            "palisade_admission_request_duration_seconds_count {count}"
        );
        s.push_str("# HELP palisade_admission_denials_total Denied images by rule.\n# TYPE palisade_admission_denials_total counter\n");
        for (rule, n) in self
            .denials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(s, "palisade_admission_denials_total{{rule=\"{rule}\"}} {n}");
        }
        for (name, help, v) in [
            (
                "palisade_admission_cache_hits_total",
                "Image facts answered from the cache.",
                &self.cache_hits,
            ),
            (
                "palisade_admission_cache_misses_total",
                "Image facts read from the registry.",
                &self.cache_misses,
            ),
            (
                "palisade_admission_policy_reloads_total",
                "Policy files loaded.",
                &self.policy_reloads,
            ),
            (
                "palisade_admission_policy_reload_errors_total",
                "Policy reloads refused (old policy kept).",
                &self.policy_reload_errors,
            ),
            (
                "palisade_admission_certificate_reloads_total",
                "TLS certificates loaded.",
                &self.cert_reloads,
            ),
            (
                "palisade_admission_inflight_merged_total",
                "Lookups that waited for the same registry fetch or scan already running instead of starting one.",
                &self.inflight_merged,
            ),
            (
                "palisade_admission_scans_total",
                "Images scanned by palisade (cache misses that were not merged).",
                &self.scans,
            ),
            (
                "palisade_admission_connections_total",
                "TCP connections accepted.",
                &self.connections,
            ),
            (
                "palisade_admission_connections_at_limit_total",
                "Times new connections waited in the listen backlog because --max-connections were open.",
                &self.connections_at_limit,
            ),
            (
                "palisade_admission_tls_handshake_failures_total",
                "TLS handshakes that failed or did not finish in 10 s.",
                &self.handshake_failures,
            ),
        ] {
            let _ = writeln!(
                s,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Relaxed)
            );
        }
        for (name, help, v) in [
            (
                "palisade_admission_connections_open",
                "Connections open now.",
                &self.connections_open,
            ),
            (
                "palisade_admission_connections_max",
                "The limit of open connections (--max-connections).",
                &self.connections_max,
            ),
            (
                "palisade_admission_tls_handshakes_active",
                "TLS handshakes in progress now.",
                &self.handshakes_active,
            ),
        ] {
            let _ = writeln!(
                s,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}",
                v.load(Relaxed)
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.request("/validate", "denied", Duration::from_millis(3));
        m.request("/evil\"path", "allowed", Duration::from_secs(2));
        m.denial("vulnerabilities");
        let text = m.render();
        assert!(text.contains(
            "palisade_admission_requests_total{path=\"/validate\",outcome=\"denied\"} 1"
        ));
        assert!(text.contains("path=\"other\""));
        assert!(text.contains("duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("duration_seconds_bucket{le=\"5\"} 2"));
        assert!(text.contains("duration_seconds_count 2"));
        assert!(text.contains("palisade_admission_denials_total{rule=\"vulnerabilities\"} 1"));
    }
}
