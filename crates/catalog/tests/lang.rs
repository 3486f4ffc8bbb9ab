//! The language catalogers (Python, npm, Cargo, Composer) on synthetic images:
//! purls, whiteouts, dpkg-owned Python distributions, npm lock file versus
//! installed packages (and Composer's), and hostile files.

use palisade_catalog::{Sbom, analyzers, build};
use palisade_image::{Analyzer, ImageRef, OpenOptions, WalkOptions, open, walk};
use palisade_model::Package;
use palisade_testsupport::{ImageSpec, Layer, write_oci};

fn sbom(spec: &ImageSpec) -> Sbom {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    write_oci(&layout, spec, "latest");
    let reference = ImageRef::parse(&format!("oci:{}:latest", layout.display())).unwrap();
    let image = open(&reference, &OpenOptions::default()).unwrap();
    let boxed = analyzers();
    // An unrelated analyzer first, so the index offset is exercised.
    let probe = palisade_image::inspect::OsReleaseAnalyzer;
    let mut list: Vec<&dyn Analyzer> = vec![&probe];
    list.extend(boxed.iter().map(|a| a.as_ref()));
    let scan = walk(&image, &list, &WalkOptions::default()).unwrap();
    build(&scan, 1)
}

fn of<'a>(s: &'a Sbom, ecosystem: &str) -> Vec<&'a Package> {
    s.packages
        .iter()
        .filter(|p| p.ecosystem == ecosystem)
        .collect()
}

/// (name, version, file name of the location) of the `ecosystem` packages.
fn listed<'a>(s: &'a Sbom, ecosystem: &str) -> Vec<(&'a str, &'a str, &'a str)> {
    of(s, ecosystem)
        .iter()
        .map(|p| {
            let path = p.locations[0].path.as_str();
            (
                p.name.as_str(),
                p.version.as_str(),
                path.rsplit('/').next().unwrap(),
            )
        })
        .collect()
}

fn metadata(name: &str, version: &str) -> Vec<u8> {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nLicense: MIT\n\nbody\n")
        .into_bytes()
}

const SITE: &str = "usr/local/lib/python3.11/site-packages";

#[test]
fn analyzers_keep_the_os_ones_first() {
    let names: Vec<&str> = analyzers().iter().map(|a| a.name()).collect();
    assert_eq!(
        names,
        [
            "catalog-os",
            "catalog-dpkg",
            "catalog-apk",
            "catalog-python",
            "catalog-npm",
            "catalog-cargo",
            "catalog-composer",
            "catalog-rpm",
            "catalog-go",
            "catalog-rust-binary",
            "catalog-java",
            "catalog-yarn",
            "catalog-pnpm",
            "catalog-gem",
            "catalog-dotnet",
            "catalog-dpkg-copyright",
            "catalog-gemfile-lock",
            "catalog-poetry-lock",
            "catalog-pipfile-lock",
            "catalog-uv-lock",
        ]
    );
}

