//! Image sources: OCI layouts (tags, digests, nested indexes, platforms,
//! malformed layouts, artifacts) and docker-archives (docker save layout,
//! gzip'd archives, several images, the legacy layout, symlinked members,
//! malformed archives).

use palisade_image::{
    EntryKind, Image, ImageError, ImageRef, OpenOptions, Platform, Scan, WalkOptions, open, walk,
};
use palisade_testsupport::{
    Compression, ImageSpec, Layer, Member, compress, docker_archive_bytes, sha256_hex, tar_bytes,
    with_platform, with_tag, write_docker_archive, write_document, write_oci, write_oci_blobs,
    write_oci_built, write_oci_index,
};
use serde_json::json;
use std::path::Path;

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn try_open(reference: &str) -> Result<Image, ImageError> {
    try_open_for(reference, None)
}

fn try_open_for(reference: &str, platform: Option<&str>) -> Result<Image, ImageError> {
    let mut options = OpenOptions::default();
    if let Some(p) = platform {
        options.platform = p.parse::<Platform>().unwrap();
    }
    open(&ImageRef::parse(reference)?, &options)
}

fn open_ok(reference: &str) -> Image {
    try_open(reference).unwrap_or_else(|e| panic!("{reference}: {e}"))
}

fn open_err(reference: &str) -> String {
    match try_open(reference) {
        Ok(_) => panic!("{reference} opened"),
        Err(e) => e.to_string(),
    }
}

fn scan(image: &Image) -> Scan {
    walk(image, &[], &WalkOptions::default()).unwrap()
}

fn cmd(image: &Image) -> Vec<String> {
    image
        .config
        .config()
        .as_ref()
        .and_then(|c| c.cmd().clone())
        .unwrap_or_default()
}

fn spec_with_cmd(c: &str, content: &[u8]) -> ImageSpec {
    ImageSpec::new(vec![Layer::new().dir("etc").file("etc/which", content)])
        .config(json!({"Cmd": [c]}))
}

fn content_summary(s: &Scan) -> Vec<(String, EntryKind, u64, usize)> {
    s.fs.iter()
        .map(|(p, n)| (p.to_string(), n.kind, n.size, n.layer))
        .collect()
}

// ---------------------------------------------------------------- OCI layout

/// A layout with images tagged v1 and v2; returns their manifest digests.
fn two_tag_layout(dir: &Path) -> (String, String) {
    let one = write_oci_blobs(dir, &spec_with_cmd("one", b"1").build());
    let two = write_oci_blobs(dir, &spec_with_cmd("two", b"22").build());
    let digests = (
        one["digest"].as_str().unwrap().to_string(),
        two["digest"].as_str().unwrap().to_string(),
    );
    write_oci_index(dir, &[with_tag(one, "v1"), with_tag(two, "v2")]);
    digests
}

