//! Deciding one admission request: the images of the object, the rules
//! in force in its namespace, facts read from the registry (cached), and
//! the answer (allowed or the reasons, warnings, a digest patch).

use crate::cache::Lru;
use crate::facts::{ImageSource, Resolved, VulnFacts};
use crate::flight::{Flights, Joined};
use crate::images::{ContainerImage, Extracted};
use crate::metrics::Metrics;
use crate::policy::{Mode, OnError, Policy, Rules};
use crate::review::AdmissionRequest;
use crate::rules;
use crate::signature::{SigResult, SignatureCheck};
use palisade_image::RegistryRef;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, RwLock};
use std::time::Instant;
use tokio::sync::Semaphore;

/// One rule an image fails (or could not be checked against).
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub image: String,
    pub rule: &'static str,
    pub mode: Mode,
    pub reason: String,
}

/// The answer to one request.
#[derive(Debug, Default)]
pub struct Decision {
    pub allowed: bool,
    /// status.message when denied.
    pub message: String,
    pub warnings: Vec<String>,
    /// JSON Patch operations (mutation only).
    pub patch: Vec<Value>,
    pub denied: Vec<Violation>,
    pub audited: Vec<Violation>,
}

pub struct Evaluator {
    policy: RwLock<Arc<Policy>>,
    source: Arc<dyn ImageSource>,
    signatures: Arc<dyn SignatureCheck>,
    /// Reference as written (normalised) → manifest digest and user.
    resolved: Lru<String, Resolved>,
    /// (repo@digest, keys) → signature result.
    signed: Lru<(String, String), SigResult>,
    /// (repo@digest, trust attestations) → vulnerabilities.
    vulns: Lru<(String, bool), VulnFacts>,
    /// Lookups in the air, one per key: concurrent requests for the same
    /// uncached image wait for the one fetch (crate::flight).
    resolving: Flights<String, Resolved>,
    verifying: Flights<(String, String), SigResult>,
    scanning: Flights<(String, bool, String), VulnFacts>,
    /// Full scans read whole images: at most this many at once.
    scans: Arc<Semaphore>,
    /// Bumped by every invalidation, so a scan that finishes after the
    /// policy or database changed does not fill the new cache.
    generation: AtomicU64,
    pub metrics: Arc<Metrics>,
}

/// Runs a blocking registry call on the blocking pool. No deadline here:
/// the registry calls have their own timeouts, and the flight waiting on
/// it has the request's.
async fn unblock<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("internal error: {e}"))?
}

/// The mode an unanswerable check gets: the rule's own under
/// `on_error: deny` (fail closed), at most a warning under `allow`.
fn error_mode(mode: Mode, on_error: OnError) -> Mode {
    match (on_error, mode) {
        (OnError::Deny, m) => m,
        (OnError::Allow, Mode::Audit) => Mode::Audit,
        (OnError::Allow, Mode::Off) => Mode::Off,
        (OnError::Allow, _) => Mode::Warn,
    }
}

impl Evaluator {
    pub fn new(
        policy: Policy,
        source: Arc<dyn ImageSource>,
        signatures: Arc<dyn SignatureCheck>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let size = policy.cache_size;
        Evaluator {
            policy: RwLock::new(Arc::new(policy)),
            source,
            signatures,
            resolved: Lru::new(size),
            signed: Lru::new(size),
            vulns: Lru::new(size),
            resolving: Flights::default(),
            verifying: Flights::default(),
            scanning: Flights::default(),
            scans: Arc::new(Semaphore::new(2)),
            generation: AtomicU64::new(0),
            metrics,
        }
    }

    pub fn policy(&self) -> Arc<Policy> {
        self.policy
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A new policy: cached facts may have been read under other rules
    /// (keys, attestation trust), so they are dropped.
    pub fn set_policy(&self, policy: Policy) {
        *self.policy.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
        self.invalidate();
    }

    /// Drops every cached fact (the policy or the database changed).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Relaxed);
        self.resolved.clear();
        self.signed.clear();
        self.vulns.clear();
    }

    fn hit(&self, hit: bool) {
        if hit {
            self.metrics.cache_hits.fetch_add(1, Relaxed);
        } else {
            self.metrics.cache_misses.fetch_add(1, Relaxed);
        }
    }

    fn joined(&self, joined: Joined) {
        if joined == Joined::Merged {
            self.metrics.inflight_merged.fetch_add(1, Relaxed);
        }
    }

