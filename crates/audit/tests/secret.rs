//! Secret scanner against real content: ELF binaries of this machine, the
//! real images made by tools/make-images.sh (set PALISADE_IMAGES=DIR, e.g.
//! /work/images), and a throughput measurement (ignored by default; run
//! `cargo test --release -p palisade-audit --test secret -- --ignored --nocapture`).

use palisade_audit::secret::{
    MAX_SCAN_BYTES, SecretMatch, is_binary, scan_file, scan_value, should_scan_path,
};
use palisade_image::{Analysis, Analyzer, FileRef, ImageRef, OpenOptions, WalkOptions, open, walk};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[test]
fn real_elf_binaries_are_binary_and_clean() {
    let mut seen = 0;
    for bin in [
        "/usr/bin/ls",
        "/bin/ls",
        "/usr/bin/env",
        "/usr/bin/ssh",
        "/usr/bin/git",
        "/usr/bin/curl",
    ] {
        let Ok(content) = std::fs::read(bin) else {
            continue;
        };
        seen += 1;
        assert!(is_binary(&content), "{bin}");
        assert!(
            scan_file(bin.trim_start_matches('/'), &content).is_empty(),
            "{bin}"
        );
    }
    assert!(seen > 0, "no ELF binary found to test with");
}

/// The test analyzer: every file, through the same gates as the real one.
struct SecretProbe;

impl Analyzer for SecretProbe {
    fn name(&self) -> &'static str {
        "secret-probe"
    }
    fn patterns(&self) -> &[&str] {
        &["**"]
    }
    fn max_size(&self) -> u64 {
        MAX_SCAN_BYTES
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        if !should_scan_path(file.path) || is_binary(content) {
            return Ok(None);
        }
        let found = scan_file(file.path, content);
        Ok((!found.is_empty()).then(|| Box::new(found) as Analysis))
    }
}

struct ImageHits {
    /// (path, layer index, match) for every file version in every layer.
    all: Vec<(String, usize, SecretMatch)>,
    /// The subset visible in the final filesystem.
    visible: Vec<(String, SecretMatch)>,
    /// Env entries, labels and history lines with a match.
    config: Vec<(String, SecretMatch)>,
    env: Vec<String>,
}

fn scan_image(dir: &Path) -> ImageHits {
    let reference = ImageRef::parse(&format!("oci:{}", dir.display())).expect("reference");
    let image = open(&reference, &OpenOptions::default()).expect("open");
    let probe = SecretProbe;
    let analyzers: [&dyn Analyzer; 1] = [&probe];
    let scan = walk(&image, &analyzers, &WalkOptions::default()).expect("walk");
    let mut all = Vec::new();
    for layer in &scan.layers {
        for (path, outputs) in &layer.analyses {
            for (_, out) in outputs {
                for m in out.downcast_ref::<Vec<SecretMatch>>().expect("matches") {
                    all.push((path.clone(), layer.index, m.clone()));
                }
            }
        }
    }
    all.sort_by(|a, b| (a.1, &a.0, a.2.line).cmp(&(b.1, &b.0, b.2.line)));
    let mut visible = Vec::new();
    for (path, _) in scan.fs.iter() {
        if let Some(out) = scan.analysis(path, 0) {
            for m in out.downcast_ref::<Vec<SecretMatch>>().expect("matches") {
                visible.push((path.to_string(), m.clone()));
            }
        }
    }
    visible.sort_by(|a, b| (&a.0, a.1.line).cmp(&(&b.0, b.1.line)));

    let mut config = Vec::new();
    let mut env = Vec::new();
    if let Some(cfg) = image.config.config() {
        for entry in cfg.env().clone().unwrap_or_default() {
            let split = entry.split_once('=').map(|(k, v)| scan_value(Some(k), v));
            let whole = scan_value(None, &entry);
            let key = entry.split('=').next().unwrap_or_default().to_string();
            assert_eq!(
                split
                    .clone()
                    .unwrap_or_default()
                    .iter()
                    .map(|m| m.rule)
                    .collect::<Vec<_>>(),
                whole.iter().map(|m| m.rule).collect::<Vec<_>>(),
                "Env {key}: split and whole entry disagree"
            );
            config.extend(whole.into_iter().map(|m| (format!("ENV {key}"), m)));
            env.push(entry);
        }
        for (k, v) in cfg.labels().clone().unwrap_or_default() {
            config.extend(
                scan_value(Some(&k), &v)
                    .into_iter()
                    .map(|m| (format!("LABEL {k}"), m)),
            );
        }
    }
    for (i, h) in image
        .config
        .history()
        .clone()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(line) = h.created_by() {
            config.extend(
                scan_value(None, line)
                    .into_iter()
                    .map(|m| (format!("history {}", i + 1), m)),
            );
        }
    }
    ImageHits {
        all,
        visible,
        config,
        env,
    }
}

