//! `palisade image` as a user runs it: the three formats on a synthetic
//! image with planted problems, the severity gate and its exit codes,
//! `--scanners`, the ignore file (suppression, expiry, errors),
//! `--accept-key` / `--accept-file`, `--output`, the bundled demo image,
//! and that no secret value planted in an image ever reaches the output.

use palisade_testsupport::{ImageSpec, Layer, write_oci};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

// FAKE secrets, made up for these tests (random, valid nowhere).
const AWS_KEY_ID: &str = "AKIAUJZDEGXDNCF32EPF";
const AWS_SECRET: &str = "2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5Kj";
const AWS_SECRET_ENV: &str = "ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1TWDtkwtDDb";
const GITHUB_TOKEN: &str = "ghp_hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES";
const GITHUB_TOKEN_HISTORY: &str = "ghp_F1LlqsajAIxNKu8iS2G8NPRVdD53X83RZJzz";
const DB_PASSWORD: &str = "Vq7-xPz!r2Lk9mWd";

/// The demo image's FAKE values (demo/make-demo.sh).
const DEMO_SECRETS: &[&str] = &[
    "AKIAZ7P3QX2LWN5RT4HM",
    "q8Vd3Jt/Rm2xLw9KpZ7eHs4NcYb1UfGaT6oXiE0n",
    "FAKE-demo-password-not-real",
];

fn demo_ref() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/image");
    format!("oci:{dir}:latest")
}

/// A PEM RSA private key with random-looking (fake) base64 material.
fn fake_pem() -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut body = String::from("MIIEpAIBAAKCAQEA");
    while body.len() < 64 * 25 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        body.push(B64[(x % 64) as usize] as char);
    }
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// Every value that must never be printed: whole secrets, their random
/// parts (without the type prefix that redaction keeps), every key line.
fn secret_values() -> Vec<String> {
    let mut v: Vec<String> = [
        AWS_KEY_ID,
        &AWS_KEY_ID[4..],
        AWS_SECRET,
        AWS_SECRET_ENV,
        GITHUB_TOKEN,
        &GITHUB_TOKEN[4..],
        GITHUB_TOKEN_HISTORY,
        &GITHUB_TOKEN_HISTORY[4..],
        DB_PASSWORD,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(
        fake_pem()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_string),
    );
    v
}

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";

/// setuid su (MEDIUM), curl (MEDIUM), shell (LOW), root (MEDIUM), no
/// HEALTHCHECK (LOW), curl | sh in history (MEDIUM), secrets in files,
/// config and history (CRITICAL/HIGH).
fn planted_spec() -> ImageSpec {
    let env_file = format!(
        "# app settings\nAWS_ACCESS_KEY_ID={AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\nREGION=eu-west-1\n"
    );
    ImageSpec::new(vec![
        Layer::new()
            .dir("etc")
            .file("etc/passwd", PASSWD)
            .file_owned("etc/shadow", b"root:*:19700::::::\n", 0o640, 0, 42)
            .dir_mode("tmp", 0o1777)
            .file_mode("usr/bin/bash", b"bash", 0o755)
            .symlink("bin/sh", "/usr/bin/bash")
            .file_owned("usr/bin/su", b"su", 0o4755, 0, 0)
            .file_mode("usr/bin/curl", b"curl", 0o755)
            .created_by("ADD rootfs.tar /"),
        Layer::new()
            .dir("app")
            .file_mode("app/.env", env_file.as_bytes(), 0o600)
            .file(
                "app/deploy.yml",
                format!("registry: ghcr.io\nrepo_token: {GITHUB_TOKEN}\n").as_bytes(),
            )
            .dir_mode("root/.ssh", 0o700)
            .file_mode("root/.ssh/id_rsa", fake_pem().as_bytes(), 0o600)
            .created_by("COPY app /app"),
        Layer::new()
            .file_mode("usr/local/bin/tool", b"tool", 0o755)
            .created_by(&format!(
                "/bin/sh -c curl -fsSL -H 'Authorization: token {GITHUB_TOKEN_HISTORY}' https://get.example.com/install.sh | sh"
            )),
    ])
    .config(json!({
        "Env": [
            "PATH=/usr/local/bin:/usr/bin:/bin",
            format!("AWS_SECRET_ACCESS_KEY={AWS_SECRET_ENV}"),
            format!("DB_PASSWORD={DB_PASSWORD}"),
        ],
        "Cmd": ["/usr/local/bin/tool"],
        "Labels": {"org.opencontainers.image.title": "planted"},
    }))
}