    async fn resolve(
        self: &Arc<Self>,
        policy: &Policy,
        reference: &RegistryRef,
        deadline: Instant,
    ) -> Result<Resolved, String> {
        let key = reference.to_string();
        // A digest cannot move: keep it as long as the facts; a tag briefly.
        let ttl = if reference.digest.is_some() {
            policy.cache_ttl
        } else {
            policy.tag_ttl
        };
        if let Some(r) = self.resolved.get(&key, ttl) {
            self.hit(true);
            return Ok(r);
        }
        self.hit(false);
        let (me, r, k) = (self.clone(), reference.clone(), key.clone());
        let generation = self.generation.load(Relaxed);
        let (result, joined) = self
            .resolving
            .run(key, deadline, move || async move {
                // A flight that landed between our look and now filled it.
                if let Some(v) = me.resolved.get(&k, ttl) {
                    return Ok(v);
                }
                let source = me.source.clone();
                let resolved = unblock(move || source.resolve(&r)).await?;
                if me.generation.load(Relaxed) == generation {
                    me.resolved.insert(k, resolved.clone());
                }
                Ok(resolved)
            })
            .await;
        self.joined(joined);
        result
    }

    async fn signature(
        self: &Arc<Self>,
        policy: &Policy,
        pinned: &RegistryRef,
        keys: &[String],
        deadline: Instant,
    ) -> SigResult {
        let key = (pinned.to_string(), keys.join("\n"));
        let ttl = policy.cache_ttl;
        if let Some(r) = self.signed.get(&key, ttl) {
            self.hit(true);
            return r;
        }
        self.hit(false);
        let (me, r, ks, k) = (self.clone(), pinned.clone(), keys.to_vec(), key.clone());
        let generation = self.generation.load(Relaxed);
        let (result, joined) = self
            .verifying
            .run(key, deadline, move || async move {
                if let Some(v) = me.signed.get(&k, ttl) {
                    return Ok(v);
                }
                let check = me.signatures.clone();
                let result = unblock(move || Ok(check.verify(&r, &ks)))
                    .await
                    .unwrap_or_else(SigResult::Unavailable);
                // Errors are not remembered: the next request tries again.
                if !matches!(result, SigResult::Unavailable(_))
                    && me.generation.load(Relaxed) == generation
                {
                    me.signed.insert(k, result.clone());
                }
                Ok(result)
            })
            .await;
        self.joined(joined);
        result.unwrap_or_else(SigResult::Unavailable)
    }

    async fn vulnerabilities(
        self: &Arc<Self>,
        policy: &Policy,
        rules: &Rules,
        pinned: &RegistryRef,
        deadline: Instant,
    ) -> Result<VulnFacts, String> {
        let key = (pinned.to_string(), rules.trust_attestations);
        let ttl = policy.cache_ttl;
        if let Some(v) = self.vulns.get(&key, ttl) {
            self.hit(true);
            return Ok(v);
        }
        self.hit(false);
        // The attestation depends on the keys; the scan does not.
        let keys = if rules.trust_attestations {
            rules.keys.join("\n")
        } else {
            String::new()
        };
        let flight = (key.0.clone(), key.1, keys);
        let (me, r, k, ks) = (self.clone(), pinned.clone(), key, rules.keys.clone());
        let generation = self.generation.load(Relaxed);
        // The flight goes on after a request times out: it caches its
        // result, so the retry the API server or the controller makes
        // finds it.
        let (result, joined) = self
            .scanning
            .run(flight, deadline, move || async move {
                if let Some(v) = me.vulns.get(&k, ttl) {
                    return Ok(v);
                }
                let facts = me.fetch_vulnerabilities(&r, k.1, ks).await?;
                if me.generation.load(Relaxed) == generation {
                    me.vulns.insert(k, facts.clone());
                }
                Ok(facts)
            })
            .await;
        self.joined(joined);
        result
    }

