//! `palisade inspect` as a user runs it: help and version, table and JSON
//! output, secret redaction, one-line errors with exit code 2, `--output`.

use palisade_testsupport::{
    Compression, ImageSpec, Layer, sha256_hex, write_docker_archive, write_oci, write_oci_built,
};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
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

fn ok(args: &[&str]) -> String {
    let o = palisade(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn inspect_json(reference: &str) -> Value {
    serde_json::from_str(&ok(&["inspect", "--format", "json", reference])).expect("json")
}

/// The image of the hand-computed efficiency example (see crates/image/tests/walk.rs):
/// efficiency 282/752 = 0.375, 570 bytes wasted.
fn efficiency_spec() -> ImageSpec {
    ImageSpec::new(vec![
        Layer::new()
            .dir("a")
            .file_sized("a/f1", 100, b'1')
            .file_sized("a/f2", 200, b'2')
            .dir("d")
            .file_sized("d/x", 50, b'x')
            .file_sized("d/y", 30, b'y')
            .file_sized("keep", 10, b'k')
            .created_by("ADD base.tar /"),
        Layer::new()
            .file_sized("a/f1", 150, b'A')
            .whiteout("a/f2")
            .file_sized("new", 5, b'n')
            .created_by("RUN update"),
        Layer::new()
            .whiteout("d")
            .file_sized("a/f1", 120, b'B')
            .file_sized("keep2", 7, b'K')
            .created_by("RUN cleanup"),
    ])
    .config(json!({"Cmd": ["/bin/app"], "User": "1000:1000", "Env": ["PATH=/usr/bin"]}))
}

#[test]
fn help_mentions_every_reference_form() {
    for args in [
        &["--help"][..],
        &["inspect", "--help"],
        &["help", "inspect"],
    ] {
        let out = ok(args);
        for form in [
            "oci:DIR[:TAG|@DIGEST]",
            "docker-archive:FILE[:NAME:TAG|:@N]",
            "docker://HOST/REPO[:TAG|@DIGEST]",
            "HOST/REPO:TAG",
        ] {
            assert!(
                out.contains(form),
                "{args:?} does not mention {form}:\n{out}"
            );
        }
    }
    assert!(ok(&["--help"]).contains("inspect"));
    assert!(ok(&["inspect", "--help"]).contains("--format"));
}

#[test]
fn version() {
    assert_eq!(
        ok(&["--version"]),
        format!("palisade {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    let o = palisade(&["inspect"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("<REF>"), "{}", stderr(&o));
    let o = palisade(&["inspect", "--format", "yaml", "oci:x"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn table_output_has_layer_rows_and_efficiency() {
    let dir = tempfile::tempdir().unwrap();
    let spec = efficiency_spec();
    write_oci(dir.path(), &spec, "v1");
    let built = spec.build();
    let reference = format!("oci:{}:v1", dir.path().display());
    let out = ok(&["inspect", &reference]);
    assert!(
        out.starts_with(&format!("Image       {reference}\n")),
        "{out}"
    );
    assert!(out.contains("User        1000:1000\n"), "{out}");
    assert!(out.contains("Cmd         [\"/bin/app\"]\n"), "{out}");
    for (i, (blob, tar)) in built.blobs.iter().zip(&built.tars).enumerate() {
        let digest = format!("sha256:{}", &sha256_hex(blob)[..12]);
        let diff_id = format!("sha256:{}", &sha256_hex(tar)[..12]);
        let row = out
            .lines()
            .find(|l| l.contains(&digest))
            .unwrap_or_else(|| panic!("no row for layer {}:\n{out}", i + 1));
        assert!(row.contains(&diff_id), "{row}");
        assert!(
            row.trim_start().starts_with(&format!("{} ", i + 1)),
            "{row}"
        );
    }
    // Layer 2: 1 added, 1 modified, 1 deleted, 150 B wasted; layer 3: 1, 1, 3, 0 B.
    let row = |n: usize| {
        let d = format!("sha256:{}", &sha256_hex(&built.blobs[n])[..12]);
        out.lines()
            .find(|l| l.contains(&d))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(row(1).contains(" 1 1 1 150 B RUN update"), "{}", row(1));
    assert!(row(2).contains(" 1 1 3 0 B RUN cleanup"), "{}", row(2));
    assert!(row(0).contains(" 7 0 0 380 B ADD base.tar /"), "{}", row(0));
    assert!(out.contains("Total       3 layers"), "{out}");
    assert!(out.contains("Efficiency  37.50 %, wasted 570 B"), "{out}");
    assert!(out.contains("/a/f1"), "{out}");
    assert!(out.contains("/a/f2"), "{out}");
}

#[test]
fn json_output_has_every_layer_digest_and_diff_id() {
    let dir = tempfile::tempdir().unwrap();
    let spec = efficiency_spec().compression(Compression::Zstd);
    let manifest_digest = write_oci(dir.path(), &spec, "v1");
    let built = spec.build();
    let reference = format!("oci:{}:v1", dir.path().display());
    let v = inspect_json(&reference);
    assert_eq!(v["reference"], reference);
    assert_eq!(v["manifest_digest"], manifest_digest);
    assert_eq!(
        v["config_digest"],
        format!("sha256:{}", sha256_hex(&built.config))
    );
    assert_eq!(v["platform"], "linux/amd64");
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    for (i, l) in layers.iter().enumerate() {
        assert_eq!(l["index"], i + 1);
        assert_eq!(
            l["digest"],
            format!("sha256:{}", sha256_hex(&built.blobs[i]))
        );
        assert_eq!(
            l["diff_id"],
            format!("sha256:{}", sha256_hex(&built.tars[i]))
        );
        assert_eq!(l["digest_verified"], true);
        assert_eq!(l["compression"], "zstd");
        assert_eq!(
            l["media_type"],
            "application/vnd.oci.image.layer.v1.tar+zstd"
        );
        assert_eq!(l["compressed_size"], built.blobs[i].len());
        assert_eq!(l["uncompressed_size"], built.tars[i].len());
    }
    let counts: Vec<[u64; 5]> = layers
        .iter()
        .map(|l| {
            [
                "files_added",
                "files_modified",
                "files_deleted",
                "content_bytes",
                "wasted_bytes",
            ]
            .map(|k| l[k].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        counts,
        vec![[7, 0, 0, 390, 380], [1, 1, 1, 155, 150], [1, 1, 3, 127, 0]]
    );
    let t = &v["totals"];
    assert_eq!(t["layers"], 3);
    assert_eq!(t["efficiency"], 0.375);
    assert_eq!(t["wasted_bytes"], 570);
    assert_eq!(t["paths"], 5);
    assert_eq!(t["wasted_user_percent"], 100.0 * 570.0 / 282.0);
    assert_eq!(
        t["inefficient_paths"],
        json!([
            {"path": "a/f1", "occurrences": 3, "total_bytes": 370},
            {"path": "a/f2", "occurrences": 2, "total_bytes": 200},
        ])
    );
    assert_eq!(
        t["compressed_size"],
        built.blobs.iter().map(|b| b.len()).sum::<usize>()
    );
    assert_eq!(v["config"]["cmd"], json!(["/bin/app"]));
    assert_eq!(v["config"]["user"], "1000:1000");
    let created_by: Vec<&str> = layers
        .iter()
        .map(|l| l["created_by"].as_str().unwrap())
        .collect();
    assert_eq!(created_by, ["ADD base.tar /", "RUN update", "RUN cleanup"]);
}

#[test]
fn docker_archive_json_marks_computed_digests() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("img.tar");
    let spec = efficiency_spec();
    write_docker_archive(&file, &spec, "eff:v1");
    let built = spec.compression(Compression::None).build();
    let v = inspect_json(&format!("docker-archive:{}:eff:v1", file.display()));
    for (i, l) in v["layers"].as_array().unwrap().iter().enumerate() {
        let d = format!("sha256:{}", sha256_hex(&built.tars[i]));
        assert_eq!(l["digest"], d);
        assert_eq!(l["diff_id"], d);
        assert_eq!(l["digest_verified"], false);
        assert_eq!(l["compression"], "none");
    }
    assert_eq!(v["totals"]["efficiency"], 0.375);
    assert_eq!(v["manifest_digest"], Value::Null);
    let table = ok(&["inspect", &format!("docker-archive:{}", file.display())]);
    assert!(table.contains("* digest computed while reading"), "{table}");
}

const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const LABEL_SECRET: &str = "labelsecret-93f1c7";

fn secret_spec() -> ImageSpec {
    ImageSpec::new(vec![
        Layer::new()
            .file("etc/os-release", b"PRETTY_NAME=\"Secretive\"\n")
            .created_by("ADD rootfs /"),
        Layer::new()
            .file("app/x", b"x")
            .created_by("ENV API_TOKEN=xyz"),
        Layer::new()
            .file("app/y", b"y")
            .created_by("/bin/sh -c login --password hunter2 && export DB_PASSWORD=hunter2"),
    ])
    .config(json!({
        "Env": [
            "PATH=/usr/bin",
            "DB_PASSWORD=hunter2",
            format!("AWS_SECRET_ACCESS_KEY={AWS_SECRET}"),
            "POSTGRES_PASSWORD_FILE=/run/secrets/db",
        ],
        "Labels": {"com.example.api-token": LABEL_SECRET, "maintainer": "ops@example.com"},
        "Cmd": ["/app/run"],
    }))
}

fn assert_no_secret(out: &str, dir: &Path) {
    for secret in [
        "hunter2",
        AWS_SECRET,
        "wJalrXUtnFEMI",
        LABEL_SECRET,
        "API_TOKEN=xyz",
    ] {
        assert!(!out.contains(secret), "{secret} leaked:\n{out}");
    }
    // "xyz" may only appear inside the (random) temporary directory's name.
    let without_path = out.replace(&dir.display().to_string(), "");
    assert!(!without_path.contains("xyz"), "xyz leaked:\n{out}");
}

#[test]
fn secrets_are_redacted_in_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(dir.path(), &secret_spec(), "s");
    let reference = format!("oci:{}:s", dir.path().display());
    let table = ok(&["inspect", &reference]);
    assert_no_secret(&table, dir.path());
    assert!(table.contains("DB_PASSWORD=<redacted>"), "{table}");
    assert!(
        table.contains("AWS_SECRET_ACCESS_KEY=<redacted>"),
        "{table}"
    );
    assert!(
        table.contains("com.example.api-token=<redacted>"),
        "{table}"
    );
    assert!(
        table.contains("POSTGRES_PASSWORD_FILE=/run/secrets/db"),
        "{table}"
    );
    assert!(table.contains("maintainer=ops@example.com"), "{table}");
    assert!(table.contains("ENV API_TOKEN=<redacted>"), "{table}");
    assert!(table.contains("OS          Secretive"), "{table}");

    let out = ok(&["inspect", "--format", "json", &reference]);
    assert_no_secret(&out, dir.path());
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["config"]["env"],
        json!([
            "PATH=/usr/bin",
            "DB_PASSWORD=<redacted>",
            "AWS_SECRET_ACCESS_KEY=<redacted>",
            "POSTGRES_PASSWORD_FILE=/run/secrets/db",
        ])
    );
    assert_eq!(
        v["config"]["labels"],
        json!({"com.example.api-token": "<redacted>", "maintainer": "ops@example.com"})
    );
    let history: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["created_by"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        [
            "ADD rootfs /",
            "ENV API_TOKEN=<redacted>",
            "/bin/sh -c login --password <redacted> && export DB_PASSWORD=<redacted>",
        ]
    );
    assert_eq!(v["layers"][1]["created_by"], "ENV API_TOKEN=<redacted>");
    assert_eq!(v["os"], "Secretive");
}

/// Runs a failing inspect; checks exit code 2 and one `palisade: error:` line.
fn fails(reference: &str) -> String {
    let o = palisade(&["inspect", reference]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{reference}: {err}");
    assert!(o.stdout.is_empty(), "{reference}: stdout {}", stdout(&o));
    assert!(err.starts_with("palisade: error: "), "{err}");
    assert!(err.ends_with('\n'), "{err:?}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !err.trim_end_matches('\n').chars().any(|c| c.is_control()),
        "control characters in {err:?}"
    );
    err
}

#[test]
fn error_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-layout");
    let err = fails(&format!("oci:{}:t", missing.display()));
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("cannot open OCI layout"), "{err}");
    let missing = dir.path().join("no-such.tar");
    let err = fails(&format!("docker-archive:{}", missing.display()));
    assert!(err.contains(&missing.display().to_string()), "{err}");
}

#[test]
fn error_malformed_reference() {
    let err = fails("UPPER/Case");
    assert!(
        err.contains(r#"invalid image reference "UPPER/Case""#),
        "{err}"
    );
}

#[test]
fn error_unknown_transport() {
    let err = fails("foo://x");
    assert!(
        err.contains(r#"invalid image reference "foo://x""#),
        "{err}"
    );
    assert!(err.contains("unknown transport"), "{err}");
}

#[test]
fn error_digest_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let spec = ImageSpec::new(vec![Layer::new().file("data", &[b'd'; 4000])])
        .compression(Compression::None);
    let built = spec.build();
    write_oci_built(dir.path(), &built, "t");
    let blob = dir
        .path()
        .join("blobs/sha256")
        .join(sha256_hex(&built.blobs[0]));
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[1000] ^= 0x01;
    std::fs::write(&blob, &bytes).unwrap();
    let reference = format!("oci:{}:t", dir.path().display());
    let err = fails(&reference);
    assert!(err.contains(&reference), "{err}");
    assert!(
        err.contains(&format!(
            "digest mismatch: expected sha256:{}, got sha256:{}",
            sha256_hex(&built.blobs[0]),
            sha256_hex(&bytes)
        )),
        "{err}"
    );
}

#[test]
fn error_path_escape() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(
        dir.path(),
        &ImageSpec::new(vec![
            Layer::new().raw(b"../etc/passwd", b"root::0:0::/:/bin/sh\n"),
        ]),
        "t",
    );
    let reference = format!("oci:{}:t", dir.path().display());
    let err = fails(&reference);
    assert!(err.contains(&reference), "{err}");
    assert!(
        err.contains(r#"tar entry "../etc/passwd" escapes the image root"#),
        "{err}"
    );
}

#[test]
fn error_unknown_media_type() {
    let dir = tempfile::tempdir().unwrap();
    let spec = ImageSpec::new(vec![Layer::new().file("Chart.yaml", b"name: x\n")]);
    let built = spec.build();
    let mut manifest: Value = serde_json::from_slice(&built.manifest()).unwrap();
    manifest["layers"][0]["mediaType"] =
        "application/vnd.cncf.helm.chart.content.v1.tar+gzip".into();
    for b in &built.blobs {
        palisade_testsupport::write_blob(dir.path(), b);
    }
    palisade_testsupport::write_blob(dir.path(), &built.config);
    let desc = palisade_testsupport::write_document(
        dir.path(),
        &manifest,
        "application/vnd.oci.image.manifest.v1+json",
    );
    palisade_testsupport::write_oci_index(
        dir.path(),
        &[palisade_testsupport::with_tag(desc, "chart")],
    );
    let reference = format!("oci:{}:chart", dir.path().display());
    let err = fails(&reference);
    assert!(err.contains(&reference), "{err}");
    assert!(
        err.contains(
            r#"unsupported media type "application/vnd.cncf.helm.chart.content.v1.tar+gzip""#
        ),
        "{err}"
    );
}

#[test]
fn error_from_hostile_bytes_stays_one_printable_line() {
    // A "docker-archive" whose first header is binary noise with a newline
    // and an escape sequence where tar expects numbers.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("noise.tar");
    let mut bytes = vec![b'A'; 1024];
    bytes[100..108].copy_from_slice(b"\n\x1b[31m\x07x");
    bytes[148..156].copy_from_slice(b"\x1b]0;pwn\n");
    std::fs::write(&file, &bytes).unwrap();
    let err = fails(&format!("docker-archive:{}", file.display()));
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("corrupt tar archive"), "{err}");
}

#[test]
fn error_on_a_non_tar_file_does_not_quote_its_content() {
    // Pointing palisade at the wrong file must not print that file's content
    // (it may be a credentials file).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secrets.env");
    let line = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n";
    std::fs::write(&file, line.repeat(20)).unwrap();
    let err = fails(&format!("docker-archive:{}", file.display()));
    assert!(err.contains("corrupt tar archive"), "{err}");
    assert!(
        !err.contains("wJalr") && !err.contains("AWS_SECRET"),
        "{err}"
    );
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(dir.path().join("img").as_path(), &efficiency_spec(), "v1");
    let reference = format!("oci:{}:v1", dir.path().join("img").display());
    let report = dir.path().join("report.json");
    let o = palisade(&[
        "inspect",
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
        &reference,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let written: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(written, inspect_json(&reference));
    let table = dir.path().join("report.txt");
    ok(&["inspect", "-o", table.to_str().unwrap(), &reference]);
    let text = std::fs::read_to_string(&table).unwrap();
    assert!(text.contains("Efficiency  37.50 %"), "{text}");
    // An unwritable output is an input error too.
    let o = palisade(&[
        "inspect",
        "-o",
        dir.path().join("no/such/dir/r.txt").to_str().unwrap(),
        &reference,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("palisade: error: writing "),
        "{}",
        stderr(&o)
    );
}
