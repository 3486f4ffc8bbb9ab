//! `palisade aws lifecycle preview|apply` against the real CNCF distribution
//! registry (`docker-registry`, deletion enabled) fed by `skopeo`.
//! Needs docker-registry and skopeo; set PALISADE_SKIP_REGISTRY_TESTS=1 to
//! skip when they are missing (see support/registry.rs).

mod support {
    pub mod registry;
}

use palisade_testsupport::{ImageSpec, Layer, write_blob};
use serde_json::json;
use std::path::Path;
use support::registry::{Auth, REAL_TOOLS, Registry, Run, palisade, skopeo_copy, tools_available};

const NOW: &str = "2026-12-01T00:00:00Z";

/// `palisade aws lifecycle ACTION --policy POLICY REPO EXTRA...`.
fn lifecycle(action: &str, policy: &str, repo: &str, extra: &[&str], stdin: Option<&str>) -> Run {
    let mut args = vec!["aws", "lifecycle", action, "--policy", policy, repo];
    args.extend_from_slice(extra);
    palisade(&args, stdin, &[])
}

/// An OCI layout whose config says `created`, tagged `tag`.
fn write_image(dir: &Path, marker: &str, created: &str, tag: &str) {
    let spec = ImageSpec::new(vec![Layer::new().file("marker", marker.as_bytes())]);
    let mut built = spec.build();
    let mut config: serde_json::Value = serde_json::from_slice(&built.config).unwrap();
    config["created"] = json!(created);
    built.config = serde_json::to_vec(&config).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    for b in &built.blobs {
        write_blob(dir, b);
    }
    write_blob(dir, &built.config);
    let manifest = built.manifest();
    let digest = write_blob(dir, &manifest);
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": manifest.len(),
        "annotations": {"org.opencontainers.image.ref.name": tag}}]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

const POLICY: &str = r#"{"rules": [
  {"rulePriority": 1, "description": "keep the newest release",
   "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "imageCountMoreThan", "countNumber": 1},
   "action": {"type": "expire"}},
  {"rulePriority": 2, "description": "anything older than 60 days",
   "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 60},
   "action": {"type": "expire"}}]}"#;