/// Only MEDIUM and LOW findings: setuid su, root, shell, no HEALTHCHECK.
fn medium_spec() -> ImageSpec {
    ImageSpec::new(vec![
        Layer::new()
            .file("etc/passwd", PASSWD)
            .file_mode("usr/bin/bash", b"bash", 0o755)
            .file_owned("usr/bin/su", b"su", 0o4755, 0, 0)
            .created_by("ADD rootfs.tar /"),
    ])
    .config(json!({"Cmd": ["/usr/bin/bash"]}))
}

/// No finding at all.
fn clean_spec() -> ImageSpec {
    ImageSpec::new(vec![
        Layer::new()
            .file("etc/passwd", PASSWD)
            .file_mode("app/run", b"\x7fELF", 0o755)
            .created_by("COPY run /app/run"),
    ])
    .config(json!({
        "User": "1000:1000",
        "Entrypoint": ["/app/run"],
        "Healthcheck": {"Test": ["CMD", "/app/run", "--health"]},
    }))
}

struct Images {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    planted: String,
    medium: String,
    clean: String,
}

fn images() -> Images {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let layout = |name: &str, spec: &ImageSpec| {
        let p = root.join(name);
        write_oci(&p, spec, "v1");
        format!("oci:{}:v1", p.display())
    };
    Images {
        planted: layout("planted", &planted_spec()),
        medium: layout("medium", &medium_spec()),
        clean: layout("clean", &clean_spec()),
        root: root.clone(),
        _dir: dir,
    }
}

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .env_remove("PALISADE_IGNORE_FILE")
        .env_remove("PALISADE_USERNAME")
        .output()
        .expect("run palisade")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `palisade image -q ARGS`, expects `code`, returns stdout.
fn image(args: &[&str], code: i32) -> String {
    let mut all = vec!["image", "-q"];
    all.extend_from_slice(args);
    let o = palisade(&all);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{all:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

fn json_report(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&image(&all, 0)).expect("JSON report")
}

fn rules_of(findings: &Value) -> BTreeSet<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn find<'a>(findings: &'a Value, rule: &str, path: Option<&str>) -> Option<&'a Value> {
    findings.as_array().unwrap().iter().find(|f| {
        f["rule"] == rule
            && match path {
                Some(p) => f["location"]["path"] == p,
                None => true,
            }
    })
}