#[test]
fn python_dists_whiteouts_and_dpkg_ownership() {
    let deb = "usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA";
    let status = "Package: python3-pip\nStatus: install ok installed\nArchitecture: all\nVersion: 23.0.1+dfsg-1\n";
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
            .file("var/lib/dpkg/status", status.as_bytes())
            .file(
                "var/lib/dpkg/info/python3-pip.list",
                format!("/.\n/usr\n/{deb}\n").as_bytes(),
            )
            .file(deb, &metadata("pip", "23.0.1"))
            .file(
                &format!("{SITE}/PyYAML-5.3.1.dist-info/METADATA"),
                &metadata("PyYAML", "5.3.1"),
            )
            .file(
                &format!("{SITE}/zope.interface-5.0.dist-info/METADATA"),
                &metadata("zope.interface", "5.0"),
            )
            .file(
                &format!("{SITE}/PyJWT-1.5.0.dist-info/METADATA"),
                &metadata("PyJWT", "1.5.0"),
            )
            .file(
                "opt/legacy/lib/python2.7/site-packages/Legacy_Pkg.egg-info/PKG-INFO",
                b"Metadata-Version: 1.0\nName: Legacy_Pkg\nVersion: 0.1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License\n",
            )
            // Not metadata: a file of a package's own data.
            .file(&format!("{SITE}/yaml/METADATA"), b"junk"),
        Layer::new().whiteout(&format!("{SITE}/PyJWT-1.5.0.dist-info")),
    ]);
    let s = sbom(&spec);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let py: Vec<(&str, &str, &str)> = of(&s, "PyPI")
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
        .collect();
    assert_eq!(
        py,
        [
            ("Legacy_Pkg", "0.1", "pkg:pypi/legacy-pkg@0.1"),
            ("PyYAML", "5.3.1", "pkg:pypi/pyyaml@5.3.1"),
            ("zope.interface", "5.0", "pkg:pypi/zope-interface@5.0"),
        ]
    );
    let yaml = of(&s, "PyPI")[1];
    assert_eq!(yaml.licenses, ["MIT"]);
    assert_eq!(
        yaml.locations[0].path,
        format!("/{SITE}/PyYAML-5.3.1.dist-info/METADATA")
    );
    assert_eq!(yaml.locations[0].layer, 0);
    assert_eq!(of(&s, "PyPI")[0].licenses, ["BSD License"]);
    // pip is reported once, as the Debian package.
    assert_eq!(of(&s, "Debian:12").len(), 1);
    assert!(!s.packages.iter().any(|p| p.name == "pip"));
}

/// apk's installed database lists each package's files (`F:` + `R:`): a
/// Python distribution an apk package installed is reported once, as it.
#[test]
fn apk_owned_python_dists_are_not_reported_again() {
    let dist = "usr/lib/python3.11/site-packages/six-1.16.0.dist-info";
    let installed = format!(
        "P:py3-six\nV:1.16.0-r7\nA:x86_64\no:py3-six\nL:MIT\nF:{dist}\nR:METADATA\nR:RECORD\n\n"
    );
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("etc/os-release", b"ID=alpine\nVERSION_ID=3.20.3\n")
            .file("lib/apk/db/installed", installed.as_bytes())
            .file(&format!("{dist}/METADATA"), &metadata("six", "1.16.0"))
            .file(
                &format!("{SITE}/PyYAML-5.3.1.dist-info/METADATA"),
                &metadata("PyYAML", "5.3.1"),
            ),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let got: Vec<(&str, &str)> = s
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.ecosystem.as_str()))
        .collect();
    assert_eq!(got, [("py3-six", "Alpine:v3.20"), ("PyYAML", "PyPI")]);
}

/// A Gemfile.lock written by bundler itself (fixtures/ruby): every locked
/// gem, and a gem also installed (its gemspec) reported once, as installed.
#[test]
fn gemfile_lock_written_by_bundler() {
    let lock = include_bytes!("fixtures/ruby/Gemfile.lock");
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("srv/app/Gemfile.lock", lock)
            .file(
                "usr/local/bundle/specifications/rake-13.0.6.gemspec",
                b"Gem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\nend\n",
            ),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let lock = "Gemfile.lock";
    assert_eq!(
        listed(&s, "RubyGems"),
        [
            ("minitest", "5.15.0", lock),
            ("power_assert", "2.0.1", lock),
            ("rake", "13.0.6", "rake-13.0.6.gemspec"),
            ("rbs", "2.1.0", lock),
            ("test-unit", "3.5.3", lock),
            ("typeprof", "0.21.2", lock),
        ]
    );
    assert_eq!(of(&s, "RubyGems")[0].purl, "pkg:gem/minitest@5.15.0");
    // Not a lock file: one warning, nothing else lost.
    let s = sbom(&ImageSpec::new(vec![
        Layer::new().file("srv/app/Gemfile.lock", b"\x00\x01 junk"),
    ]));
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
}

