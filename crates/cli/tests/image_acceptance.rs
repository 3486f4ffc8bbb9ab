//! `palisade image` on the benchmark images of `tools/make-images.sh`
//! against what their MANIFEST.md says is planted in them.
//!
//! Runs when `PALISADE_IMAGES` names the directory the script wrote (with
//! `oci/NAME`, `archive/NAME.tar`, `meta/NAME.*` and `MANIFEST.md`); only
//! images marked finished (`meta/NAME.done`) are checked. Without it every
//! test prints SKIPPED and passes. `PALISADE_BIN` may name a release build
//! (debug builds are slower on the 1 GB image).
//!
//! What is compared, per image:
//! - setuid/setgid files (PAL-IMG-001): exactly the set of `meta/NAME.suid.txt`
//!   (`find -perm /6000` on the built rootfs), with its modes; MEDIUM for
//!   setuid, LOW for setgid only;
//! - runs as root (006) exactly when the config has no non-root User, no
//!   HEALTHCHECK (010) exactly when the config has none;
//! - the planted shells, network tools, package managers and secrets of
//!   MANIFEST.md, and no secret finding where nothing is planted;
//! - scratch-static: nothing at MEDIUM or above (the acceptance criterion),
//!   checked through `--fail-on MEDIUM` too;
//! - no secret value planted in any image (MANIFEST.md's AWS key id and
//!   secret, the config's Env, the RSA key lines, the hidden DB password)
//!   appears in the table, JSON or SARIF output of any image;
//! - the docker-archive of each image gives the same findings as its OCI layout.

use palisade_image::{Analysis, Analyzer, FileRef, ImageRef, OpenOptions, WalkOptions};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};

fn images_root() -> Option<PathBuf> {
    match std::env::var_os("PALISADE_IMAGES") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            eprintln!(
                "SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh (e.g. /work/images) to run the acceptance tests"
            );
            None
        }
    }
}

fn palisade_bin() -> PathBuf {
    std::env::var_os("PALISADE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_palisade")))
}