/// A usage or input error: exit 2, one line on stderr, nothing on stdout.
fn assert_input_error(args: &[&str], needle: &str) -> String {
    let o = palisade(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(stdout(&o).is_empty(), "{args:?}: stdout {}", stdout(&o));
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
    err
}

const PLANTED_RULES: &[&str] = &[
    "PAL-IMG-001",
    "PAL-IMG-003",
    "PAL-IMG-004",
    "PAL-IMG-006",
    "PAL-IMG-010",
    "PAL-IMG-012",
    "PAL-IMG-016",
    "PAL-IMG-018",
    "PAL-IMG-019",
];

// ---- formats ----------------------------------------------------------------

#[test]
fn json_reports_every_planted_problem() {
    let imgs = images();
    let report = json_report(&[&imgs.planted]);
    assert_eq!(report["tool"]["name"], "palisade");
    assert_eq!(report["target"]["input"], imgs.planted.as_str());
    assert_eq!(report["target"]["kind"], "image");
    assert!(
        report["target"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(report["target"]["summary"]["Scanners"], "audit, secret");
    let findings = &report["findings"];
    let expected: BTreeSet<String> = PLANTED_RULES.iter().map(|s| s.to_string()).collect();
    assert_eq!(rules_of(findings), expected, "{findings:#}");
    assert_eq!(report["ignored"], json!([]));

    let su = find(findings, "PAL-IMG-001", Some("/usr/bin/su")).expect("setuid su");
    assert_eq!(su["severity"], "MEDIUM");
    assert!(
        su["location"]["layer"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(
        find(findings, "PAL-IMG-004", Some("/usr/bin/curl")).unwrap()["severity"],
        "MEDIUM"
    );
    assert!(find(findings, "PAL-IMG-003", Some("/bin/sh")).is_some());
    assert!(find(findings, "PAL-IMG-003", Some("/usr/bin/bash")).is_some());
    let key = find(findings, "PAL-IMG-016", Some("/root/.ssh/id_rsa")).expect("private key");
    assert_eq!(key["severity"], "CRITICAL");
    assert_eq!(key["location"]["line"], 1);
    let env_paths: Vec<(&str, u64)> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "PAL-IMG-016" && f["location"]["path"] == "/app/.env")
        .map(|f| {
            (
                f["severity"].as_str().unwrap(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(env_paths, [("CRITICAL", 3), ("HIGH", 2)]);
    assert!(find(findings, "PAL-IMG-016", Some("/app/deploy.yml")).is_some());
    let messages: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "PAL-IMG-018")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("ENV AWS_SECRET_ACCESS_KEY")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("ENV DB_PASSWORD")),
        "{messages:?}"
    );
    assert_eq!(
        find(findings, "PAL-IMG-019", None).unwrap()["severity"],
        "CRITICAL"
    );
    assert_eq!(
        find(findings, "PAL-IMG-012", None).unwrap()["message"],
        "history step 3: (command not shown: it holds a secret)"
    );

    // Sorted by severity (highest first), and the summary counts them.
    let order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"];
    let ranks: Vec<usize> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| order.iter().position(|s| f["severity"] == *s).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    for sev in order {
        let n = findings
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == sev)
            .count();
        assert_eq!(report["summary"][sev], n, "{sev}");
    }
}

#[test]
fn table_shows_findings_and_a_summary_line() {
    let imgs = images();
    let table = image(&[&imgs.planted], 0);
    assert!(
        table.contains(&format!("Image:      {}", imgs.planted)),
        "{table}"
    );
    assert!(table.contains("Scanners:   audit, secret"), "{table}");
    let header = table
        .lines()
        .find(|l| l.starts_with("SEVERITY"))
        .expect("header");
    for col in ["RULE", "TITLE", "LOCATION"] {
        assert!(header.contains(col), "{header}");
    }
    for rule in PLANTED_RULES {
        assert!(table.contains(rule), "{rule} missing:\n{table}");
    }
    assert!(
        table.contains("/usr/bin/su is setuid (mode 4755, owner 0:0)"),
        "{table}"
    );
    assert!(table.contains("/root/.ssh/id_rsa:1"), "{table}");
    let report = json_report(&[&imgs.planted]);
    let n = report["findings"].as_array().unwrap().len();
    let last = table.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with(&format!("{n} findings: ")),
        "{last:?} (json has {n})"
    );
    assert!(last.contains("CRITICAL") && last.contains("LOW"), "{last}");

    let clean = image(&[&imgs.clean], 0);
    assert!(clean.contains("No findings."), "{clean}");
}

#[test]
fn sarif_matches_the_json_findings() {
    let imgs = images();
    let sarif: Value =
        serde_json::from_str(&image(&["--format", "sarif", &imgs.planted], 0)).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif"));
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "palisade");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let json = json_report(&[&imgs.planted]);
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    let rule_ids: BTreeSet<String> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rule_ids, rules_of(&json["findings"]));
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "{r:#}");
        assert!(r.get("suppressions").is_none(), "{r:#}");
        assert_eq!(r["properties"]["image"], imgs.planted.as_str());
    }
    let su = results
        .iter()
        .find(|r| r["ruleId"] == "PAL-IMG-001")
        .unwrap();
    assert_eq!(su["level"], "warning");
    assert_eq!(
        su["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "usr/bin/su"
    );
    let key = results
        .iter()
        .find(|r| r["properties"]["path"] == "/root/.ssh/id_rsa")
        .unwrap();
    assert_eq!(key["level"], "error");
    let rule = rules.iter().find(|r| r["id"] == "PAL-IMG-016").unwrap();
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
}

#[test]
fn output_flag_writes_the_report_to_a_file() {
    let imgs = images();
    let out = imgs.root.join("report.sarif");
    let printed = image(
        &[
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
            &imgs.planted,
        ],
        0,
    );
    assert!(printed.is_empty(), "{printed}");
    let text = std::fs::read_to_string(&out).unwrap();
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    for v in secret_values() {
        assert!(!text.contains(&v), "{v:?} in {}", out.display());
    }
}

// ---- no secret value in any output -----------------------------------------