#[test]
fn oci_tag_selection() {
    let dir = tempfile::tempdir().unwrap();
    let (d1, d2) = two_tag_layout(dir.path());
    let image = open_ok(&format!("oci:{}:v2", dir.path().display()));
    assert_eq!(cmd(&image), vec!["two"]);
    assert_eq!(image.manifest_digest.as_ref().unwrap().to_string(), d2);
    assert_eq!(image.manifest_media_type.as_deref(), Some(OCI_MANIFEST));
    assert_eq!(scan(&image).fs.get("etc/which").map(|n| n.size), Some(2));
    let image = open_ok(&format!("oci:{}:v1", dir.path().display()));
    assert_eq!(cmd(&image), vec!["one"]);
    assert_eq!(image.manifest_digest.as_ref().unwrap().to_string(), d1);
    let err = open_err(&format!("oci:{}:v3", dir.path().display()));
    assert!(
        err.contains(r#"no image tagged "v3" (tags: v1, v2)"#),
        "{err}"
    );
}

#[test]
fn oci_digest_selection() {
    let dir = tempfile::tempdir().unwrap();
    let (d1, _) = two_tag_layout(dir.path());
    let image = open_ok(&format!("oci:{}@{d1}", dir.path().display()));
    assert_eq!(cmd(&image), vec!["one"]);
    assert_eq!(image.manifest_digest.as_ref().unwrap().to_string(), d1);
    let missing = format!("sha256:{}", sha256_hex(b"no such manifest"));
    let err = open_err(&format!("oci:{}@{missing}", dir.path().display()));
    assert!(
        err.contains(&format!("index.json lists no manifest {missing}")),
        "{err}"
    );
}

#[test]
fn oci_several_images_without_selector_is_an_error_listing_tags() {
    let dir = tempfile::tempdir().unwrap();
    two_tag_layout(dir.path());
    let reference = format!("oci:{}", dir.path().display());
    let err = open_err(&reference);
    assert!(err.starts_with(&format!("{reference}: ")), "{err}");
    assert!(
        err.contains(
            "the layout holds 2 images; name one with oci:DIR:TAG or oci:DIR@DIGEST (tags: v1, v2)"
        ),
        "{err}"
    );
}

#[test]
fn oci_single_image_needs_no_selector() {
    let dir = tempfile::tempdir().unwrap();
    let digest = write_oci(dir.path(), &spec_with_cmd("only", b"x"), "whatever");
    let image = open_ok(&format!("oci:{}", dir.path().display()));
    assert_eq!(cmd(&image), vec!["only"]);
    assert_eq!(image.manifest_digest.unwrap().to_string(), digest);
}

fn platform_spec(arch: &str) -> ImageSpec {
    ImageSpec::new(vec![Layer::new().file("arch", arch.as_bytes())])
        .platform("linux", arch)
        .config(json!({"Cmd": [arch]}))
}

/// index.json → index (tagged "multi") → index → manifests for amd64 and arm64.
fn nested_layout(dir: &Path) {
    let amd = with_platform(
        write_oci_blobs(dir, &platform_spec("amd64").build()),
        "linux",
        "amd64",
    );
    let arm = with_platform(
        write_oci_blobs(dir, &platform_spec("arm64").build()),
        "linux",
        "arm64",
    );
    let inner = write_document(
        dir,
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [amd, arm]}),
        OCI_INDEX,
    );
    let outer = write_document(
        dir,
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [inner]}),
        OCI_INDEX,
    );
    write_oci_index(dir, &[with_tag(outer, "multi")]);
}

#[test]
fn oci_nested_index_and_platform_selection() {
    let dir = tempfile::tempdir().unwrap();
    nested_layout(dir.path());
    let reference = format!("oci:{}:multi", dir.path().display());
    for arch in ["amd64", "arm64"] {
        let image = try_open_for(&reference, Some(&format!("linux/{arch}"))).unwrap();
        assert_eq!(image.platform(), format!("linux/{arch}"));
        assert_eq!(cmd(&image), vec![arch]);
        let s = scan(&image);
        assert_eq!(s.fs.get("arch").unwrap().size, arch.len() as u64);
    }
    let err = try_open_for(&reference, Some("linux/s390x"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("no image for platform linux/s390x (available: linux/amd64, linux/arm64)"),
        "{err}"
    );
    assert!(err.starts_with(&reference), "{err}");
}

#[test]
fn oci_index_at_the_top_level_selects_by_platform() {
    let dir = tempfile::tempdir().unwrap();
    let amd = with_platform(
        write_oci_blobs(dir.path(), &platform_spec("amd64").build()),
        "linux",
        "amd64",
    );
    let arm = with_platform(
        write_oci_blobs(dir.path(), &platform_spec("arm64").build()),
        "linux",
        "arm64",
    );
    let index = write_document(
        dir.path(),
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [amd, arm]}),
        OCI_INDEX,
    );
    write_oci_index(dir.path(), &[index]);
    let reference = format!("oci:{}", dir.path().display());
    let image = try_open_for(&reference, Some("linux/arm64/v8")).unwrap();
    assert_eq!(cmd(&image), vec!["arm64"]);
}