/// poetry.lock and Pipfile.lock written by Poetry and pipenv themselves
/// (fixtures/python): every locked distribution (Pipfile.lock: `default`
/// only), and one also installed (its dist-info) reported once, as installed.
#[test]
fn poetry_and_pipfile_locks_written_by_the_tools() {
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file(
                "srv/poetry-app/poetry.lock",
                include_bytes!("fixtures/python/poetry.lock"),
            )
            .file(
                "srv/pipenv-app/Pipfile.lock",
                include_bytes!("fixtures/python/Pipfile.lock"),
            )
            .file(
                &format!("{SITE}/requests-2.31.0.dist-info/METADATA"),
                &metadata("requests", "2.31.0"),
            ),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    // Sorted by name and version; the same release from both files in
    // the order the lock files are read.
    assert_eq!(
        listed(&s, "PyPI"),
        [
            ("certifi", "2026.10.19.post1", "poetry.lock"),
            ("certifi", "2026.10.19.post1", "Pipfile.lock"),
            ("charset-normalizer", "3.5.3", "poetry.lock"),
            ("charset-normalizer", "3.5.3", "Pipfile.lock"),
            ("idna", "3.20", "poetry.lock"),
            ("idna", "3.21", "Pipfile.lock"),
            ("requests", "2.31.0", "METADATA"),
            ("six", "1.16.0", "poetry.lock"),
            ("urllib3", "2.6.3", "poetry.lock"),
            ("urllib3", "2.8.0", "Pipfile.lock"),
        ]
    );
    assert!(
        of(&s, "PyPI")
            .iter()
            .any(|p| p.purl == "pkg:pypi/charset-normalizer@3.5.3")
    );
    // Broken lock files: one warning each, nothing else lost.
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file("a/poetry.lock", b"[[package]\nname=")
            .file("b/Pipfile.lock", b"{\"default\": 7}")
            .file(
                &format!("{SITE}/six-1.16.0.dist-info/METADATA"),
                &metadata("six", "1.16.0"),
            ),
    ]));
    assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
    assert_eq!(of(&s, "PyPI").len(), 1);
}

#[test]
fn npm_installed_and_locked_once() {
    let lock = r#"{"name":"app","version":"1.0.0","lockfileVersion":3,"packages":{
        "":{"name":"app","version":"1.0.0"},
        "node_modules/lodash":{"version":"4.17.4","license":"MIT"},
        "node_modules/@babel/core":{"version":"7.0.0"},
        "node_modules/debug/node_modules/ms":{"version":"2.0.0"},
        "node_modules/only-locked":{"version":"1.2.3","dev":true}
    }}"#;
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file("app/package.json", br#"{"name":"app","version":"1.0.0"}"#)
            .file("app/package-lock.json", lock.as_bytes())
            .file(
                "app/node_modules/lodash/package.json",
                br#"{"name":"lodash","version":"4.17.4","license":"MIT"}"#,
            )
            .file(
                "app/node_modules/@babel/core/package.json",
                br#"{"name":"@babel/core","version":"7.0.0","license":{"type":"MIT"}}"#,
            )
            .file(
                "app/node_modules/debug/node_modules/ms/package.json",
                br#"{"name":"ms","version":"2.0.0"}"#,
            )
            .file(
                "app/node_modules/lodash/fp/package.json",
                br#"{"name":"not-a-package","version":"0"}"#,
            )
            // A published package's own lock file is not read.
            .file(
                "app/node_modules/lodash/package-lock.json",
                br#"{"packages":{"node_modules/dev-only":{"version":"9.9.9"}}}"#,
            ),
    ]);
    let s = sbom(&spec);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let npm: Vec<(&str, &str, &str, &str)> = of(&s, "npm")
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.purl.as_str(),
                p.locations[0].path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        npm,
        [
            (
                "@babel/core",
                "7.0.0",
                "pkg:npm/%40babel/core@7.0.0",
                "/app/node_modules/@babel/core/package.json"
            ),
            (
                "lodash",
                "4.17.4",
                "pkg:npm/lodash@4.17.4",
                "/app/node_modules/lodash/package.json"
            ),
            (
                "ms",
                "2.0.0",
                "pkg:npm/ms@2.0.0",
                "/app/node_modules/debug/node_modules/ms/package.json"
            ),
            (
                "only-locked",
                "1.2.3",
                "pkg:npm/only-locked@1.2.3",
                "/app/package-lock.json"
            ),
        ]
    );
    assert_eq!(of(&s, "npm")[0].licenses, ["MIT"]);
}