/// The finished images (meta/NAME.done), sorted.
fn done_images(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("oci"))
        .unwrap_or_else(|e| panic!("{}/oci: {e}", root.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.retain(|n| {
        let done = root.join("meta").join(format!("{n}.done")).exists();
        if !done {
            eprintln!("SKIPPED {n}: no meta/{n}.done (unfinished build)");
        }
        done
    });
    assert!(
        !names.is_empty(),
        "no finished images in {}",
        root.display()
    );
    names
}

/// One image to check, or None (with a message) when it is not there.
fn image_dir(name: &str) -> Option<(PathBuf, String)> {
    let root = images_root()?;
    if !done_images(&root).iter().any(|n| n == name) {
        eprintln!("SKIPPED {name}: not in {}", root.display());
        return None;
    }
    let reference = format!("oci:{}:latest", root.join("oci").join(name).display());
    Some((root, reference))
}

fn run(args: &[&str]) -> Output {
    Command::new(palisade_bin())
        .args(args)
        .env_remove("PALISADE_IGNORE_FILE")
        .output()
        .expect("run palisade")
}

type Cache = Mutex<HashMap<(String, String), Arc<OnceLock<String>>>>;

/// `palisade image -q --format FORMAT REF`'s stdout, computed once per
/// (reference, format) for all tests of this file; the run must exit 0.
fn output(reference: &str, format: &str) -> String {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cell = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry((reference.to_string(), format.to_string()))
        .or_default()
        .clone();
    cell.get_or_init(|| {
        let o = run(&["image", "-q", "--format", format, reference]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{reference} {format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).expect("utf-8 output")
    })
    .clone()
}

fn report(reference: &str) -> Value {
    serde_json::from_str(&output(reference, "json")).expect("JSON report")
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

fn of<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    findings(report)
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn paths(report: &Value, rule: &str) -> BTreeSet<String> {
    of(report, rule)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap_or("").to_string())
        .collect()
}

fn basenames(report: &Value, rule: &str) -> BTreeSet<String> {
    paths(report, rule)
        .iter()
        .map(|p| p.rsplit('/').next().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn show(report: &Value) -> String {
    findings(report)
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap_or("-"),
                f["message"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const SECRET_RULES: &[&str] = &["PAL-IMG-016", "PAL-IMG-017", "PAL-IMG-018", "PAL-IMG-019"];

fn assert_no_secret_findings(name: &str, report: &Value) {
    for rule in SECRET_RULES {
        assert!(
            of(report, rule).is_empty(),
            "{name}: nothing secret is planted, yet:\n{}",
            show(report)
        );
    }
}

/// A shell in /bin or /usr/bin (Debian 12 has a merged /usr: /bin is a
/// link to usr/bin, and the finding names the real path).
fn assert_shells(name: &str, report: &Value, shells: &[&str]) {
    let found = paths(report, "PAL-IMG-003");
    for shell in shells {
        assert!(
            found.contains(&format!("/bin/{shell}"))
                || found.contains(&format!("/usr/bin/{shell}")),
            "{name}: shell {shell} not reported: {found:?}"
        );
    }
}

/// Checks that hold for every image, from its meta files.
fn check_common(root: &Path, name: &str, report: &Value) {
    let meta = root.join("meta");
    // setuid/setgid: exactly `find -perm /6000` of the rootfs, with modes.
    let suid = meta.join(format!("{name}.suid.txt"));
    if suid.exists() {
        let expected: BTreeMap<String, String> = std::fs::read_to_string(&suid)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (mode, path) = l.trim().split_once(' ').expect("MODE PATH");
                (path.to_string(), mode.to_string())
            })
            .collect();
        let found: BTreeMap<String, &Value> = of(report, "PAL-IMG-001")
            .into_iter()
            .map(|f| (f["location"]["path"].as_str().unwrap().to_string(), f))
            .collect();
        assert_eq!(
            found.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{name}: setuid/setgid files vs meta/{name}.suid.txt"
        );
        for (path, mode) in &expected {
            let f = found[path];
            let message = f["message"].as_str().unwrap();
            assert!(
                message.contains(&format!("(mode {mode}")),
                "{name}: {message} vs {mode}"
            );
            let setuid = mode.len() == 4 && matches!(&mode[..1], "4" | "5" | "6" | "7");
            let severity = if setuid { "MEDIUM" } else { "LOW" };
            assert_eq!(f["severity"], severity, "{name}: {path} mode {mode}");
        }
    } else {
        eprintln!("{name}: no meta/{name}.suid.txt, setuid set not compared");
    }

    // The config: User and Healthcheck.
    let config: Value = serde_json::from_slice(
        &std::fs::read(meta.join(format!("{name}.config.json"))).expect("config.json"),
    )
    .unwrap();
    let user = config["config"]["User"].as_str().unwrap_or("");
    let user_part = user.split(':').next().unwrap();
    let root_user = matches!(user_part, "" | "root" | "0");
    assert_eq!(
        !of(report, "PAL-IMG-006").is_empty(),
        root_user,
        "{name}: User {user:?}:\n{}",
        show(report)
    );
    let healthcheck = config["config"]["Healthcheck"]["Test"]
        .as_array()
        .is_some_and(|t| !t.is_empty() && t[0] != "NONE");
    assert_eq!(of(report, "PAL-IMG-010").is_empty(), healthcheck, "{name}");

    // Local layouts are not mutable tags.
    assert!(of(report, "PAL-IMG-013").is_empty(), "{name}");
    // Hidden setuid files (PAL-IMG-002): debian12-hardened's chmod a-s layer
    // overwrites exactly the files of meta/NAME.suid-before.txt, whose old
    // versions stay extractable from layer 1; no other image hides any.
    let before = meta.join(format!("{name}.suid-before.txt"));
    let expected_hidden: Vec<String> = if before.exists() {
        let mut v: Vec<String> = std::fs::read_to_string(&before)
            .unwrap()
            .lines()
            .filter_map(|l| l.trim().split_once(' ').map(|(_, p)| p.to_string()))
            .collect();
        v.sort();
        v
    } else {
        Vec::new()
    };
    let mut hidden: Vec<String> = of(report, "PAL-IMG-002")
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    hidden.sort();
    assert_eq!(hidden, expected_hidden, "{name}:\n{}", show(report));
    for f in of(report, "PAL-IMG-002") {
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("overwritten in layer 2 but still extractable from layer 1"),
            "{name}: {f}"
        );
    }

    // The JSON summary counts the findings.
    for sev in ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"] {
        let n = findings(report)
            .iter()
            .filter(|f| f["severity"] == sev)
            .count();
        assert_eq!(report["summary"][sev], n, "{name}: {sev}");
    }
}

// ---- per image ----------------------------------------------------------------

#[test]
fn debian12_minbase() {
    let Some((root, reference)) = image_dir("debian12-minbase") else {
        return;
    };
    let name = "debian12-minbase";
    let r = report(&reference);
    check_common(&root, name, &r);
    assert_eq!(
        of(&r, "PAL-IMG-001").len(),
        11,
        "{name}: 11 setuid/setgid files"
    );
    // Each names the Debian package that installs it (dpkg's lists say
    // /bin/su, the image has usr/bin/su behind the /bin symlink).
    for (path, package) in [
        ("/usr/bin/su", "from package util-linux "),
        ("/usr/bin/passwd", "from package passwd "),
        ("/usr/bin/mount", "from package mount "),
        ("/usr/sbin/unix_chkpwd", "from package libpam-modules-bin "),
    ] {
        let f = of(&r, "PAL-IMG-001")
            .into_iter()
            .find(|f| f["location"]["path"] == path)
            .unwrap_or_else(|| panic!("{name}: no PAL-IMG-001 for {path}"));
        assert!(f["message"].as_str().unwrap().contains(package), "{f}");
    }
    assert_shells(name, &r, &["bash", "sh"]);
    assert!(
        of(&r, "PAL-IMG-004").is_empty(),
        "{name}: no network tools:\n{}",
        show(&r)
    );
    assert_no_secret_findings(name, &r);
    let pms = basenames(&r, "PAL-IMG-005");
    assert!(pms.contains("apt-get") && pms.contains("dpkg"), "{pms:?}");
    assert!(
        !findings(&r)
            .iter()
            .any(|f| f["severity"] == "HIGH" || f["severity"] == "CRITICAL"),
        "{name}:\n{}",
        show(&r)
    );
    assert!(of(&r, "PAL-IMG-015").is_empty(), "one layer wastes nothing");
}

#[test]
fn debian12_python_app() {
    let Some((root, reference)) = image_dir("debian12-python-app") else {
        return;
    };
    let name = "debian12-python-app";
    let r = report(&reference);
    check_common(&root, name, &r);
    assert_eq!(of(&r, "PAL-IMG-001").len(), 11, "{name}: same as minbase");

    // FAKE secrets of layer 7: the AWS key pair in /app/.env, the RSA key.
    let file_secrets: BTreeSet<(String, String, String)> = of(&r, "PAL-IMG-016")
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["title"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        ("/app/.env", "secret in a file: AWS access key ID", "HIGH"),
        (
            "/app/.env",
            "secret in a file: AWS secret access key",
            "CRITICAL",
        ),
        (
            "/root/.ssh/id_rsa",
            "secret in a file: Private key",
            "CRITICAL",
        ),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(file_secrets, expected, "{name}:\n{}", show(&r));
    let layer7 = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "/root/.ssh/id_rsa")
        .unwrap();
    assert!(
        layer7["message"].as_str().unwrap().ends_with("layer 7"),
        "{layer7:#}"
    );

    // The same AWS secret in the config's Env.
    let config = of(&r, "PAL-IMG-018");
    assert_eq!(config.len(), 1, "{name}:\n{}", show(&r));
    assert_eq!(config[0]["severity"], "CRITICAL");
    assert!(
        config[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("ENV AWS_SECRET_ACCESS_KEY: AWS secret access key"),
        "{:#}",
        config[0]
    );

    // development.env (layer 4) hidden by the opaque whiteout of layer 6.
    let hidden = of(&r, "PAL-IMG-017");
    assert_eq!(hidden.len(), 1, "{name}:\n{}", show(&r));
    assert_eq!(hidden[0]["location"]["path"], "/app/config/development.env");
    let message = hidden[0]["message"].as_str().unwrap();
    for part in [
        "DB_PASSWORD=<redacted>",
        "in layer 4",
        "deleted in layer 6",
        "still extractable",
    ] {
        assert!(message.contains(part), "{message} lacks {part}");
    }
    assert!(
        of(&r, "PAL-IMG-019").is_empty(),
        "{name}: history holds no secret"
    );

    // curl and netcat-openbsd (nc is a link to nc.openbsd, as is netcat).
    let tools = basenames(&r, "PAL-IMG-004");
    assert!(tools.contains("curl") && tools.contains("nc"), "{tools:?}");
    assert!(
        tools.is_subset(&set(&["curl", "nc", "nc.openbsd", "netcat"])),
        "{name}: only curl and netcat-openbsd are installed: {tools:?}"
    );
    assert_shells(name, &r, &["bash", "sh"]);
    assert!(basenames(&r, "PAL-IMG-005").contains("pip3"), "python3-pip");

    // PyJWT, installed in layer 3 and deleted in layer 6: nothing about it.
    for f in findings(&r) {
        let text = format!("{} {}", f["location"]["path"], f["message"]).to_ascii_lowercase();
        assert!(
            !text.contains("jwt"),
            "{name}: deleted PyJWT reported: {f:#}"
        );
    }
}

#[test]
fn scratch_static_has_nothing_at_medium_or_above() {
    let Some((root, reference)) = image_dir("scratch-static") else {
        return;
    };
    let name = "scratch-static";
    let r = report(&reference);
    check_common(&root, name, &r);
    let serious: Vec<&Value> = findings(&r)
        .iter()
        .filter(|f| !["LOW", "INFO", "UNKNOWN"].contains(&f["severity"].as_str().unwrap()))
        .collect();
    assert!(serious.is_empty(), "{name}:\n{}", show(&r));
    // What remains is the missing HEALTHCHECK (the config has none).
    let rules: BTreeSet<String> = findings(&r)
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert!(
        rules.is_subset(&set(&["PAL-IMG-010"])),
        "{name}:\n{}",
        show(&r)
    );
    // The acceptance criterion as a CI gate.
    let o = run(&["image", "-q", "--fail-on", "MEDIUM", &reference]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn debian12_hardened() {
    let Some((root, reference)) = image_dir("debian12-hardened") else {
        return;
    };
    let name = "debian12-hardened";
    let r = report(&reference);
    check_common(&root, name, &r);
    // Bits stripped, USER 1000: neither finding; shells kept.
    assert!(of(&r, "PAL-IMG-001").is_empty(), "{name}:\n{}", show(&r));
    assert!(of(&r, "PAL-IMG-006").is_empty(), "{name}:\n{}", show(&r));
    assert_shells(name, &r, &["bash", "sh"]);
    assert!(of(&r, "PAL-IMG-004").is_empty(), "{name}");
    assert_no_secret_findings(name, &r);
    assert!(
        findings(&r).iter().all(|f| f["severity"] == "LOW"),
        "{name}:\n{}",
        show(&r)
    );
}

#[test]
fn debian12_large() {
    let Some((root, reference)) = image_dir("debian12-large") else {
        return;
    };
    let name = "debian12-large";
    let r = report(&reference);
    check_common(&root, name, &r);
    assert_eq!(
        of(&r, "PAL-IMG-001").len(),
        13,
        "{name}: 13 setuid/setgid files"
    );
    // curl and openssh-client.
    let tools = basenames(&r, "PAL-IMG-004");
    assert!(tools.contains("curl") && tools.contains("ssh"), "{tools:?}");
    assert!(
        tools.is_subset(&set(&["curl", "ssh", "scp", "sftp"])),
        "{name}: {tools:?}"
    );
    assert_shells(name, &r, &["bash", "sh"]);
    assert_no_secret_findings(name, &r);
    // MANIFEST.md: "~100 MiB wasted space for dive-like efficiency analysis"
    // (/opt/cache/warmup.bin, deleted with its directory by the next layer).
    // dive itself does not count it (it visits only leaves, and the deleted
    // directory is no leaf in the layer that wrote it): efficiency 0.9985,
    // 2.5 MB wasted, below its thresholds; PAL-IMG-015 follows dive, so it
    // is not asserted here either way.
    eprintln!(
        "{name}: efficiency line: {}",
        r["target"]["summary"]["Efficiency"]
    );
}

#[test]
fn rpm_minimal() {
    let Some((root, reference)) = image_dir("rpm-minimal") else {
        return;
    };
    let name = "rpm-minimal";
    let r = report(&reference);
    check_common(&root, name, &r);
    let sudo = of(&r, "PAL-IMG-001");
    assert_eq!(sudo.len(), 1, "{name}:\n{}", show(&r));
    assert_eq!(sudo[0]["location"]["path"], "/usr/bin/sudo");
    assert_eq!(sudo[0]["severity"], "MEDIUM");
    assert!(
        sudo[0]["message"]
            .as_str()
            .unwrap()
            .contains("setuid (mode 4111, owner 0:0)")
    );
    assert!(
        basenames(&r, "PAL-IMG-004").is_subset(&set(&["curl"])),
        "{name}"
    );
    assert_shells(name, &r, &["bash"]);
    assert_no_secret_findings(name, &r);
}

#[test]
fn alpine_like() {
    let Some((root, reference)) = image_dir("alpine-like") else {
        return;
    };
    let name = "alpine-like";
    let r = report(&reference);
    check_common(&root, name, &r);
    let sh = of(&r, "PAL-IMG-003")
        .into_iter()
        .find(|f| f["location"]["path"] == "/bin/sh")
        .unwrap_or_else(|| panic!("{name}: /bin/sh:\n{}", show(&r)));
    assert_eq!(
        sh["message"],
        "shell /bin/sh -> /bin/busybox (busybox applet)"
    );
    assert!(paths(&r, "PAL-IMG-005").contains("/sbin/apk"), "apk-tools");
    assert!(of(&r, "PAL-IMG-001").is_empty(), "{name}");
    assert!(of(&r, "PAL-IMG-004").is_empty(), "{name}:\n{}", show(&r));
    assert_no_secret_findings(name, &r);
}

// ---- every image ----------------------------------------------------------------

/// Records the content of every version (all layers) of a few files.
struct Grab;

impl Analyzer for Grab {
    fn name(&self) -> &'static str {
        "grab"
    }
    fn patterns(&self) -> &[&str] {
        &["root/.ssh/id_rsa", "app/.env", "app/config/*.env"]
    }
    fn analyze(&self, _file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        Ok(Some(Box::new(
            String::from_utf8_lossy(content).into_owned(),
        )))
    }
}

/// The secret values planted in the images: from MANIFEST.md (AKIA ids,
/// `AWS_SECRET_ACCESS_KEY=` values), every config's secret-looking Env
/// values, and from the python app image itself the RSA key lines, the
/// values in /app/.env and the hidden development.env.
fn planted_secret_values(root: &Path, names: &[String]) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    let manifest = std::fs::read_to_string(root.join("MANIFEST.md")).expect("MANIFEST.md");
    for word in
        manifest.split(|c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '+' && c != '=')
    {
        if word.starts_with("AKIA") && word.len() == 20 {
            values.insert(word.to_string());
        }
        if let Some(v) = word.strip_prefix("AWS_SECRET_ACCESS_KEY=")
            && v.len() >= 20
        {
            values.insert(v.to_string());
        }
    }
    for name in names {
        let config: Value = serde_json::from_slice(
            &std::fs::read(root.join("meta").join(format!("{name}.config.json"))).unwrap(),
        )
        .unwrap();
        for entry in config["config"]["Env"].as_array().into_iter().flatten() {
            if let Some((k, v)) = entry.as_str().unwrap().split_once('=')
                && palisade_model::looks_like_secret_key(k)
                && v.len() >= 8
            {
                values.insert(v.to_string());
            }
        }
    }
    if names.iter().any(|n| n == "debian12-python-app") {
        let reference = ImageRef::parse(&format!(
            "oci:{}:latest",
            root.join("oci/debian12-python-app").display()
        ))
        .unwrap();
        let image = palisade_image::open(&reference, &OpenOptions::default()).unwrap();
        let grab = Grab;
        let scan = palisade_image::walk(&image, &[&grab], &WalkOptions::default()).unwrap();
        let mut key_lines = 0;
        let mut files = 0;
        for layer in &scan.layers {
            for (path, outputs) in &layer.analyses {
                for (_, out) in outputs {
                    let Some(text) = out.downcast_ref::<String>() else {
                        continue;
                    };
                    files += 1;
                    for line in text.lines() {
                        if path.ends_with("id_rsa") {
                            if !line.starts_with("-----") && line.len() >= 16 {
                                values.insert(line.to_string());
                                key_lines += 1;
                            }
                        } else if let Some((k, v)) = line.split_once('=')
                            && !line.starts_with('#')
                            && palisade_model::looks_like_secret_key(k)
                            && v.len() >= 8
                        {
                            values.insert(v.to_string());
                        }
                    }
                }
            }
        }
        assert!(files >= 3, "id_rsa, .env, development.env: {files} files");
        assert!(key_lines >= 20, "RSA key body lines: {key_lines}");
        assert!(
            values.iter().any(|v| v.starts_with("AKIA")),
            "the AWS key id from MANIFEST.md: {values:?}"
        );
        assert!(
            values
                .iter()
                .any(|v| v.len() == 40 && !v.starts_with("AKIA")),
            "the 40-character AWS secret: {values:?}"
        );
        assert!(
            values.iter().any(|v| v.contains("Pa55w0rd")),
            "development.env's DB_PASSWORD: {values:?}"
        );
    }
    values
}

#[test]
fn no_planted_secret_in_any_output() {
    let Some(root) = images_root() else { return };
    let names = done_images(&root);
    let values = planted_secret_values(&root, &names);
    eprintln!(
        "checking {} secret values in {} images",
        values.len(),
        names.len()
    );
    for name in &names {
        let reference = format!("oci:{}:latest", root.join("oci").join(name).display());
        for format in ["table", "json", "sarif"] {
            let out = output(&reference, format);
            for v in &values {
                assert!(!out.contains(v.as_str()), "{name} {format}: printed {v:?}");
            }
        }
        // SARIF and JSON agree on the number of findings.
        let sarif: Value = serde_json::from_str(&output(&reference, "sarif")).unwrap();
        assert_eq!(
            sarif["runs"][0]["results"].as_array().unwrap().len(),
            findings(&report(&reference)).len(),
            "{name}"
        );
    }
}

#[test]
fn docker_archive_gives_the_same_findings_as_the_oci_layout() {
    let Some(root) = images_root() else { return };
    let key = |r: &Value| -> Vec<String> {
        findings(r)
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f["location"]["input"] = Value::Null;
                f.to_string()
            })
            .collect()
    };
    for name in done_images(&root) {
        let archive = root.join("archive").join(format!("{name}.tar"));
        if !archive.exists() {
            eprintln!("{name}: no archive");
            continue;
        }
        let oci = report(&format!(
            "oci:{}:latest",
            root.join("oci").join(&name).display()
        ));
        let arch_ref = format!("docker-archive:{}", archive.display());
        let arch: Value = serde_json::from_str(&output(&arch_ref, "json")).unwrap();
        assert_eq!(key(&oci), key(&arch), "{name}: OCI and docker-archive");
    }
}