#[test]
fn oci_indexes_nested_too_deeply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut desc = write_oci_blobs(dir.path(), &platform_spec("amd64").build());
    for _ in 0..12 {
        desc = write_document(
            dir.path(),
            &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [desc]}),
            OCI_INDEX,
        );
    }
    write_oci_index(dir.path(), &[desc]);
    let err = open_err(&format!("oci:{}", dir.path().display()));
    assert!(err.contains("image indexes nest too deeply"), "{err}");
}

#[test]
fn oci_missing_layout_file() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(dir.path(), &spec_with_cmd("x", b"x"), "t");
    std::fs::remove_file(dir.path().join("oci-layout")).unwrap();
    let err = open_err(&format!("oci:{}:t", dir.path().display()));
    assert!(err.contains("oci-layout: not an OCI image layout"), "{err}");
}

#[test]
fn oci_unsupported_layout_version() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(dir.path(), &spec_with_cmd("x", b"x"), "t");
    std::fs::write(
        dir.path().join("oci-layout"),
        br#"{"imageLayoutVersion":"2.0.0"}"#,
    )
    .unwrap();
    let err = open_err(&format!("oci:{}:t", dir.path().display()));
    assert!(err.contains("unsupported imageLayoutVersion"), "{err}");
}

#[test]
fn oci_missing_directory_and_not_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let err = open_err(&format!("oci:{}", missing.display()));
    assert!(
        err.starts_with(&format!("{}: cannot open OCI layout", missing.display())),
        "{err}"
    );
    let file = dir.path().join("file.tar");
    std::fs::write(&file, b"not a directory").unwrap();
    let err = open_err(&format!("oci:{}", file.display()));
    assert!(
        err.starts_with(&format!("{}: not a directory", file.display())),
        "{err}"
    );
}

#[test]
fn oci_garbage_index_json() {
    let dir = tempfile::tempdir().unwrap();
    write_oci(dir.path(), &spec_with_cmd("x", b"x"), "t");
    std::fs::write(dir.path().join("index.json"), b"\x00\x01 garbage {").unwrap();
    let err = open_err(&format!("oci:{}:t", dir.path().display()));
    assert!(err.contains("invalid index.json"), "{err}");
}

/// Writes a layout whose manifest was edited by `edit`.
fn layout_with_manifest(dir: &Path, spec: &ImageSpec, edit: impl FnOnce(&mut serde_json::Value)) {
    let built = spec.build();
    write_oci_blobs(dir, &built);
    let mut manifest: serde_json::Value = serde_json::from_slice(&built.manifest()).unwrap();
    edit(&mut manifest);
    let desc = write_document(dir, &manifest, OCI_MANIFEST);
    write_oci_index(dir, &[with_tag(desc, "t")]);
}

#[test]
fn oci_unknown_layer_media_type_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    layout_with_manifest(dir.path(), &spec_with_cmd("x", b"x"), |m| {
        m["layers"][0]["mediaType"] = "application/vnd.cncf.helm.chart.content.v1.tar+gzip".into();
    });
    let err = open_err(&format!("oci:{}:t", dir.path().display()));
    assert!(
        err.contains(r#"unsupported media type "application/vnd.cncf.helm.chart.content.v1.tar+gzip" for a layer"#),
        "{err}"
    );
}

#[test]
fn oci_artifact_config_media_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    layout_with_manifest(dir.path(), &spec_with_cmd("x", b"x"), |m| {
        m["config"]["mediaType"] = "application/vnd.cncf.helm.config.v1+json".into();
    });
    let err = open_err(&format!("oci:{}:t", dir.path().display()));
    assert!(
        err.contains(r#"unsupported media type "application/vnd.cncf.helm.config.v1+json" for the config: this is an OCI artifact, not a container image"#),
        "{err}"
    );
}

