//! `palisade serve admission --print-manifests`: everything a cluster
//! needs to run the webhook, as one multi-document YAML stream. The Helm
//! chart under deploy/helm/palisade-admission renders the same objects.

use std::fmt::Write;

pub struct ManifestOptions {
    pub namespace: String,
    pub image: String,
    pub replicas: u32,
    /// The webhooks' timeoutSeconds (1-30).
    pub timeout_seconds: u32,
    /// `Fail` or `Ignore`.
    pub failure_policy: String,
    /// PEM of the CA that signed the serving certificate (base64-encoded
    /// into caBundle); empty leaves caBundle out (cert-manager's CA
    /// injector, or a later patch, fills it).
    pub ca_pem: String,
    /// Also emit the MutatingWebhookConfiguration (tags → digests).
    pub mutate: bool,
    /// The webhook container's requests and limits.
    pub resources: Resources,
}

/// CPU and memory quantities (`100m`, `128Mi`), checked by [`quantity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    pub cpu_request: String,
    pub memory_request: String,
    pub cpu_limit: String,
    pub memory_limit: String,
}

impl Default for Resources {
    fn default() -> Self {
        Resources {
            cpu_request: "100m".into(),
            memory_request: "128Mi".into(),
            cpu_limit: "1".into(),
            memory_limit: "512Mi".into(),
        }
    }
}

/// A Kubernetes resource quantity in the forms people write (`250m`,
/// `0.5`, `1`, `512Mi`, `1G`, `1e3`); anything else is refused, so a
/// value can never break out of the YAML it is written into.
pub fn quantity(s: &str) -> Result<String, String> {
    let number_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(number_end);
    let number_ok = !number.is_empty()
        && number.len() <= 18
        && number.matches('.').count() <= 1
        && number != ".";
    let suffix_ok = matches!(
        suffix,
        "" | "m" | "k" | "M" | "G" | "T" | "P" | "E" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"
    ) || suffix
        .strip_prefix(['e', 'E'])
        .is_some_and(|e| !e.is_empty() && e.len() <= 2 && e.bytes().all(|b| b.is_ascii_digit()));
    if number_ok && suffix_ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?}: expected a Kubernetes quantity such as 250m, 1, 512Mi"
        ))
    }
}

/// A namespace name: an RFC 1123 label (what Kubernetes accepts).
pub fn namespace(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?}: a namespace is up to 63 lowercase letters, digits and '-', not starting or ending with '-'"
        ))
    }
}

pub const NAME: &str = "palisade-admission";