#[test]
fn no_secret_value_reaches_any_output() {
    let imgs = images();
    let ignore = imgs.root.join("ignore.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nrule = \"PAL-IMG-016\"\npath = \"/app/**\"\nreason = \"fixtures\"\n\
         [[ignore]]\nrule = \"PAL-IMG-019\"\nreason = \"rotated\"\n",
    )
    .unwrap();
    let ignore = ignore.to_str().unwrap();
    let mut runs = 0;
    for format in ["table", "json", "sarif"] {
        for extra in [
            &[][..],
            &["--scanners", "secret"][..],
            &["--ignore-file", ignore][..],
        ] {
            let mut args = vec!["--format", format];
            args.extend_from_slice(extra);
            args.push(&imgs.planted);
            let out = image(&args, 0);
            assert!(out.contains("PAL-IMG-016"), "{args:?}: secrets were found");
            for v in secret_values() {
                assert!(!out.contains(&v), "{args:?}: {v:?} printed:\n{out}");
            }
            runs += 1;
        }
    }
    assert_eq!(runs, 9);
    // The redacted forms are what is shown.
    let table = image(&[&imgs.planted], 0);
    assert!(table.contains("AKIA****************"), "{table}");
    assert!(
        table.contains("AWS_SECRET_ACCESS_KEY=<redacted>"),
        "{table}"
    );
    assert!(
        table.contains("-----BEGIN RSA PRIVATE KEY----- <redacted>"),
        "{table}"
    );
}

// ---- the gate ---------------------------------------------------------------