#[test]
fn oci_manifest_and_config_layer_counts_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let spec = ImageSpec::new(vec![
        Layer::new().file("a", b"a"),
        Layer::new().file("b", b"b"),
    ]);
    let mut built = spec.build();
    let mut config: serde_json::Value = serde_json::from_slice(&built.config).unwrap();
    config["rootfs"]["diff_ids"].as_array_mut().unwrap().pop();
    built.config = serde_json::to_vec(&config).unwrap();
    write_oci_built(dir.path(), &built, "t");
    let err = open_err(&format!("oci:{}:t", dir.path().display()));
    assert!(
        err.contains("the manifest lists 2 layers but the config lists 1 diff_ids"),
        "{err}"
    );
}

#[test]
fn oci_tampered_manifest_and_config_blobs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let built = spec_with_cmd("x", b"x").build();
    let digest = write_oci_built(dir.path(), &built, "t");
    let reference = format!("oci:{}:t", dir.path().display());
    // Config.
    let config_path = dir
        .path()
        .join("blobs/sha256")
        .join(sha256_hex(&built.config));
    let mut config = built.config.clone();
    let last = config.len() - 2;
    config[last] ^= 0x20;
    std::fs::write(&config_path, &config).unwrap();
    let err = open_err(&reference);
    assert!(err.contains("digest mismatch"), "{err}");
    assert!(err.contains("config"), "{err}");
    std::fs::write(&config_path, &built.config).unwrap();
    open_ok(&reference);
    // Manifest.
    let manifest_path = dir
        .path()
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    let mut manifest = std::fs::read(&manifest_path).unwrap();
    manifest.push(b' ');
    std::fs::write(&manifest_path, &manifest).unwrap();
    let err = open_err(&reference);
    assert!(
        err.contains(&format!("digest mismatch: expected {digest}")),
        "{err}"
    );
}

#[test]
fn oci_missing_layer_blob_is_an_error_at_walk_time() {
    let dir = tempfile::tempdir().unwrap();
    let built = spec_with_cmd("x", b"x").build();
    write_oci_built(dir.path(), &built, "t");
    let layer = dir
        .path()
        .join("blobs/sha256")
        .join(sha256_hex(&built.blobs[0]));
    std::fs::remove_file(&layer).unwrap();
    let image = open_ok(&format!("oci:{}:t", dir.path().display()));
    let err = walk(&image, &[], &WalkOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.starts_with(&layer.display().to_string()), "{err}");
}

// ---------------------------------------------------------- docker-archive

fn archive_spec() -> ImageSpec {
    ImageSpec::new(vec![
        Layer::new()
            .dir("etc")
            .file("etc/a", b"lower")
            .file("etc/gone", b"g"),
        Layer::new()
            .file("etc/a", b"upper!")
            .whiteout("etc/gone")
            .symlink("sh", "/bin/busybox"),
    ])
    .config(json!({"Cmd": ["/app"], "Env": ["A=1"]}))
}

#[test]
fn docker_archive_from_testsupport() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("img.tar");
    let spec = archive_spec();
    write_docker_archive(&file, &spec, "app:v1");
    let built = spec.clone().compression(Compression::None).build();
    for reference in [
        format!("docker-archive:{}", file.display()),
        format!("docker-archive:{}:app:v1", file.display()),
        format!("docker-archive:{}:@0", file.display()),
    ] {
        let image = open_ok(&reference);
        assert_eq!(image.reference, reference);
        assert_eq!(cmd(&image), vec!["/app"]);
        assert!(image.manifest_digest.is_none());
        assert_eq!(
            image.config_digest.as_ref().unwrap().to_string(),
            format!("sha256:{}", sha256_hex(&built.config))
        );
        assert_eq!(image.layers.len(), 2);
        for (l, tar) in image.layers.iter().zip(&built.tars) {
            assert!(l.digest.is_none());
            assert_eq!(l.size, Some(tar.len() as u64));
            assert_eq!(
                l.diff_id.as_ref().unwrap().to_string(),
                format!("sha256:{}", sha256_hex(tar))
            );
        }
        let s = scan(&image);
        for (l, tar) in s.layers.iter().zip(&built.tars) {
            assert!(!l.digest_verified);
            assert_eq!(l.digest.to_string(), format!("sha256:{}", sha256_hex(tar)));
            assert_eq!(l.diff_id, l.digest);
        }
        assert_eq!(
            content_summary(&s),
            vec![
                ("etc".to_string(), EntryKind::Dir, 0, 0),
                ("etc/a".to_string(), EntryKind::File, 6, 1),
                ("sh".to_string(), EntryKind::Symlink, 0, 1),
            ]
        );
    }
    let err = open_err(&format!("docker-archive:{}:app:v2", file.display()));
    assert!(
        err.contains(r#"no image tagged "app:v2" (tags: app:v1)"#),
        "{err}"
    );
}