#[test]
fn cargo_lock_packages() {
    let lock = r#"version = 3

[[package]]
name = "demo"
version = "0.1.0"
dependencies = ["smallvec"]

[[package]]
name = "smallvec"
version = "1.6.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
    let spec = ImageSpec::new(vec![
        Layer::new().file("app/Cargo.lock", lock.as_bytes()).file(
            "root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/x-1.0.0/Cargo.lock",
            b"[[package]]\nname = \"not-built\"\nversion = \"1.0.0\"\n",
        ),
    ]);
    let s = sbom(&spec);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let c: Vec<(&str, &str)> = of(&s, "crates.io")
        .iter()
        .map(|p| (p.name.as_str(), p.purl.as_str()))
        .collect();
    assert_eq!(
        c,
        [
            ("demo", "pkg:cargo/demo@0.1.0"),
            ("smallvec", "pkg:cargo/smallvec@1.6.0")
        ]
    );
    assert_eq!(of(&s, "crates.io")[0].locations[0].path, "/app/Cargo.lock");
}

#[test]
fn hostile_files_warn_and_the_rest_survives() {
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file("a/package-lock.json", b"{\"packages\": {")
            .file("b/Cargo.lock", b"[[package]]\nname = \"x\"\n")
            .file("c/Cargo.lock", b"\xff\xfe\xfd")
            .file("f/composer.lock", b"[]")
            .file("d/node_modules/x/package.json", b"\xff")
            .file(
                &format!("{SITE}/broken-1.dist-info/METADATA"),
                b"Metadata-Version: 2.1\nName: broken\n",
            )
            .file_sized(&format!("{SITE}/big-1.dist-info/METADATA"), 5 << 20, b'a')
            .file_sized("e/node_modules/big/package.json", 2 << 20, b' ')
            .file(
                &format!("{SITE}/fine-1.0.dist-info/METADATA"),
                &metadata("fine", "1.0"),
            ),
    ]);
    let s = sbom(&spec);
    let w = s.warnings.join("\n");
    for needle in [
        "/a/package-lock.json: invalid JSON",
        "/b/Cargo.lock: invalid Cargo.lock",
        "/c/Cargo.lock: not UTF-8",
        "/d/node_modules/x/package.json: invalid JSON",
        "broken-1.dist-info/METADATA: distribution \"broken\": no Version",
        "big-1.dist-info/METADATA: 5242880 bytes, too large",
        "/e/node_modules/big/package.json: 2097152 bytes, too large",
        "/f/composer.lock: not a Composer package list",
    ] {
        assert!(w.contains(needle), "{needle:?} not in\n{w}");
    }
    assert_eq!(s.warnings.len(), 8, "{w}");
    assert_eq!(of(&s, "PyPI").len(), 1);
}

#[test]
fn composer_installed_and_locked_once() {
    let lock = br#"{"packages":[
        {"name":"monolog/monolog","version":"1.0.0","license":["MIT"]},
        {"name":"only/locked","version":"2.0.0"}
    ],"packages-dev":[]}"#;
    let installed =
        br#"{"packages":[{"name":"monolog/monolog","version":"1.0.0","license":["MIT"]}]}"#;
    let spec = ImageSpec::new(vec![
        Layer::new()
            .file("srv/composer.lock", lock)
            .file("srv/vendor/composer/installed.json", installed)
            .file(
                "srv/vendor/monolog/monolog/composer.lock",
                br#"{"packages":[{"name":"dev/only","version":"1"}]}"#,
            ),
    ]);
    let s = sbom(&spec);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let c: Vec<(&str, &str, &str)> = of(&s, "Packagist")
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.purl.as_str(),
                p.locations[0].path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        c,
        [
            (
                "monolog/monolog",
                "pkg:composer/monolog/monolog@1.0.0",
                "/srv/vendor/composer/installed.json"
            ),
            (
                "only/locked",
                "pkg:composer/only/locked@2.0.0",
                "/srv/composer.lock"
            ),
        ]
    );
    assert_eq!(of(&s, "Packagist")[0].licenses, ["MIT"]);
}