    /// A verified vuln attestation when trusted and present, else
    /// palisade's own scan (at most `scans` at once).
    async fn fetch_vulnerabilities(
        &self,
        pinned: &RegistryRef,
        trust_attestations: bool,
        keys: Vec<String>,
    ) -> Result<VulnFacts, String> {
        if trust_attestations {
            let check = self.signatures.clone();
            let r = pinned.clone();
            let predicate = unblock(move || check.vuln_attestation(&r, &keys)).await?;
            if let Some(p) = predicate {
                return crate::attestation::parse(&p);
            }
        }
        let _permit = self
            .scans
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| "shutting down".to_string())?;
        self.metrics.scans.fetch_add(1, Relaxed);
        let (source, r) = (self.source.clone(), pinned.clone());
        unblock(move || source.scan(&r)).await
    }

    /// Checks one image (as written) used by `containers`.
    async fn check_image(
        self: &Arc<Self>,
        policy: &Policy,
        rules: &Rules,
        image: &str,
        containers: &[&ContainerImage],
        deadline: Instant,
        want_digest: bool,
    ) -> (Vec<Violation>, Option<String>) {
        let mut out = Vec::new();
        let mut add = |rule: &'static str, mode: Mode, reason: String| {
            if mode != Mode::Off {
                out.push(Violation {
                    image: image.to_string(),
                    rule,
                    mode,
                    reason,
                });
            }
        };
        let reference = match RegistryRef::parse(image) {
            Ok(r) => r,
            Err(e) => {
                add(
                    "reference",
                    Mode::Enforce,
                    format!("invalid image reference: {e}"),
                );
                return (out, None);
            }
        };
        let normalized = reference.to_string();
        if let Some(why) =
            rules::registries::check(rules, &normalized).filter(|_| rules.registries != Mode::Off)
        {
            add("registries", rules.registries, why);
        }
        if let Some(why) = rules::mutable_refs::check(rules, &reference)
            .filter(|_| rules.mutable_refs != Mode::Off)
        {
            add("mutable_refs", rules.mutable_refs, why);
        }
        let needs = [
            ("signature", rules.signature),
            ("vulnerabilities", rules.vulnerabilities),
            ("run_as_root", rules.run_as_root),
        ];
        if !want_digest && needs.iter().all(|(_, m)| *m == Mode::Off) {
            return (out, None);
        }
        let resolved = match self.resolve(policy, &reference, deadline).await {
            Ok(r) => r,
            Err(e) => {
                for (rule, mode) in needs {
                    add(
                        rule,
                        error_mode(mode, rules.on_error),
                        format!(
                            "could not read the image from the registry: {}",
                            crate::text::clip(&e, 300)
                        ),
                    );
                }
                return (out, None);
            }
        };
        let pinned = RegistryRef {
            digest: resolved.digest.parse().ok(),
            ..reference.clone()
        };
        if rules.signature != Mode::Off {
            let result = self.signature(policy, &pinned, &rules.keys, deadline).await;
            match rules::signature::check(&result) {
                Ok(None) => {}
                Ok(Some(why)) => add("signature", rules.signature, why),
                Err(why) => add(
                    "signature",
                    error_mode(rules.signature, rules.on_error),
                    why,
                ),
            }
        }
        if rules.vulnerabilities != Mode::Off {
            match self.vulnerabilities(policy, rules, &pinned, deadline).await {
                Ok(facts) => {
                    if let Some(why) = rules::vulnerabilities::check(rules, &facts) {
                        add("vulnerabilities", rules.vulnerabilities, why);
                    }
                }
                Err(e) => add(
                    "vulnerabilities",
                    error_mode(rules.vulnerabilities, rules.on_error),
                    format!("could not scan: {}", crate::text::clip(&e, 300)),
                ),
            }
        }
        if rules.run_as_root != Mode::Off {
            for c in containers {
                if let Some(why) = rules::run_as_root::check(c, Some(&resolved.user)) {
                    add(
                        "run_as_root",
                        rules.run_as_root,
                        format!("container {:?}: {why}", crate::text::clip(&c.name, 63)),
                    );
                }
            }
        }
        (out, Some(resolved.digest))
    }

    /// Decides `request`; `mutate` also computes the digest patch.
    pub async fn decide(
        self: &Arc<Self>,
        request: &AdmissionRequest,
        deadline: Instant,
        mutate: bool,
    ) -> Decision {
        let policy = self.policy();
        let namespace = request.namespace.as_deref().unwrap_or("");
        let kind = request.kind.kind.as_str();
        let images = match request
            .object
            .as_ref()
            .map(|o| crate::images::extract(kind, o))
        {
            None => {
                return Decision {
                    allowed: true,
                    ..Decision::default()
                };
            }
            Some(Ok(Extracted::NotAWorkload(_))) => {
                return Decision {
                    allowed: true,
                    ..Decision::default()
                };
            }
            Some(Ok(Extracted::Images(i))) => i,
            Some(Err(e)) => {
                let v = Violation {
                    image: String::new(),
                    rule: "object",
                    mode: Mode::Enforce,
                    reason: crate::text::printable(&e),
                };
                return finish(request, vec![v], Vec::new());
            }
        };
        let rules = Arc::new(policy.rules_for(namespace).clone());
        // Each image is checked once, however many containers use it.
        let mut by_image: BTreeMap<String, Vec<ContainerImage>> = BTreeMap::new();
        for c in &images {
            by_image.entry(c.image.clone()).or_default().push(c.clone());
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (image, containers) in by_image {
            let (me, policy, rules) = (self.clone(), policy.clone(), rules.clone());
            tasks.spawn(async move {
                let refs: Vec<&ContainerImage> = containers.iter().collect();
                let (v, digest) = me
                    .check_image(&policy, &rules, &image, &refs, deadline, mutate)
                    .await;
                (image, v, digest)
            });
        }
        let mut violations = Vec::new();
        let mut digests = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok((image, v, digest)) => {
                    violations.extend(v);
                    if let Some(d) = digest {
                        digests.insert(image, d);
                    }
                }
                Err(e) => violations.push(Violation {
                    image: String::new(),
                    rule: "internal",
                    mode: Mode::Enforce,
                    reason: format!("check failed: {e}"),
                }),
            }
        }
        violations.sort_by(|a, b| (&a.image, a.rule).cmp(&(&b.image, b.rule)));
        let violations = apply_exemptions(&policy, namespace, violations);
        let mut patch = Vec::new();
        if mutate {
            for c in &images {
                let Some(digest) = digests.get(&c.image) else {
                    continue;
                };
                let denied = violations
                    .iter()
                    .any(|v| v.image == c.image && v.mode == Mode::Enforce);
                if denied || c.image.contains('@') {
                    continue;
                }
                patch.push(json!({"op": "replace", "path": c.pointer, "value": format!("{}@{digest}", c.image)}));
            }
        }
        finish(request, violations, patch)
    }
}