fn tags(registry: &Registry) -> Vec<String> {
    let out = std::process::Command::new("skopeo")
        .args([
            "list-tags",
            "--tls-verify=false",
            &registry.docker_ref("app"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut t: Vec<String> = v["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

#[test]
fn preview_and_apply_on_a_real_registry() {
    if !tools_available("preview_and_apply_on_a_real_registry", REAL_TOOLS) {
        return;
    }
    let registry = Registry::start(Auth::Anonymous);
    let work = tempfile::tempdir().unwrap();
    for (marker, created, tags) in [
        ("one", "2026-08-01T00:00:00Z", &["v1"][..]),
        ("two", "2026-10-01T00:00:00Z", &["v2"][..]),
        ("three", "2026-11-20T00:00:00Z", &["v3", "latest"][..]),
        ("dev", "2026-09-01T00:00:00Z", &["dev-1"][..]),
        ("fresh", "2026-11-25T00:00:00Z", &["dev-2"][..]),
    ] {
        let dir = work.path().join(marker);
        write_image(&dir, marker, created, tags[0]);
        for t in tags {
            skopeo_copy(
                &format!("oci:{}:{}", dir.display(), tags[0]),
                &registry.docker_ref(&format!("app:{t}")),
                None,
                false,
            );
        }
    }
    let policy = work.path().join("policy.json");
    std::fs::write(&policy, POLICY).unwrap();
    let policy = policy.to_str().unwrap();
    let repo = registry.docker_ref("app");

    let preview = lifecycle(
        "preview",
        policy,
        &repo,
        &["--now", NOW, "--format", "json"],
        None,
    )
    .json();
    let mut acted: Vec<(String, u64)> = preview["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["image"]["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
                a["rulePriority"].as_u64().unwrap(),
            )
        })
        .collect();
    acted.sort();
    // v1 and v2 by rule 1; dev-1 (91 days) by rule 2; v3+latest is one image (one digest), kept.
    assert_eq!(
        acted,
        vec![("dev-1".into(), 2), ("v1".into(), 1), ("v2".into(), 1)]
    );
    assert_eq!(
        preview["images"], 5,
        "five digests: v1, v2, v3+latest, dev-1, dev-2"
    );

    // Declining the confirmation deletes nothing.
    let run = lifecycle("apply", policy, &repo, &["--now", NOW], Some("n\n"));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("nothing deleted"), "{}", run.stdout);
    assert_eq!(
        tags(&registry),
        ["dev-1", "dev-2", "latest", "v1", "v2", "v3"]
    );

    let run = lifecycle("apply", policy, &repo, &["--now", NOW, "--yes"], None);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("3 of 3 expired manifests deleted"),
        "{}",
        run.stdout
    );
    assert_eq!(tags(&registry), ["dev-2", "latest", "v3"]);

    // Applying again finds nothing more to delete.
    let run = lifecycle("apply", policy, &repo, &["--now", NOW, "--yes"], None);
    assert!(run.stdout.contains("nothing to delete"), "{}", run.stdout);
}

/// `--history`: an image whose tag moved to a newer build is found again as
/// untagged, expired by an `untagged` rule and deleted; a digest that a tag
/// still points at is not.
#[test]
fn untagged_images_from_the_tag_history() {
    if !tools_available("untagged_images_from_the_tag_history", REAL_TOOLS) {
        return;
    }
    let registry = Registry::start(Auth::Anonymous);
    let work = tempfile::tempdir().unwrap();
    let push = |marker: &str, created: &str, tag: &str| {
        let dir = work.path().join(marker);
        write_image(&dir, marker, created, tag);
        skopeo_copy(
            &format!("oci:{}:{tag}", dir.display()),
            &registry.docker_ref(&format!("app:{tag}")),
            None,
            false,
        );
    };
    let policy = work.path().join("policy.json");
    std::fs::write(
        &policy,
        r#"{"rules": [{"rulePriority": 1, "description": "untagged after a week",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
            "action": {"type": "expire"}}]}"#,
    )
    .unwrap();
    let history = work.path().join("history.json");
    let (policy, history) = (policy.to_str().unwrap(), history.to_str().unwrap());
    let repo = registry.docker_ref("app");
    let preview = || {
        lifecycle(
            "preview",
            policy,
            &repo,
            &["--now", NOW, "--history", history, "--format", "json"],
            None,
        )
        .json()
    };

    push("old", "2026-09-01T00:00:00Z", "stable");
    push("pinned", "2026-09-02T00:00:00Z", "pinned");
    let first = preview();
    assert_eq!(first["images"], 2);
    assert_eq!(first["actions"].as_array().unwrap().len(), 0);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(history).unwrap()).unwrap();
    assert_eq!(saved["images"].as_array().unwrap().len(), 2);
    let old_digest = saved["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["lastTags"][0] == "stable")
        .unwrap()["digest"]
        .as_str()
        .unwrap()
        .to_string();

    // The tag moves on: the old build is still stored, untagged.
    push("new", "2026-11-28T00:00:00Z", "stable");
    let second = preview();
    assert_eq!(second["images"], 3, "{second:#}");
    let actions = second["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{second:#}");
    assert_eq!(actions[0]["image"]["digest"], old_digest.as_str());
    assert_eq!(actions[0]["image"]["tags"].as_array().unwrap().len(), 0);

    let run = lifecycle(
        "apply",
        policy,
        &repo,
        &["--now", NOW, "--history", history, "--yes"],
        None,
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("1 of 1 expired manifests deleted"),
        "{}",
        run.stdout
    );
    let gone = std::process::Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--tls-verify=false",
            &format!("{repo}@{old_digest}"),
        ])
        .output()
        .unwrap();
    assert!(!gone.status.success(), "{old_digest} should be deleted");
    assert_eq!(tags(&registry), ["pinned", "stable"]);
    // The deleted digest is forgotten.
    let third = preview();
    assert_eq!(third["images"], 2, "{third:#}");
    assert!(
        !std::fs::read_to_string(history)
            .unwrap()
            .contains(&old_digest)
    );

    // A history of another repository, or a hostile one, is refused.
    std::fs::write(history, r#"{"repository": "elsewhere/x", "images": []}"#).unwrap();
    let run = lifecycle("preview", policy, &repo, &["--history", history], None);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let hostile = format!(
        r#"{{"repository": "{}", "images": [{{"digest": "sha256:../../x", "pushedAt": 0, "lastTags": []}}]}}"#,
        repo.trim_start_matches("docker://")
    );
    std::fs::write(history, hostile).unwrap();
    let run = lifecycle("preview", policy, &repo, &["--history", history], None);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("digest"), "{}", run.stderr);
}