fn images_dir() -> Option<PathBuf> {
    let Some(root) = std::env::var_os("PALISADE_IMAGES").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: set PALISADE_IMAGES to a directory made by tools/make-images.sh (e.g. /work/images)"
        );
        return None;
    };
    Some(root.join("oci"))
}

/// The image's OCI layout, if it was built completely (make-images.sh
/// marks finished images with meta/NAME.done when it writes meta/).
fn image_dir(oci: &Path, name: &str) -> Option<PathBuf> {
    let dir = oci.join(name);
    let meta = oci.parent().map(|root| root.join("meta"));
    let unfinished = meta.is_some_and(|m| m.is_dir() && !m.join(format!("{name}.done")).exists());
    if !dir.join("index.json").exists() || unfinished {
        eprintln!("SKIPPED {name}: {} missing or unfinished", dir.display());
        return None;
    }
    Some(dir)
}

fn summary(hits: &ImageHits) -> String {
    let mut s = String::new();
    for (path, layer, m) in &hits.all {
        s += &format!(
            "  layer {layer} /{path}:{} {} {}\n",
            m.line, m.rule, m.redacted
        );
    }
    for (what, m) in &hits.config {
        s += &format!("  {what}: {} {}\n", m.rule, m.redacted);
    }
    s
}

#[test]
fn planted_secrets_in_the_python_app_image() {
    let Some(oci) = images_dir() else { return };
    let Some(dir) = image_dir(&oci, "debian12-python-app") else {
        return;
    };
    let start = Instant::now();
    let hits = scan_image(&dir);
    eprintln!(
        "debian12-python-app scanned in {:?}:\n{}",
        start.elapsed(),
        summary(&hits)
    );

    let visible: BTreeSet<(&str, &str)> = hits
        .visible
        .iter()
        .map(|(p, m)| (p.as_str(), m.rule))
        .collect();
    assert_eq!(
        visible,
        BTreeSet::from([
            ("app/.env", "aws-access-key-id"),
            ("app/.env", "aws-secret-access-key"),
            ("root/.ssh/id_rsa", "private-key"),
        ]),
        "final filesystem:\n{}",
        summary(&hits)
    );
    let all: BTreeSet<(&str, usize, &str)> = hits
        .all
        .iter()
        .map(|(p, l, m)| (p.as_str(), *l, m.rule))
        .collect();
    assert_eq!(
        all,
        BTreeSet::from([
            ("app/config/development.env", 3, "generic-password"),
            ("app/.env", 6, "aws-access-key-id"),
            ("app/.env", 6, "aws-secret-access-key"),
            ("root/.ssh/id_rsa", 6, "private-key"),
        ]),
        "all layers:\n{}",
        summary(&hits)
    );
    for (path, _, m) in &hits.all {
        match (path.as_str(), m.rule) {
            ("app/.env", "aws-access-key-id") => {
                assert_eq!(
                    (m.line, m.redacted.as_str(), m.severity.as_str()),
                    (2, "AKIA****************", "HIGH")
                )
            }
            ("app/.env", "aws-secret-access-key") => assert_eq!(
                (m.line, m.redacted.as_str(), m.severity.as_str()),
                (3, "AWS_SECRET_ACCESS_KEY=<redacted>", "CRITICAL")
            ),
            ("root/.ssh/id_rsa", _) => assert_eq!(
                (m.line, m.redacted.as_str(), m.severity.as_str()),
                (1, "-----BEGIN RSA PRIVATE KEY----- <redacted>", "CRITICAL")
            ),
            ("app/config/development.env", _) => {
                assert_eq!((m.line, m.redacted.as_str()), (3, "DB_PASSWORD=<redacted>"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    // The config's Env carries the same fake secret access key.
    let config: Vec<(&str, &str)> = hits
        .config
        .iter()
        .map(|(w, m)| (w.as_str(), m.rule))
        .collect();
    assert_eq!(
        config,
        [("ENV AWS_SECRET_ACCESS_KEY", "aws-secret-access-key")],
        "{}",
        summary(&hits)
    );
    let secret = hits
        .env
        .iter()
        .find_map(|e| e.strip_prefix("AWS_SECRET_ACCESS_KEY="))
        .expect("planted Env secret");
    for (_, m) in &hits.config {
        assert!(!m.redacted.contains(secret) && !format!("{m:?}").contains(secret));
    }
    for (_, _, m) in &hits.all {
        assert!(!m.redacted.contains(secret) && !format!("{m:?}").contains(secret));
    }
}

#[test]
fn clean_images_have_no_secrets() {
    let Some(oci) = images_dir() else { return };
    let mut checked = 0;
    for name in [
        "debian12-minbase",
        "scratch-static",
        "rpm-minimal",
        "debian12-hardened",
        "alpine-like",
    ] {
        let Some(dir) = image_dir(&oci, name) else {
            continue;
        };
        let start = Instant::now();
        let hits = scan_image(&dir);
        eprintln!(
            "{name}: {} hits in {:?}",
            hits.all.len() + hits.config.len(),
            start.elapsed()
        );
        assert!(
            hits.all.is_empty() && hits.config.is_empty(),
            "{name}:\n{}",
            summary(&hits)
        );
        checked += 1;
    }
    if checked == 0 {
        eprintln!("SKIPPED: no clean image under {}", oci.display());
    }
}

/// The big image (build-essential, perl, python3-full, OpenJDK, git, curl):
/// many more package files (Python's test suite with its throw-away keys,
/// Tcl and Perl documentation with example URLs, OpenJDK and Maven sample
/// configuration).
#[test]
fn large_image_has_no_secrets() {
    let Some(oci) = images_dir() else { return };
    let Some(dir) = image_dir(&oci, "debian12-large") else {
        return;
    };
    let start = Instant::now();
    let hits = scan_image(&dir);
    eprintln!("debian12-large: {:?}\n{}", start.elapsed(), summary(&hits));
    assert!(
        hits.all.is_empty() && hits.config.is_empty(),
        "{}",
        summary(&hits)
    );
}

// ------------------------------------------------------------------ throughput

/// Text files of this machine (`/usr/share/perl5`, `/usr/lib/python3*`,
/// `/etc`), as a realistic corpus with keywords.
fn host_corpus(limit: usize) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut total = 0;
    let mut stack: Vec<PathBuf> = [
        "/usr/share/perl5",
        "/usr/lib/python3",
        "/usr/lib/python3.11",
        "/etc",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() && meta.len() <= MAX_SCAN_BYTES {
                let rel = p.to_string_lossy().trim_start_matches('/').to_string();
                if let Ok(content) = std::fs::read(&p)
                    && should_scan_path(&rel)
                    && !is_binary(&content)
                {
                    total += content.len();
                    out.push((rel, content));
                    if total >= limit {
                        return out;
                    }
                }
            }
        }
    }
    out
}

fn measure(label: &str, files: &[(String, Vec<u8>)], rounds: usize) -> f64 {
    let bytes: usize = files.iter().map(|(_, c)| c.len()).sum();
    let mut hits = 0;
    let start = Instant::now();
    for _ in 0..rounds {
        for (path, content) in files {
            hits += scan_file(path, content).len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if std::env::var_os("PALISADE_SHOW_HITS").is_some() {
        for (path, content) in files {
            for m in scan_file(path, content) {
                eprintln!("  hit /{path}:{} {} {}", m.line, m.rule, m.redacted);
            }
        }
    }
    let mbs = (bytes * rounds) as f64 / secs / 1e6;
    eprintln!(
        "{label}: {} files, {:.1} MB x {rounds} in {secs:.2} s = {mbs:.0} MB/s ({} hits/round)",
        files.len(),
        bytes as f64 / 1e6,
        hits / rounds
    );
    mbs
}

#[test]
#[ignore]
fn throughput() {
    // 1. Text without any keyword: prose-like lines of ordinary words, as
    // 1 MiB files (source code and data that never mention credentials).
    let words = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "lazy",
        "dog",
        "value",
        "=",
        "42;",
        "return",
        "function",
        "if",
        "else",
        "for",
        "while",
        "import",
        "module",
        "config",
        "server",
        "port",
        "8080",
        "/usr/lib",
        "name:",
        "version",
        "description",
        "{",
        "}",
        "(",
        ")",
        "1.2.3",
        "int",
        "main",
    ];
    let mut x: u64 = 1;
    let mut file = Vec::with_capacity(1 << 20);
    let mut plain = Vec::new();
    for i in 0..256 {
        file.clear();
        while file.len() < (1 << 20) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            file.extend_from_slice(words[(x % words.len() as u64) as usize].as_bytes());
            file.push(if x.is_multiple_of(11) { b'\n' } else { b' ' });
        }
        plain.push((format!("app/src/file{i}.js"), file.clone()));
    }
    let a = measure("no keywords, source path", &plain, 3);
    for f in &mut plain {
        f.0 = f.0.replace(".js", ".yaml");
    }
    let b = measure("no keywords, config path", &plain, 3);
    // 2. Real text files of this machine (keywords everywhere: perl and
    // python sources say password, token, secret, auth, ://).
    let corpus = host_corpus(256 << 20);
    if !corpus.is_empty() {
        measure("host text files (perl5, python3, etc)", &corpus, 3);
        let as_config: Vec<(String, Vec<u8>)> = corpus
            .iter()
            .map(|(p, c)| {
                (
                    format!("app/config/{}.yaml", p.replace('/', "_")),
                    c.clone(),
                )
            })
            .collect();
        measure("host text files as config (all rules on)", &as_config, 3);
    }
    // 3. A whole image: the walk alone vs the walk with the scanner (the
    // walk decompresses and hashes every layer either way).
    if let Some(oci) = images_dir() {
        for name in ["debian12-python-app", "debian12-large"] {
            let Some(dir) = image_dir(&oci, name) else {
                continue;
            };
            let reference = ImageRef::parse(&format!("oci:{}", dir.display())).expect("reference");
            let image = open(&reference, &OpenOptions::default()).expect("open");
            let options = WalkOptions {
                threads: 1,
                ..WalkOptions::default()
            };
            let probe = SecretProbe;
            let (mut bare, mut with) = (std::time::Duration::MAX, std::time::Duration::MAX);
            let mut scan = None;
            for _ in 0..2 {
                let start = Instant::now();
                walk(&image, &[], &options).expect("walk");
                bare = bare.min(start.elapsed());
                let start = Instant::now();
                scan = Some(walk(&image, &[&probe], &options).expect("walk"));
                with = with.min(start.elapsed());
            }
            let scan = scan.expect("scanned");
            let bytes: u64 = scan.layers.iter().map(|l| l.uncompressed_size).sum();
            eprintln!(
                "{name}: {:.0} MB uncompressed, one thread: walk {bare:.2?}, walk + secret scan {with:.2?} (+{:.0}%)",
                bytes as f64 / 1e6,
                (with.as_secs_f64() / bare.as_secs_f64() - 1.0) * 100.0
            );
        }
    }
    if !cfg!(debug_assertions) {
        assert!(
            a > 200.0 && b > 200.0,
            "keyword-free text must scan at >200 MB/s: {a:.0}, {b:.0}"
        );
    }
}