#[test]
fn fail_on_trips_at_or_above_the_threshold() {
    let imgs = images();
    // HIGH findings (secrets) → 1; only MEDIUM → 0.
    image(&["--fail-on", "HIGH", &imgs.planted], 1);
    image(&["--fail-on", "HIGH", &imgs.medium], 0);
    image(&["--fail-on", "high", &imgs.planted], 1);
    image(&["--fail-on", "CRITICAL", &imgs.planted], 1);
    image(&["--fail-on", "MEDIUM", &imgs.medium], 1);
    image(&["--fail-on", "LOW", &imgs.clean], 0);
    // No threshold: findings alone never fail the run.
    image(&[&imgs.planted], 0);
    // The report is still written when the gate trips.
    let out = image(&["--format", "json", "--fail-on", "HIGH", &imgs.planted], 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(report["summary"]["CRITICAL"].as_u64().unwrap() > 0);
}

#[test]
fn exit_code_chooses_the_gate_code() {
    let imgs = images();
    image(&["--fail-on", "HIGH", "--exit-code", "7", &imgs.planted], 7);
    image(&["--fail-on", "HIGH", "--exit-code", "7", &imgs.medium], 0);
    // --exit-code alone does nothing.
    image(&["--exit-code", "7", &imgs.planted], 0);
    let o = palisade(&[
        "image",
        "-q",
        "--fail-on",
        "HIGH",
        "--exit-code",
        "0",
        &imgs.planted,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = palisade(&["image", "-q", "--fail-on", "SEVERE", &imgs.planted]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("SEVERE"), "{}", stderr(&o));
}

// ---- scanners ---------------------------------------------------------------

#[test]
fn scanners_choose_the_rules() {
    let imgs = images();
    let secret_only = json_report(&["--scanners", "secret", &imgs.planted]);
    let rules = rules_of(&secret_only["findings"]);
    assert_eq!(
        rules,
        ["PAL-IMG-016", "PAL-IMG-018", "PAL-IMG-019"]
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(secret_only["target"]["summary"]["Scanners"], "secret");

    let audit_only = json_report(&["--scanners", "audit", &imgs.planted]);
    let rules = rules_of(&audit_only["findings"]);
    assert!(rules.contains("PAL-IMG-001") && rules.contains("PAL-IMG-012"));
    for r in ["PAL-IMG-016", "PAL-IMG-017", "PAL-IMG-018", "PAL-IMG-019"] {
        assert!(!rules.contains(r), "{r} with --scanners audit");
    }
    // A repeated or re-ordered list is the same as the default.
    let both = json_report(&["--scanners", "secret,audit,secret", &imgs.planted]);
    let default = json_report(&[&imgs.planted]);
    assert_eq!(both["findings"], default["findings"]);

    let err = assert_input_error(
        &["image", "-q", "--scanners", "bogus", &imgs.planted],
        "bogus",
    );
    assert!(err.contains("audit, secret"), "{err}");
    assert_input_error(
        &["image", "-q", "--scanners", "audit,bogus", &imgs.planted],
        "bogus",
    );
    assert_input_error(
        &["image", "-q", "--scanners", "vuln", &imgs.planted],
        "vulnerability",
    );
}

// ---- ignore file ------------------------------------------------------------

#[test]
fn ignore_file_suppresses_findings_in_json_sarif_and_the_gate() {
    let imgs = images();
    let file = imgs.root.join("ignore.toml");
    std::fs::write(
        &file,
        r#"
[[ignore]]
rule = "PAL-IMG-001"
path = "/usr/bin/su"
reason = "su is needed by the entrypoint"
expires = "2999-12-31"

[[ignore]]
rule = "pal-img-006"
reason = "runs as root on purpose in this test"

[[ignore]]
rule = "PAL-IMG-003"
path = "/nowhere/**"
reason = "matches nothing"
"#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let report = json_report(&["--ignore-file", f, &imgs.medium]);
    let kept = rules_of(&report["findings"]);
    assert!(
        !kept.contains("PAL-IMG-001") && !kept.contains("PAL-IMG-006"),
        "{kept:?}"
    );
    assert!(kept.contains("PAL-IMG-003"), "{kept:?}");
    let ignored = report["ignored"].as_array().unwrap();
    assert_eq!(ignored.len(), 2, "{ignored:#?}");
    let su = ignored
        .iter()
        .find(|i| i["finding"]["rule"] == "PAL-IMG-001")
        .unwrap();
    assert_eq!(su["reason"], "su is needed by the entrypoint");
    assert_eq!(su["expires"], "2999-12-31");
    assert_eq!(su["finding"]["location"]["path"], "/usr/bin/su");
    assert_eq!(
        report["summary"]["MEDIUM"], 0,
        "ignored findings are not counted"
    );

    let sarif: Value = serde_json::from_str(&image(
        &["--format", "sarif", "--ignore-file", f, &imgs.medium],
        0,
    ))
    .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let su = results
        .iter()
        .find(|r| r["ruleId"] == "PAL-IMG-001")
        .expect("ignored findings stay in SARIF, suppressed");
    assert_eq!(su["suppressions"][0]["kind"], "external");
    assert_eq!(
        su["suppressions"][0]["justification"],
        "su is needed by the entrypoint"
    );
    let shell = results
        .iter()
        .find(|r| r["ruleId"] == "PAL-IMG-003")
        .unwrap();
    assert!(shell.get("suppressions").is_none());

    // Only LOW findings remain: a MEDIUM gate passes, a LOW gate trips.
    image(
        &["--fail-on", "MEDIUM", "--ignore-file", f, &imgs.medium],
        0,
    );
    image(&["--fail-on", "MEDIUM", &imgs.medium], 1);
    image(&["--fail-on", "LOW", "--ignore-file", f, &imgs.medium], 1);

    // The environment variable works like the flag.
    let o = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["image", "-q", "--fail-on", "MEDIUM", &imgs.medium])
        .env("PALISADE_IGNORE_FILE", &file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn expired_ignore_entry_warns_and_no_longer_applies() {
    let imgs = images();
    let file = imgs.root.join("expired.toml");
    std::fs::write(
        &file,
        "[[ignore]]\nrule = \"PAL-IMG-001\"\nreason = \"temporary exception\"\nexpires = 2020-01-31\n",
    )
    .unwrap();
    let o = palisade(&[
        "image",
        "-q",
        "--format",
        "json",
        "--fail-on",
        "MEDIUM",
        "--ignore-file",
        file.to_str().unwrap(),
        &imgs.medium,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("warning"), "{err}");
    assert!(err.contains("expired on 2020-01-31"), "{err}");
    assert!(err.contains("PAL-IMG-001"), "{err}");
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(find(&report["findings"], "PAL-IMG-001", Some("/usr/bin/su")).is_some());
    assert_eq!(report["ignored"], json!([]));
}

#[test]
fn unusable_ignore_files_are_input_errors() {
    let imgs = images();
    let missing = imgs.root.join("no-such-ignore.toml");
    let err = assert_input_error(
        &[
            "image",
            "-q",
            "--ignore-file",
            missing.to_str().unwrap(),
            &imgs.medium,
        ],
        "cannot read ignore file",
    );
    assert_eq!(err.matches("no-such-ignore.toml").count(), 1, "{err}");
    let cases: &[(&str, &str)] = &[
        ("[[ignore]]\nrule = \"PAL-IMG-001\"\n", "reason"),
        ("[[ignore]\nrule = 1\n", "bad.toml"),
        (
            "[[ignore]]\nrule = \"PAL-IMG-001\"\nreason = \"x\"\nexpires = \"31/01/2027\"\n",
            "invalid date \"31/01/2027\"",
        ),
        (
            "[[ignore]]\nrule = \"PAL-IMG-001\"\nreason = \"x\"\nseverity = \"LOW\"\n",
            "severity",
        ),
    ];
    for (text, needle) in cases {
        let bad = imgs.root.join("bad.toml");
        std::fs::write(&bad, text).unwrap();
        let err = assert_input_error(
            &[
                "image",
                "-q",
                "--ignore-file",
                bad.to_str().unwrap(),
                &imgs.medium,
            ],
            needle,
        );
        assert!(err.starts_with("palisade: error: "), "{err}");
        assert!(err.contains("bad.toml:"), "names the file and line: {err}");
        assert_eq!(err.matches("bad.toml").count(), 1, "{err}");
    }
}

// ---- accepted keys and files ----------------------------------------------

#[test]
fn accept_key_and_accept_file_suppress_secret_findings() {
    let imgs = images();
    let report = json_report(&[
        "--accept-key",
        "db_password,AWS_SECRET_ACCESS_KEY",
        "--accept-file",
        "/app/.env",
        "--accept-file",
        "root/.ssh/*",
        &imgs.planted,
    ]);
    let findings = report["findings"].as_array().unwrap();
    assert!(
        !findings.iter().any(|f| f["rule"] == "PAL-IMG-018"),
        "{findings:#?}"
    );
    let paths: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f["rule"] == "PAL-IMG-016")
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, BTreeSet::from(["/app/deploy.yml"]));
}

// ---- errors -------------------------------------------------------------------

#[test]
fn unreadable_image_is_an_input_error() {
    let imgs = images();
    let missing = format!("oci:{}:v1", imgs.root.join("nothing-here").display());
    assert_input_error(&["image", "-q", &missing], "nothing-here");
    let o = palisade(&["image"]);
    assert_eq!(o.status.code(), Some(2));
}

// ---- the bundled demo image ---------------------------------------------------

#[test]
fn demo_image_findings() {
    let demo = demo_ref();
    let report = json_report(&[&demo]);
    let findings = &report["findings"];
    let busybox = find(findings, "PAL-IMG-001", Some("/bin/busybox")).expect("setuid busybox");
    assert_eq!(busybox["severity"], "MEDIUM");
    assert!(
        busybox["message"]
            .as_str()
            .unwrap()
            .contains("setuid (mode 4755, owner 0:0)")
    );
    for applet in ["/bin/nc", "/bin/wget"] {
        let f = find(findings, "PAL-IMG-004", Some(applet)).expect(applet);
        assert!(
            f["message"].as_str().unwrap().contains("(busybox applet)"),
            "{f:#}"
        );
    }
    for shell in ["/bin/sh", "/bin/ash", "/bin/busybox"] {
        assert!(
            find(findings, "PAL-IMG-003", Some(shell)).is_some(),
            "{shell}"
        );
    }
    assert_eq!(
        find(findings, "PAL-IMG-006", None).unwrap()["message"],
        "no USER is set: the image runs as root (uid 0)"
    );
    let db = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "PAL-IMG-018"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("ENV DB_PASSWORD")
        })
        .expect("DB_PASSWORD in the config");
    assert!(["MEDIUM", "HIGH"].contains(&db["severity"].as_str().unwrap()));
    let waste = find(findings, "PAL-IMG-015", None).expect("wasted space");
    let msg = waste["message"].as_str().unwrap();
    assert!(
        msg.contains("/bin/busybox") && msg.contains("/app/cache.bin"),
        "{msg}"
    );
    // The FAKE AWS keys in /app/config.env.
    let aws: BTreeSet<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "PAL-IMG-016" && f["location"]["path"] == "/app/config.env")
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(aws, BTreeSet::from(["CRITICAL", "HIGH"]));
    // Local layouts are not "mutable tags"; /tmp is 1777.
    assert!(find(findings, "PAL-IMG-013", None).is_none());
    assert!(find(findings, "PAL-IMG-007", None).is_none());

    for format in ["table", "json", "sarif"] {
        let out = image(&["--format", format, &demo], 0);
        for v in DEMO_SECRETS {
            assert!(!out.contains(v), "{format}: {v:?} printed");
        }
    }
    image(&["--fail-on", "HIGH", &demo], 1);
}

#[test]
fn demo_path_is_the_bundled_layout() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/image");
    assert!(Path::new(dir).join("index.json").exists(), "{dir}");
}