fn webhook(kind: &str, o: &ManifestOptions, path: &str, ca: &str) -> String {
    let hook = if kind == "Mutating" {
        "mutate"
    } else {
        "validate"
    };
    let mut s = format!(
        "apiVersion: admissionregistration.k8s.io/v1
kind: {kind}WebhookConfiguration
metadata:
  name: {NAME}
  labels:
    app.kubernetes.io/name: {NAME}
webhooks:
  - name: {hook}.admission.palisade.dev
    admissionReviewVersions: [\"v1\"]
    sideEffects: None
    timeoutSeconds: {timeout}
    failurePolicy: {failure}
    matchPolicy: Equivalent
    clientConfig:
      service:
        namespace: {ns}
        name: {NAME}
        path: {path}
        port: 443
",
        timeout = o.timeout_seconds,
        failure = o.failure_policy,
        ns = o.namespace,
    );
    if !ca.is_empty() {
        let _ = writeln!(s, "      caBundle: {ca}");
    }
    let _ = write!(
        s,
        "    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: [\"kube-system\", \"{ns}\"]
    rules:
      - apiGroups: [\"\"]
        apiVersions: [\"v1\"]
        operations: [\"CREATE\", \"UPDATE\"]
        resources: [\"pods\", \"pods/ephemeralcontainers\", \"replicationcontrollers\"]
        scope: Namespaced
      - apiGroups: [\"apps\"]
        apiVersions: [\"v1\"]
        operations: [\"CREATE\", \"UPDATE\"]
        resources: [\"deployments\", \"statefulsets\", \"daemonsets\", \"replicasets\"]
        scope: Namespaced
      - apiGroups: [\"batch\"]
        apiVersions: [\"v1\"]
        operations: [\"CREATE\", \"UPDATE\"]
        resources: [\"jobs\", \"cronjobs\"]
        scope: Namespaced
",
        ns = o.namespace
    );
    if kind == "Mutating" {
        s.push_str("    reinvocationPolicy: IfNeeded\n");
    }
    s
}

/// The manifests, as a YAML stream.
pub fn render(o: &ManifestOptions) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(o.ca_pem.as_bytes());
    let ca = if o.ca_pem.trim().is_empty() {
        String::new()
    } else {
        ca
    };
    let ns = &o.namespace;
    let mut docs = vec![
        format!(
            "apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    app.kubernetes.io/name: {NAME}
    pod-security.kubernetes.io/enforce: restricted
"
        ),
        format!(
            "apiVersion: v1
kind: ServiceAccount
metadata:
  name: {NAME}
  namespace: {ns}
automountServiceAccountToken: false
"
        ),
        format!(
            "apiVersion: v1
kind: ConfigMap
metadata:
  name: {NAME}-policy
  namespace: {ns}
data:
  palisade.yaml: |
    admission:
      rules:
        mutable_refs: {{mode: enforce}}
        run_as_root: {{mode: warn}}
        vulnerabilities: {{mode: enforce, max_severity: CRITICAL, top: 5}}
"
        ),
        format!(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {NAME}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {NAME}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {NAME}
    spec:
      serviceAccountName: {NAME}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        fsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      initContainers:
        # The vulnerability database, downloaded from osv.dev (or the
        # mirror in PALISADE_DB_MIRROR) when the pod starts.
        - name: vulndb
          image: {image}
          args: [\"db\", \"update\", \"--db=/var/lib/palisade/vuln.db\", \"--quiet\"]
          resources:
            requests: {{cpu: 100m, memory: 256Mi}}
            limits: {{cpu: \"1\", memory: 1Gi}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [\"ALL\"]
          volumeMounts:
            - {{name: db, mountPath: /var/lib/palisade}}
      containers:
        - name: webhook
          image: {image}
          args:
            - serve
            - admission
            - --listen=0.0.0.0:8443
            - --tls-cert=/etc/palisade/tls/tls.crt
            - --tls-key=/etc/palisade/tls/tls.key
            - --config=/etc/palisade/policy/palisade.yaml
            - --db=/var/lib/palisade/vuln.db
            - --request-timeout={request_timeout}s
          ports:
            - name: https
              containerPort: 8443
          readinessProbe:
            httpGet: {{path: /readyz, port: https, scheme: HTTPS}}
            periodSeconds: 5
          livenessProbe:
            httpGet: {{path: /healthz, port: https, scheme: HTTPS}}
            periodSeconds: 10
          resources:
            requests: {{cpu: \"{cpu_request}\", memory: \"{memory_request}\"}}
            limits: {{cpu: \"{cpu_limit}\", memory: \"{memory_limit}\"}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [\"ALL\"]
          volumeMounts:
            - {{name: tls, mountPath: /etc/palisade/tls, readOnly: true}}
            - {{name: policy, mountPath: /etc/palisade/policy, readOnly: true}}
            - {{name: db, mountPath: /var/lib/palisade, readOnly: true}}
            - {{name: tmp, mountPath: /tmp}}
      volumes:
        - name: tls
          secret:
            secretName: {NAME}-tls
        - name: policy
          configMap:
            name: {NAME}-policy
        - name: db
          emptyDir: {{sizeLimit: 4Gi}}
        - name: tmp
          emptyDir: {{sizeLimit: 64Mi}}
",
            replicas = o.replicas,
            image = o.image,
            request_timeout = o.timeout_seconds.saturating_sub(2).max(1),
            cpu_request = o.resources.cpu_request,
            memory_request = o.resources.memory_request,
            cpu_limit = o.resources.cpu_limit,
            memory_limit = o.resources.memory_limit,
        ),
        format!(
            "apiVersion: v1
kind: Service
metadata:
  name: {NAME}
  namespace: {ns}
spec:
  selector:
    app.kubernetes.io/name: {NAME}
  ports:
    - name: https
      port: 443
      targetPort: https
"
        ),
        format!(
            "apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {NAME}
  namespace: {ns}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
"
        ),
        webhook("Validating", o, "/validate", &ca),
    ];
    if o.mutate {
        docs.push(webhook("Mutating", o, "/mutate", &ca));
    }
    docs.join("---\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_namespaces_are_checked() {
        for ok in ["100m", "1", "0.5", "512Mi", "2G", "1e3", "1.5Gi"] {
            assert_eq!(quantity(ok).as_deref(), Ok(ok));
        }
        for bad in [
            "",
            "m",
            "1x",
            "1 Gi",
            "1Gi\nkind: Secret",
            "\"1\"",
            "..5",
            "-1",
        ] {
            assert!(quantity(bad).is_err(), "{bad:?}");
        }
        assert!(namespace("palisade-admission").is_ok());
        for bad in ["", "Guard", "-x", "x-", "a\"b", "a\nb", &"a".repeat(64)] {
            assert!(namespace(bad).is_err(), "{bad:?}");
        }
    }
}