/// An npm ≥ 7 install (fixtures/npm, written by npm itself with
/// `--omit=dev`): the hidden lock file `node_modules/.package-lock.json`
/// says what was installed, so the project's package-lock.json entry npm
/// left out (the dev dependency left-pad) is not reported; every package is
/// reported once, from its package.json; a hidden lock entry whose
/// package.json was not read but whose directory is there is reported from
/// the hidden lock; one whose directory a later layer removed is not.
#[test]
fn npm_hidden_lock_file_is_what_was_installed() {
    let fixture = |p: &str| {
        std::fs::read(format!(
            "{}/tests/fixtures/npm/app/{p}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let files = [
        "package.json",
        "package-lock.json",
        "node_modules/.package-lock.json",
        "node_modules/ms/package.json",
        "node_modules/debug/package.json",
        "node_modules/debug/node_modules/ms/package.json",
    ];
    let mut layer = Layer::new();
    for f in files {
        layer = layer.file(&format!("srv/app/{f}"), &fixture(f));
    }
    let s = sbom(&ImageSpec::new(vec![layer.clone()]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(
        listed(&s, "npm"),
        [
            ("debug", "2.6.9", "package.json"),
            ("ms", "2.0.0", "package.json"),
            ("ms", "2.1.3", "package.json"),
        ]
    );
    // Without the hidden lock file (npm 6, or it was deleted), the lock
    // file's left-pad is reported: nothing says it was left out.
    let mut layer = Layer::new();
    for f in files.iter().filter(|f| !f.contains(".package-lock")) {
        layer = layer.file(&format!("srv/app/{f}"), &fixture(f));
    }
    let s = sbom(&ImageSpec::new(vec![layer]));
    assert!(
        listed(&s, "npm").contains(&("left-pad", "1.3.0", "package-lock.json")),
        "{:?}",
        listed(&s, "npm")
    );
    // debug's package.json unreadable (not JSON): reported from the hidden
    // lock; the nested ms directory removed by a later layer: not reported.
    let mut layer = Layer::new();
    for f in files {
        let content = if f == "node_modules/debug/package.json" {
            b"{not json".to_vec()
        } else {
            fixture(f)
        };
        layer = layer.file(&format!("srv/app/{f}"), &content);
    }
    let s = sbom(&ImageSpec::new(vec![
        layer,
        Layer::new().whiteout("srv/app/node_modules/debug/node_modules/ms"),
    ]));
    assert_eq!(
        listed(&s, "npm"),
        [
            ("debug", "2.6.9", ".package-lock.json"),
            ("ms", "2.1.3", "package.json"),
        ]
    );
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    let debug = of(&s, "npm")[0];
    assert_eq!(
        (debug.purl.as_str(), debug.licenses.as_slice()),
        ("pkg:npm/debug@2.6.9", ["MIT".to_string()].as_slice())
    );
}

/// uv.lock files written by uv itself (fixtures/uv): registry packages,
/// the dev group included; the virtual and editable roots and the local
/// editable and directory packages skipped; a distribution also installed
/// (its dist-info) reported once, as installed; a broken file is a warning.
#[test]
fn uv_lock_written_by_uv() {
    let root = format!("{}/tests/fixtures/uv", env!("CARGO_MANIFEST_DIR"));
    let s = sbom(&ImageSpec::new(vec![
        Layer::new()
            .file(
                "srv/app/uv.lock",
                &std::fs::read(format!("{root}/app/uv.lock")).unwrap(),
            )
            .file(
                "srv/app2/uv.lock",
                &std::fs::read(format!("{root}/app2/uv.lock")).unwrap(),
            )
            .file(
                &format!("{SITE}/idna-3.21.dist-info/METADATA"),
                &metadata("idna", "3.21"),
            ),
    ]));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(
        listed(&s, "PyPI"),
        [
            ("certifi", "2026.10.19.post1", "uv.lock"),
            ("charset-normalizer", "3.5.3", "uv.lock"),
            ("idna", "3.21", "METADATA"),
            ("idna", "3.7", "uv.lock"),
            ("requests", "2.31.0", "uv.lock"),
            ("six", "1.16.0", "uv.lock"),
            ("urllib3", "2.8.0", "uv.lock"),
        ]
    );
    assert!(
        of(&s, "PyPI")
            .iter()
            .any(|p| p.purl == "pkg:pypi/charset-normalizer@3.5.3")
    );
    let s = sbom(&ImageSpec::new(vec![
        Layer::new().file("srv/app/uv.lock", b"[[package]\nname = "),
    ]));
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.packages.is_empty());
}