/// Drops violations an active exemption covers; expired exemptions are
/// logged and do not apply.
fn apply_exemptions(
    policy: &Policy,
    namespace: &str,
    violations: Vec<Violation>,
) -> Vec<Violation> {
    let today = palisade_report::ignore::today_utc();
    violations
        .into_iter()
        .filter(|v| {
            let normalized = RegistryRef::parse(&v.image)
                .map(|r| r.to_string())
                .unwrap_or_default();
            for e in &policy.exemptions {
                if !e.applies_to(namespace, &normalized, v.rule) {
                    continue;
                }
                if e.expired(today) {
                    let (y, m, d) = e.expires.unwrap_or_default();
                    crate::log::event(json!({"event": "exemption_expired", "namespace": namespace, "image": normalized, "rule": v.rule, "expired": format!("{y:04}-{m:02}-{d:02}"), "reason": e.reason}));
                    continue;
                }
                crate::log::event(json!({"event": "exempted", "namespace": namespace, "image": normalized, "rule": v.rule, "reason": e.reason}));
                return false;
            }
            true
        })
        .collect()
}

fn finish(request: &AdmissionRequest, violations: Vec<Violation>, patch: Vec<Value>) -> Decision {
    let mut d = Decision {
        allowed: true,
        patch,
        ..Decision::default()
    };
    for v in violations {
        let line = if v.image.is_empty() {
            format!("[{}] {}", v.rule, v.reason)
        } else {
            format!(
                "image {}: [{}] {}",
                crate::text::printable(&v.image),
                v.rule,
                v.reason
            )
        };
        match v.mode {
            Mode::Enforce => {
                d.allowed = false;
                d.message
                    .push_str(if d.message.is_empty() { "" } else { "; " });
                d.message.push_str(&line);
                d.denied.push(v);
            }
            Mode::Warn => d.warnings.push(format!("palisade: {line}")),
            Mode::Audit => d.audited.push(v),
            Mode::Off => {}
        }
    }
    if !d.allowed {
        d.patch.clear();
        let what = match (&request.namespace, &request.name) {
            (Some(ns), Some(n)) => format!("{} {ns}/{n}", request.kind.kind),
            (_, Some(n)) => format!("{} {n}", request.kind.kind),
            _ => request.kind.kind.clone(),
        };
        d.message = format!(
            "palisade denied {}: {}",
            crate::text::printable(&what),
            d.message
        );
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Vuln;
    use palisade_model::Severity;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    /// A registry whose scans take 300 ms (the timing is what is tested).
    struct SlowScans(AtomicUsize);
    impl ImageSource for SlowScans {
        fn resolve(&self, _: &RegistryRef) -> Result<Resolved, String> {
            Ok(Resolved {
                digest: format!("sha256:{}", "a".repeat(64)),
                user: "1000".into(),
            })
        }
        fn scan(&self, _: &RegistryRef) -> Result<VulnFacts, String> {
            std::thread::sleep(Duration::from_millis(300));
            self.0.fetch_add(1, Relaxed);
            Ok(VulnFacts {
                source: "test".into(),
                vulns: vec![Vuln {
                    id: "CVE-2024-1".into(),
                    severity: Severity::Critical,
                    package: "p".into(),
                    version: "1".into(),
                    fixed: None,
                }],
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_scan_that_outlives_its_request_is_cached_for_the_retry() {
        let policy =
            crate::policy::parse("admission: {rules: {vulnerabilities: enforce}}").unwrap();
        let source = Arc::new(SlowScans(AtomicUsize::new(0)));
        let ev = Arc::new(Evaluator::new(
            policy,
            source.clone(),
            Arc::new(crate::signature::Unavailable),
            Arc::default(),
        ));
        let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"Pod"},"namespace":"n","object":{"spec":{"containers":[{"name":"c","image":"r.example/app:1"}]}}}}"#;
        let (_, request) = crate::review::parse(body).unwrap();
        let first = ev
            .decide(&request, Instant::now() + Duration::from_millis(100), false)
            .await;
        assert!(!first.allowed);
        assert!(
            first.message.contains("could not scan: timed out"),
            "{}",
            first.message
        );
        tokio::time::sleep(Duration::from_millis(600)).await;
        let retry = ev
            .decide(&request, Instant::now() + Duration::from_secs(5), false)
            .await;
        assert!(
            retry
                .message
                .contains("[vulnerabilities] 1 vulnerabilities at or above CRITICAL"),
            "{}",
            retry.message
        );
        assert_eq!(
            source.0.load(Relaxed),
            1,
            "the retry used the background scan"
        );
        ev.invalidate();
        let _ = ev
            .decide(&request, Instant::now() + Duration::from_secs(5), false)
            .await;
        assert_eq!(
            source.0.load(Relaxed),
            2,
            "invalidation drops the cached scan"
        );
    }

    /// Fails its first `fail` scans, then answers like SlowScans.
    struct Flaky {
        inner: SlowScans,
        fail: AtomicUsize,
    }
    impl ImageSource for Flaky {
        fn resolve(&self, r: &RegistryRef) -> Result<Resolved, String> {
            self.inner.resolve(r)
        }
        fn scan(&self, r: &RegistryRef) -> Result<VulnFacts, String> {
            if self.fail.load(Relaxed) > 0 {
                self.fail.fetch_sub(1, Relaxed);
                std::thread::sleep(Duration::from_millis(300));
                return Err("registry said 503".into());
            }
            self.inner.scan(r)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_share_one_scan_and_a_failed_one_is_not_kept() {
        let policy =
            crate::policy::parse("admission: {rules: {vulnerabilities: enforce}}").unwrap();
        let source = Arc::new(Flaky {
            inner: SlowScans(AtomicUsize::new(0)),
            fail: AtomicUsize::new(1),
        });
        let ev = Arc::new(Evaluator::new(
            policy,
            source.clone(),
            Arc::new(crate::signature::Unavailable),
            Arc::default(),
        ));
        let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"Pod"},"namespace":"n","object":{"spec":{"containers":[{"name":"c","image":"r.example/app:1"}]}}}}"#;
        let (_, request) = crate::review::parse(body).unwrap();
        let request = Arc::new(request);
        let burst = |ev: Arc<Evaluator>| {
            let request = request.clone();
            async move {
                let mut tasks = tokio::task::JoinSet::new();
                for _ in 0..16 {
                    let (ev, request) = (ev.clone(), request.clone());
                    tasks.spawn(async move {
                        ev.decide(&request, Instant::now() + Duration::from_secs(5), false)
                            .await
                            .message
                    });
                }
                tasks.join_all().await
            }
        };
        // The first flight fails: all 16 get its error (failing closed).
        for m in burst(ev.clone()).await {
            assert!(m.contains("could not scan: registry said 503"), "{m}");
        }
        assert!(ev.metrics.inflight_merged.load(Relaxed) >= 15);
        // The error was not kept: the next burst scans again, once.
        for m in burst(ev.clone()).await {
            assert!(m.contains("[vulnerabilities] 1 vulnerabilities"), "{m}");
        }
        assert_eq!(source.inner.0.load(Relaxed), 1, "one successful scan");
        assert_eq!(ev.metrics.scans.load(Relaxed), 2, "one scan per burst");
    }

    #[test]
    fn errors_fail_closed_unless_the_policy_allows() {
        assert_eq!(error_mode(Mode::Enforce, OnError::Deny), Mode::Enforce);
        assert_eq!(error_mode(Mode::Enforce, OnError::Allow), Mode::Warn);
        assert_eq!(error_mode(Mode::Audit, OnError::Allow), Mode::Audit);
        assert_eq!(error_mode(Mode::Warn, OnError::Deny), Mode::Warn);
    }
}