#[test]
fn docker_archive_gzip_compressed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("img.tar");
    write_docker_archive(&plain, &archive_spec(), "app:v1");
    let gz = dir.path().join("img.tar.gz");
    std::fs::write(
        &gz,
        compress(&std::fs::read(&plain).unwrap(), Compression::Gzip),
    )
    .unwrap();
    let a = scan(&open_ok(&format!("docker-archive:{}", plain.display())));
    let b = scan(&open_ok(&format!("docker-archive:{}:app:v1", gz.display())));
    assert_eq!(content_summary(&a), content_summary(&b));
    let digests = |s: &Scan| {
        s.layers
            .iter()
            .map(|l| l.digest.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(digests(&a), digests(&b));
    // A gzip'd file that is not a gzip stream throughout.
    let broken = dir.path().join("broken.tar.gz");
    let bytes = std::fs::read(&gz).unwrap();
    std::fs::write(&broken, &bytes[..bytes.len() / 2]).unwrap();
    let err = open_err(&format!("docker-archive:{}", broken.display()));
    assert!(err.contains("corrupt gzip-compressed archive"), "{err}");
}

fn two_image_archive(dir: &Path, link_shared: bool) -> (std::path::PathBuf, ImageSpec, ImageSpec) {
    let base = Layer::new()
        .dir("etc")
        .file("etc/base", b"shared base layer");
    let a = ImageSpec::new(vec![base.clone(), Layer::new().file("which", b"a")])
        .config(json!({"Cmd": ["a"]}));
    let b =
        ImageSpec::new(vec![base, Layer::new().file("which", b"bb")]).config(json!({"Cmd": ["b"]}));
    let file = dir.join("two.tar");
    let bytes = docker_archive_bytes(
        &[
            (&a, &["app:one"]),
            (&b, &["app:two", "docker.io/library/other:latest"]),
        ],
        link_shared,
    );
    std::fs::write(&file, bytes).unwrap();
    (file, a, b)
}

#[test]
fn docker_archive_selects_one_of_several_images() {
    let dir = tempfile::tempdir().unwrap();
    let (file, _, _) = two_image_archive(dir.path(), false);
    let f = file.display();
    for (sel, want) in [
        ("app:one", "a"),
        ("app:two", "b"),
        ("@0", "a"),
        ("@1", "b"),
        ("other:latest", "b"),
        ("docker.io/library/other:latest", "b"),
    ] {
        let image = open_ok(&format!("docker-archive:{f}:{sel}"));
        assert_eq!(cmd(&image), vec![want], "{sel}");
        let s = scan(&image);
        let size = if want == "a" { 1 } else { 2 };
        assert_eq!(s.fs.get("which").unwrap().size, size, "{sel}");
        assert_eq!(s.fs.get("etc/base").unwrap().size, 17, "{sel}");
    }
    let err = open_err(&format!("docker-archive:{f}"));
    assert!(
        err.contains("the archive holds 2 images; pick one with docker-archive:FILE:NAME:TAG or :@INDEX (tags: app:one, app:two, docker.io/library/other:latest)"),
        "{err}"
    );
    let err = open_err(&format!("docker-archive:{f}:@2"));
    assert!(err.contains("no image @2: the archive holds 2"), "{err}");
}

#[test]
fn docker_archive_symlinked_layer_members() {
    let dir = tempfile::tempdir().unwrap();
    let (file, _, b) = two_image_archive(dir.path(), true);
    // The second image's base layer is a symlink to the first image's.
    let mut archive = tar::Archive::new(std::fs::File::open(&file).unwrap());
    let links = archive
        .entries()
        .unwrap()
        .filter(|e| e.as_ref().unwrap().header().entry_type().is_symlink())
        .count();
    assert_eq!(links, 1);
    let image = open_ok(&format!("docker-archive:{}:app:two", file.display()));
    let s = scan(&image);
    let built = b.compression(Compression::None).build();
    assert_eq!(
        s.layers[0].diff_id.to_string(),
        format!("sha256:{}", sha256_hex(&built.tars[0]))
    );
    assert_eq!(s.fs.get("etc/base").unwrap().size, 17);
    assert_eq!(s.fs.get("which").unwrap().size, 2);
}

#[test]
fn docker_archive_legacy_layout_is_rebuilt_through_parents() {
    let base = Layer::new()
        .dir("etc")
        .file("etc/f", b"old")
        .file("etc/del", b"d");
    let top = Layer::new()
        .file("etc/f", b"newer")
        .whiteout("etc/del")
        .file("bin/app", b"app");
    let (base_tar, top_tar) = (base.tar(), top.tar());
    let base_id = "a".repeat(64);
    let top_id = "b".repeat(64);
    let base_json = json!({
        "id": base_id,
        "created": "2015-01-01T00:00:00Z",
        "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) ADD file:base in /"]},
        "architecture": "amd64",
        "os": "linux",
    });
    let top_json = json!({
        "id": top_id,
        "parent": base_id,
        "created": "2015-01-02T00:00:00Z",
        "author": "someone",
        "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) ADD file:top in /"]},
        "config": {"Cmd": ["/bin/app"], "Env": ["LEGACY=1"]},
        "architecture": "amd64",
        "os": "linux",
    });
    // Members in an order unrelated to the chain; no manifest.json.
    let bytes = tar_bytes(&[
        Member::Dir(format!("{top_id}/")),
        Member::File(format!("{top_id}/VERSION"), b"1.0".to_vec()),
        Member::File(
            format!("{top_id}/json"),
            serde_json::to_vec(&top_json).unwrap(),
        ),
        Member::File(format!("{top_id}/layer.tar"), top_tar.clone()),
        Member::Dir(format!("{base_id}/")),
        Member::File(format!("{base_id}/VERSION"), b"1.0".to_vec()),
        Member::File(
            format!("{base_id}/json"),
            serde_json::to_vec(&base_json).unwrap(),
        ),
        Member::File(format!("{base_id}/layer.tar"), base_tar.clone()),
        Member::File(
            "repositories".into(),
            serde_json::to_vec(&json!({"legacy/app": {"v1": top_id}})).unwrap(),
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("legacy.tar");
    std::fs::write(&file, bytes).unwrap();
    for reference in [
        format!("docker-archive:{}", file.display()),
        format!("docker-archive:{}:legacy/app:v1", file.display()),
    ] {
        let image = open_ok(&reference);
        assert_eq!(cmd(&image), vec!["/bin/app"]);
        assert_eq!(image.config.author().as_deref(), Some("someone"));
        assert_eq!(image.platform(), "linux/amd64");
        let history: Vec<String> = image
            .config
            .history()
            .as_ref()
            .unwrap()
            .iter()
            .map(|h| h.created_by().clone().unwrap_or_default())
            .collect();
        assert_eq!(
            history,
            vec![
                "/bin/sh -c #(nop) ADD file:base in /",
                "/bin/sh -c #(nop) ADD file:top in /"
            ]
        );
        assert_eq!(image.layers.len(), 2);
        assert!(
            image
                .layers
                .iter()
                .all(|l| l.diff_id.is_none() && l.digest.is_none())
        );
        assert_eq!(image.layers[0].size, Some(base_tar.len() as u64));
        let s = scan(&image);
        // Bottom first: the top layer's etc/f wins and its whiteout applies.
        assert_eq!(
            s.layers[0].diff_id.to_string(),
            format!("sha256:{}", sha256_hex(&base_tar))
        );
        assert_eq!(
            s.layers[1].diff_id.to_string(),
            format!("sha256:{}", sha256_hex(&top_tar))
        );
        assert_eq!(
            content_summary(&s),
            vec![
                ("bin/app".to_string(), EntryKind::File, 3, 1),
                ("etc".to_string(), EntryKind::Dir, 0, 0),
                ("etc/f".to_string(), EntryKind::File, 5, 1),
            ]
        );
    }
    let err = open_err(&format!("docker-archive:{}:legacy/app:v2", file.display()));
    assert!(err.contains(r#"no image tagged "legacy/app:v2""#), "{err}");
}

#[test]
fn docker_archive_legacy_parent_loop_is_refused() {
    let id = "c".repeat(64);
    let bytes = tar_bytes(&[
        Member::File(
            format!("{id}/json"),
            serde_json::to_vec(&json!({"id": id, "parent": id})).unwrap(),
        ),
        Member::File(
            format!("{id}/layer.tar"),
            Layer::new().file("a", b"a").tar(),
        ),
        Member::File(
            "repositories".into(),
            serde_json::to_vec(&json!({"loop": {"latest": id}})).unwrap(),
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("loop.tar");
    std::fs::write(&file, bytes).unwrap();
    let err = open_err(&format!("docker-archive:{}", file.display()));
    assert!(
        err.contains("legacy layer chain is too long or loops"),
        "{err}"
    );
}

fn archive_with_manifest(
    dir: &Path,
    manifest: serde_json::Value,
    extra: Vec<Member>,
) -> std::path::PathBuf {
    let built = ImageSpec::new(vec![Layer::new().file("a", b"a")])
        .compression(Compression::None)
        .build();
    let mut members = vec![
        Member::File("config.json".into(), built.config.clone()),
        Member::File("l1/layer.tar".into(), built.tars[0].clone()),
        Member::File(
            "manifest.json".into(),
            serde_json::to_vec(&manifest).unwrap(),
        ),
    ];
    members.extend(extra);
    let file = dir.join("custom.tar");
    std::fs::write(&file, tar_bytes(&members)).unwrap();
    file
}

#[test]
fn docker_archive_missing_member_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = archive_with_manifest(
        dir.path(),
        json!([{"Config": "config.json", "RepoTags": ["x:y"], "Layers": ["nope/layer.tar"]}]),
        vec![],
    );
    let reference = format!("docker-archive:{}", file.display());
    let err = open_err(&reference);
    assert!(err.starts_with(&format!("{reference}: ")), "{err}");
    assert!(
        err.contains(r#"the archive has no member "nope/layer.tar""#),
        "{err}"
    );
    let file = archive_with_manifest(
        dir.path(),
        json!([{"Config": "missing.json", "RepoTags": ["x:y"], "Layers": ["l1/layer.tar"]}]),
        vec![],
    );
    let err = open_err(&format!("docker-archive:{}", file.display()));
    assert!(
        err.contains(r#"the archive has no member "missing.json""#),
        "{err}"
    );
}

#[test]
fn docker_archive_symlink_out_of_the_archive_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.tar");
    std::fs::write(&outside, Layer::new().file("a", b"a").tar()).unwrap();
    let file = archive_with_manifest(
        dir.path(),
        json!([{"Config": "config.json", "RepoTags": ["x:y"], "Layers": ["evil/layer.tar"]}]),
        vec![Member::Symlink(
            "evil/layer.tar".into(),
            "../../outside.tar".into(),
        )],
    );
    let err = open_err(&format!("docker-archive:{}", file.display()));
    assert!(
        err.contains(r#"the archive has no member "evil/layer.tar""#),
        "{err}"
    );
}

#[test]
fn docker_archive_config_and_layer_counts_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let file = archive_with_manifest(
        dir.path(),
        json!([{"Config": "config.json", "Layers": ["l1/layer.tar", "l1/layer.tar"]}]),
        vec![],
    );
    let err = open_err(&format!("docker-archive:{}", file.display()));
    assert!(
        err.contains("manifest.json lists 2 layers but the config lists 1 diff_ids"),
        "{err}"
    );
}

#[test]
fn docker_archive_that_is_not_a_tar() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("random.bin");
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&file, &noise).unwrap();
    let reference = format!("docker-archive:{}", file.display());
    let err = open_err(&reference);
    assert!(err.starts_with(&format!("{reference}: ")), "{err}");
    assert!(
        err.contains("not a tar archive") || err.contains("corrupt tar archive"),
        "{err}"
    );
    // A tar, but of an OCI layout.
    let oci = dir.path().join("oci");
    write_oci(&oci, &spec_with_cmd("x", b"x"), "t");
    let mut members = vec![
        Member::File(
            "oci-layout".into(),
            std::fs::read(oci.join("oci-layout")).unwrap(),
        ),
        Member::File(
            "index.json".into(),
            std::fs::read(oci.join("index.json")).unwrap(),
        ),
    ];
    for e in std::fs::read_dir(oci.join("blobs/sha256")).unwrap() {
        let e = e.unwrap();
        members.push(Member::File(
            format!("blobs/sha256/{}", e.file_name().to_string_lossy()),
            std::fs::read(e.path()).unwrap(),
        ));
    }
    let file = dir.path().join("oci.tar");
    std::fs::write(&file, tar_bytes(&members)).unwrap();
    let err = open_err(&format!("docker-archive:{}", file.display()));
    assert!(
        err.contains("not a docker-archive: no manifest.json or repositories file"),
        "{err}"
    );
    // A directory.
    let err = open_err(&format!("docker-archive:{}", oci.display()));
    assert!(err.contains("is a directory"), "{err}");
    // Missing.
    let err = open_err(&format!(
        "docker-archive:{}",
        dir.path().join("nope.tar").display()
    ));
    assert!(err.contains("cannot open docker-archive"), "{err}");
}

#[test]
fn docker_archive_with_blobs_layout_verifies_layer_digests() {
    // docker >= 25 writes OCI-style `blobs/sha256/<hex>` members: those
    // names are content addresses, so layers are verified against them.
    let spec = archive_spec();
    let built = spec.clone().compression(Compression::None).build();
    let mut members = vec![Member::File(
        format!("blobs/sha256/{}", sha256_hex(&built.config)),
        built.config.clone(),
    )];
    let mut layers = Vec::new();
    for t in &built.tars {
        let name = format!("blobs/sha256/{}", sha256_hex(t));
        members.push(Member::File(name.clone(), t.clone()));
        layers.push(name);
    }
    let manifest = json!([{
        "Config": format!("blobs/sha256/{}", sha256_hex(&built.config)),
        "RepoTags": ["new:style"],
        "Layers": layers,
    }]);
    members.push(Member::File(
        "manifest.json".into(),
        serde_json::to_vec(&manifest).unwrap(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.tar");
    std::fs::write(&file, tar_bytes(&members)).unwrap();
    let image = open_ok(&format!("docker-archive:{}", file.display()));
    assert!(image.layers.iter().all(|l| l.digest.is_some()));
    let s = scan(&image);
    assert!(s.layers.iter().all(|l| l.digest_verified));
    // Tamper with a layer: same length, different content.
    let mut bad_tar = built.tars[1].clone();
    bad_tar[600] ^= 1;
    members[2] = Member::File(layers[1].clone(), bad_tar);
    std::fs::write(&file, tar_bytes(&members)).unwrap();
    let image = open_ok(&format!("docker-archive:{}", file.display()));
    let err = walk(&image, &[], &WalkOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("digest mismatch"), "{err}");
}
