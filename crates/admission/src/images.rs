//! The container images of an admitted object: every container,
//! initContainer and ephemeralContainer of a Pod or of the pod template of
//! a workload, with where each image sits (a JSON pointer, for the digest
//! patch) and the securityContext that decides which user it runs as.

use serde_json::Value;

/// More containers than this in one object is refused (a pod has a
/// handful; this bounds the work one request can ask for).
pub const MAX_CONTAINERS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerImage {
    /// `containers`, `initContainers` or `ephemeralContainers`.
    pub list: &'static str,
    pub name: String,
    pub image: String,
    /// JSON pointer to the `image` field.
    pub pointer: String,
    /// Effective `runAsNonRoot` (the container's, else the pod's).
    pub run_as_non_root: Option<bool>,
    /// Effective `runAsUser` (the container's, else the pod's).
    pub run_as_user: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    /// The object's kind holds a pod spec at this pointer.
    Images(Vec<ContainerImage>),
    /// A kind without a pod spec: nothing to check.
    NotAWorkload(String),
}

/// Where each kind keeps its pod spec.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod" => "/spec",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => "/spec/template/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => return None,
    })
}

fn security(v: Option<&Value>) -> (Option<bool>, Option<i64>) {
    let Some(sc) = v.and_then(Value::as_object) else {
        return (None, None);
    };
    (
        sc.get("runAsNonRoot").and_then(Value::as_bool),
        sc.get("runAsUser").and_then(Value::as_i64),
    )
}

/// Extracts the images of `object`, whose kind the request names.
pub fn extract(kind: &str, object: &Value) -> Result<Extracted, String> {
    let Some(pointer) = pod_spec_pointer(kind) else {
        return Ok(Extracted::NotAWorkload(kind.to_string()));
    };
    let spec = match object.pointer(pointer) {
        Some(Value::Object(_)) => object.pointer(pointer).unwrap(),
        Some(_) => return Err(format!("{kind}: {pointer} is not an object")),
        None => return Err(format!("{kind}: no pod spec at {pointer}")),
    };
    let (pod_non_root, pod_user) = security(spec.get("securityContext"));
    let mut out = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let containers = match spec.get(list) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => return Err(format!("{kind}: {list} is not a list")),
        };
        for (i, c) in containers.iter().enumerate() {
            if out.len() >= MAX_CONTAINERS {
                return Err(format!("{kind}: more than {MAX_CONTAINERS} containers"));
            }
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let image = match c.get("image") {
                Some(Value::String(s)) => s.clone(),
                // The API server rejects a container without an image;
                // a missing one cannot run, so there is nothing to check.
                None | Some(Value::Null) => continue,
                Some(_) => return Err(format!("{kind}: {list}[{i}].image is not a string")),
            };
            let (non_root, user) = security(c.get("securityContext"));
            out.push(ContainerImage {
                list,
                name,
                image,
                pointer: format!("{pointer}/{list}/{i}/image"),
                run_as_non_root: non_root.or(pod_non_root),
                run_as_user: user.or(pod_user),
            });
        }
    }
    Ok(Extracted::Images(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_every_container_list_and_the_effective_security_context() {
        let pod = json!({"spec": {
            "securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
            "initContainers": [{"name": "init", "image": "busybox:1.36"}],
            "containers": [{"name": "app", "image": "registry.example.com/app@sha256:00", "securityContext": {"runAsUser": 0}}],
            "ephemeralContainers": [{"name": "debug", "image": "debian"}]
        }});
        let Extracted::Images(images) = extract("Pod", &pod).unwrap() else {
            panic!()
        };
        assert_eq!(images.len(), 3);
        assert_eq!(images[0].pointer, "/spec/initContainers/0/image");
        assert_eq!(images[1].run_as_user, Some(0));
        assert_eq!(images[1].run_as_non_root, Some(true));
        assert_eq!(images[2].list, "ephemeralContainers");
    }

    #[test]
    fn workloads_and_cronjobs_use_their_templates() {
        let cron = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}}});
        let Extracted::Images(images) = extract("CronJob", &cron).unwrap() else {
            panic!()
        };
        assert_eq!(
            images[0].pointer,
            "/spec/jobTemplate/spec/template/spec/containers/0/image"
        );
        assert!(matches!(
            extract("ConfigMap", &cron),
            Ok(Extracted::NotAWorkload(_))
        ));
        assert!(extract("Deployment", &cron).is_err());
        assert!(extract("Pod", &json!({"spec": {"containers": {"a": 1}}})).is_err());
    }
}
