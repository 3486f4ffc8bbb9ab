//! Every audit check (PAL-IMG-001 … 019) on synthetic images, through the
//! public API the CLI uses: `palisade_image::{open, walk}` with
//! `palisade_audit::analyzers`, then `palisade_audit::run` on a `Context`.
//! For each check one image that must trigger it (rule, severity, path,
//! layer and message asserted) and images that must not.

use palisade_audit::{AuditOptions, Context, Scanner, analyzers, run};
use palisade_image::{Analyzer, ImageRef, OpenOptions, WalkOptions, open, walk};
use palisade_model::{Finding, Severity};
use palisade_testsupport::{ImageSpec, Layer, write_oci};
use serde_json::{Value, json};

const ALL: &[Scanner] = &[Scanner::Audit, Scanner::Secret];

// FAKE secrets, made up for these tests (random, valid nowhere).
const AWS_KEY_ID: &str = "AKIAUJZDEGXDNCF32EPF";
const AWS_SECRET: &str = "2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5Kj";
const GITHUB_TOKEN: &str = "ghp_hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES";
const GITHUB_TOKEN_2: &str = "ghp_F1LlqsajAIxNKu8iS2G8NPRVdD53X83RZJzz";

/// A PEM RSA private key with random-looking (fake) base64 material.
fn fake_pem() -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut body = String::from("MIIEowIBAAKCAQEA");
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

/// A config that triggers none of the config checks: non-root, health check.
fn clean_config() -> Value {
    json!({
        "User": "1000:1000",
        "Healthcheck": {"Test": ["CMD", "/app/healthcheck"]},
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "APP_ENV=production"],
        "Entrypoint": ["/app/run"],
    })
}

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/usr/sbin/nologin\n\
app:x:1000:1000:app:/home/app:/usr/sbin/nologin\n\
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
const SHADOW: &[u8] = b"root:*:19700:0:99999:7:::\n\
app:!:19700:0:99999:7:::\n\
nobody:$y$j9T$abcdefgh$abcdefghijklmnopqrstuvwxyz0123456789ABCDEF:19700:0:99999:7:::\n";

/// A base layer that triggers nothing: accounts with safe modes, /tmp 1777,
/// a setgid directory, an application without secrets.
fn clean_base() -> Layer {
    Layer::new()
        .dir("etc")
        .file("etc/passwd", PASSWD)
        .file_owned("etc/shadow", SHADOW, 0o640, 0, 42)
        .file("etc/group", b"root:x:0:\napp:x:1000:\n")
        .dir_mode("tmp", 0o1777)
        .dir_mode("var/mail", 0o2775)
        .dir("app")
        .file_mode("app/run", b"\x7fELF fake binary", 0o755)
        .file_mode("app/healthcheck", b"\x7fELF fake binary", 0o755)
        .file("app/config.yml", b"listen: 8080\nlog_level: info\n")
        .symlink("app/current", "run")
        .created_by("COPY rootfs /")
}

struct Audit {
    findings: Vec<Finding>,
    /// The layers' diff-ids, in order.
    diff_ids: Vec<String>,
    input: String,
}

impl Audit {
    fn of(&self, rule: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.rule == rule).collect()
    }
    fn paths(&self, rule: &str) -> Vec<String> {
        self.of(rule)
            .iter()
            .map(|f| f.location.path.clone().unwrap_or_default())
            .collect()
    }
    /// The only finding of `rule`.
    fn one(&self, rule: &str) -> &Finding {
        let found = self.of(rule);
        assert_eq!(found.len(), 1, "{rule}: {:#?}", self.findings);
        found[0]
    }
    fn none(&self, rule: &str) {
        assert!(
            self.of(rule).is_empty(),
            "{rule} must not be reported: {:#?}",
            self.of(rule)
        );
    }
    fn rules(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.rule.as_str()).collect()
    }
}

/// Audits `spec`; `reference`, when given, is the reference the checks see
/// (the image itself is always read from an OCI layout).
fn audit_full(
    spec: &ImageSpec,
    reference: Option<&str>,
    options: AuditOptions,
    scanners: &[Scanner],
) -> Audit {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    write_oci(&layout, spec, "latest");
    let oci_input = format!("oci:{}:latest", layout.display());
    let oci_ref = ImageRef::parse(&oci_input).unwrap();
    let image = open(&oci_ref, &OpenOptions::default()).unwrap();
    let boxed = analyzers(scanners);
    let list: Vec<&dyn Analyzer> = boxed.iter().map(|a| a.as_ref()).collect();
    let scan = walk(&image, &list, &WalkOptions::default()).unwrap();
    let input = reference.unwrap_or(&oci_input).to_string();
    let shown_ref = ImageRef::parse(&input).unwrap();
    let owners = std::collections::HashMap::new();
    let ctx = Context {
        owners: &owners,
        input: &input,
        reference: &shown_ref,
        image: &image,
        scan: &scan,
        options: &options,
        accounts_analyzer: 0,
        secret_analyzer: scanners.contains(&Scanner::Secret).then_some(1),
    };
    let findings = run(&ctx, scanners);
    for f in &findings {
        assert_eq!(f.location.input, input, "{f:?}");
        assert!(f.fix.as_deref().is_some_and(|s| !s.is_empty()), "{f:?}");
        assert!(f.rule.starts_with("PAL-IMG-"), "{f:?}");
    }
    Audit {
        findings,
        diff_ids: scan.layers.iter().map(|l| l.diff_id.to_string()).collect(),
        input,
    }
}

fn audit(spec: &ImageSpec) -> Audit {
    audit_full(spec, None, AuditOptions::default(), ALL)
}

fn clean(layers: Vec<Layer>) -> ImageSpec {
    ImageSpec::new(layers).config(clean_config())
}

fn assert_finding(f: &Finding, severity: Severity, path: Option<&str>, message_parts: &[&str]) {
    assert_eq!(f.severity, severity, "{f:#?}");
    assert_eq!(f.location.path.as_deref(), path, "{f:#?}");
    for part in message_parts {
        assert!(
            f.message.contains(part),
            "message {:?} lacks {part:?}",
            f.message
        );
    }
}

// ---- the clean image ------------------------------------------------------

#[test]
fn clean_image_has_no_findings() {
    let a = audit(&clean(vec![clean_base()]));
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    // The same image with the default config (no USER, no HEALTHCHECK) has
    // exactly those two findings: the clean result is not an empty run.
    let a = audit(&ImageSpec::new(vec![clean_base()]));
    let mut rules = a.rules();
    rules.sort();
    assert_eq!(rules, ["PAL-IMG-006", "PAL-IMG-010"], "{:#?}", a.findings);
}

// ---- PAL-IMG-001 setuid/setgid ------------------------------------------

#[test]
fn setuid_and_setgid_files_with_severities() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_owned("usr/bin/su", b"su", 0o4755, 0, 0)
            .file_owned("usr/bin/chage", b"chage", 0o2755, 0, 42)
            .file_owned("usr/bin/both", b"both", 0o6755, 0, 0)
            .file_owned("opt/tool/setuid-user", b"x", 0o4750, 1000, 1000)
            .file_owned("usr/bin/plain", b"plain", 0o755, 0, 0)
            .dir_mode("srv/shared", 0o2775)
            .created_by("RUN install"),
    ]));
    assert_eq!(
        a.paths("PAL-IMG-001"),
        [
            "/usr/bin/both",
            "/usr/bin/su",
            "/opt/tool/setuid-user",
            "/usr/bin/chage"
        ],
        "sorted by severity then path; no setgid directory, no plain file: {:#?}",
        a.of("PAL-IMG-001")
    );
    let f = a.of("PAL-IMG-001");
    assert_finding(
        f[0],
        Severity::Medium,
        Some("/usr/bin/both"),
        &["/usr/bin/both is setuid+setgid (mode 6755, owner 0:0), added in layer 2"],
    );
    assert_finding(
        f[1],
        Severity::Medium,
        Some("/usr/bin/su"),
        &["/usr/bin/su is setuid (mode 4755, owner 0:0), added in layer 2"],
    );
    assert_finding(
        f[2],
        Severity::Low,
        Some("/opt/tool/setuid-user"),
        &["is setuid (mode 4750, owner 1000:1000)"],
    );
    assert_finding(
        f[3],
        Severity::Low,
        Some("/usr/bin/chage"),
        &["/usr/bin/chage is setgid (mode 2755, owner 0:42), added in layer 2"],
    );
    assert_eq!(f[1].location.layer.as_deref(), Some(a.diff_ids[1].as_str()));
    assert_eq!(f[1].title, "setuid/setgid file");
}

#[test]
fn setuid_hard_links_are_reported_symlinks_are_not() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_owned("usr/bin/passwd", b"passwd", 0o4755, 0, 0)
            // The hard link's own header says 0755 (testsupport): the bits
            // come from the inode it shares with its target.
            .hardlink("usr/bin/passwd-link", "usr/bin/passwd")
            .symlink("usr/bin/passwd-sym", "passwd")
            .symlink("usr/local/bin/passwd", "/usr/bin/passwd")
            .created_by("RUN install"),
    ]));
    assert_eq!(
        a.paths("PAL-IMG-001"),
        ["/usr/bin/passwd", "/usr/bin/passwd-link"]
    );
    let link = a.of("PAL-IMG-001")[1];
    assert_finding(
        link,
        Severity::Medium,
        Some("/usr/bin/passwd-link"),
        &["is setuid (mode 4755, owner 0:0, hard link to /usr/bin/passwd)"],
    );
}

#[test]
fn setuid_hard_link_survives_the_deletion_of_its_target() {
    // Docker writes a hard link's header with the inode's mode and owner.
    let a = audit(&clean(vec![
        clean_base()
            .file_owned("usr/bin/sudo", b"sudo", 0o4755, 0, 0)
            .hardlink_owned("usr/bin/sudo-again", "usr/bin/sudo", 0o4755, 0, 0),
        Layer::new()
            .whiteout("usr/bin/sudo")
            .created_by("RUN rm /usr/bin/sudo"),
    ]));
    let f = a.one("PAL-IMG-001");
    assert_finding(
        f,
        Severity::Medium,
        Some("/usr/bin/sudo-again"),
        &["is setuid (mode 4755, owner 0:0, hard link to deleted /usr/bin/sudo)"],
    );
    assert_eq!(a.paths("PAL-IMG-002"), ["/usr/bin/sudo"]);
}

#[test]
fn setuid_bits_set_in_a_later_layer_point_at_that_layer() {
    let a = audit(&clean(vec![
        clean_base().file_mode("bin/busybox", b"busybox", 0o755),
        Layer::new()
            .file_mode("bin/busybox", b"busybox", 0o4755)
            .created_by("RUN chmod u+s /bin/busybox"),
    ]));
    let f = a.one("PAL-IMG-001");
    assert_finding(f, Severity::Medium, Some("/bin/busybox"), &["mode 4755"]);
    assert_eq!(f.location.layer.as_deref(), Some(a.diff_ids[1].as_str()));
    // And the opposite: bits removed by a later layer leave nothing visible.
    let a = audit(&clean(vec![
        clean_base().file_mode("usr/bin/su", b"su", 0o4755),
        Layer::new()
            .file_mode("usr/bin/su", b"su", 0o755)
            .created_by("RUN chmod a-s /usr/bin/su"),
    ]));
    a.none("PAL-IMG-001");
    // The old setuid version still ships in layer 1.
    let f = a.one("PAL-IMG-002");
    assert_finding(
        f,
        Severity::Low,
        Some("/usr/bin/su"),
        &[
            "(setuid, mode 4755) from layer 1 is overwritten in layer 2 but still extractable from layer 1",
        ],
    );
    assert_eq!(f.location.layer.as_deref(), Some(a.diff_ids[0].as_str()));
}

// ---- PAL-IMG-002 setuid hidden by a whiteout ------------------------------

#[test]
fn deleted_setuid_file_is_hidden_setuid_not_visible_setuid() {
    let a = audit(&clean(vec![
        clean_base()
            .file_owned("usr/bin/sudo", b"sudo", 0o4111, 0, 0)
            .file_owned("usr/bin/wall", b"wall", 0o2755, 0, 5)
            .file_mode("usr/bin/ordinary", b"x", 0o755),
        Layer::new()
            .whiteout("usr/bin/sudo")
            .whiteout("usr/bin/ordinary")
            .created_by("RUN rm /usr/bin/sudo /usr/bin/ordinary"),
    ]));
    assert_eq!(a.paths("PAL-IMG-001"), ["/usr/bin/wall"]);
    let f = a.one("PAL-IMG-002");
    assert_finding(
        f,
        Severity::Low,
        Some("/usr/bin/sudo"),
        &[
            "/usr/bin/sudo (setuid, mode 4111) from layer 1 is deleted in layer 2 but still extractable from layer 1",
        ],
    );
    assert_eq!(
        f.location.layer.as_deref(),
        Some(a.diff_ids[0].as_str()),
        "the layer that still holds it"
    );
}

#[test]
fn setuid_files_under_deleted_and_opaque_directories_are_hidden_setuid() {
    let a = audit(&clean(vec![
        clean_base()
            .dir("opt/legacy")
            .file_mode("opt/legacy/helper", b"h", 0o4755)
            .dir("opt/other")
            .file_mode("opt/other/sg", b"g", 0o2755),
        Layer::new()
            .whiteout("opt/legacy")
            .opaque("opt/other")
            .created_by("RUN rm -rf /opt/legacy /opt/other/*"),
    ]));
    a.none("PAL-IMG-001");
    assert_eq!(
        a.paths("PAL-IMG-002"),
        ["/opt/legacy/helper", "/opt/other/sg"]
    );
    assert!(a.of("PAL-IMG-002")[1].message.contains("setgid, mode 2755"));
}

// ---- PAL-IMG-003 shells -----------------------------------------------------

#[test]
fn shells_through_files_symlinks_and_busybox_applets() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_mode("usr/bin/bash", b"bash", 0o755)
            .symlink("bin/sh", "/usr/bin/bash")
            .file_mode("bin/busybox", b"busybox", 0o755)
            .symlink("bin/ash", "busybox")
            .created_by("RUN install shells"),
    ]));
    let f = a.of("PAL-IMG-003");
    assert_eq!(
        a.paths("PAL-IMG-003"),
        ["/bin/ash", "/bin/busybox", "/bin/sh", "/usr/bin/bash"]
    );
    assert_finding(
        f[0],
        Severity::Low,
        Some("/bin/ash"),
        &["shell /bin/ash -> /bin/busybox (busybox applet)"],
    );
    assert_eq!(f[1].message, "shell /bin/busybox");
    assert_eq!(f[2].message, "shell /bin/sh -> /usr/bin/bash");
    assert_eq!(f[3].message, "shell /usr/bin/bash");
}

#[test]
fn no_shell_outside_bin_dirs_or_not_executable_or_dangling() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_mode("opt/tools/bash", b"bash", 0o755)
            .file_mode("usr/share/doc/bash", b"doc", 0o644)
            .file_mode("usr/bin/sh", b"not executable", 0o644)
            .symlink("bin/bash", "/nowhere/bash")
            .created_by("COPY tools /opt/tools"),
    ]));
    a.none("PAL-IMG-003");
}

#[test]
fn merged_usr_shell_is_reported_once() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .symlink("bin", "usr/bin")
            .file_mode("usr/bin/dash", b"dash", 0o755)
            .symlink("usr/bin/sh", "dash")
            .created_by("RUN install dash"),
    ]));
    assert_eq!(a.paths("PAL-IMG-003"), ["/usr/bin/dash", "/usr/bin/sh"]);
}

// ---- PAL-IMG-004 network tools ---------------------------------------------

#[test]
fn network_tools_including_links_and_busybox_hard_links() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_mode("usr/bin/curl", b"curl", 0o755)
            .file_mode("bin/busybox", b"busybox", 0o755)
            .hardlink("usr/bin/wget", "bin/busybox")
            .file_mode("usr/bin/nc.openbsd", b"nc", 0o755)
            .symlink("usr/bin/nc", "nc.openbsd")
            .file_mode("usr/bin/curl-config", b"#!/bin/sh", 0o755)
            .file("usr/share/doc/curl/README", b"curl docs")
            .created_by("RUN apt-get install curl netcat-openbsd"),
    ]));
    assert_eq!(
        a.paths("PAL-IMG-004"),
        [
            "/usr/bin/curl",
            "/usr/bin/nc",
            "/usr/bin/nc.openbsd",
            "/usr/bin/wget"
        ]
    );
    let f = a.of("PAL-IMG-004");
    assert_finding(
        f[0],
        Severity::Medium,
        Some("/usr/bin/curl"),
        &["/usr/bin/curl can reach the network"],
    );
    assert_eq!(
        f[1].message,
        "/usr/bin/nc -> /usr/bin/nc.openbsd can reach the network"
    );
    assert_eq!(
        f[3].message,
        "/usr/bin/wget -> /bin/busybox (busybox applet) can reach the network"
    );
    assert_eq!(f[0].location.layer.as_deref(), Some(a.diff_ids[1].as_str()));
}

#[test]
fn no_network_tool_when_deleted_or_elsewhere() {
    let a = audit(&clean(vec![
        clean_base()
            .file_mode("usr/bin/curl", b"curl", 0o755)
            .file_mode("usr/lib/curl/wget", b"x", 0o755),
        Layer::new()
            .whiteout("usr/bin/curl")
            .created_by("RUN apt-get purge curl"),
    ]));
    a.none("PAL-IMG-004");
}

// ---- PAL-IMG-005 package managers ------------------------------------------

#[test]
fn package_managers_through_links() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_mode("usr/bin/dpkg", b"dpkg", 0o755)
            .file_mode("usr/lib/apt/apt-get.real", b"apt", 0o755)
            .symlink("usr/bin/apt-get", "../lib/apt/apt-get.real")
            .file_mode("usr/local/bin/pip3", b"#!/usr/bin/python3", 0o755)
            .hardlink("usr/local/bin/pip", "usr/local/bin/pip3")
            .file_mode("sbin/apk", b"apk", 0o755)
            .dir("usr/lib/python3/dist-packages/pip")
            .file("usr/lib/python3/dist-packages/pip/__init__.py", b"# pip\n")
            .created_by("RUN install package managers"),
    ]));
    assert_eq!(
        a.paths("PAL-IMG-005"),
        [
            "/sbin/apk",
            "/usr/bin/apt-get",
            "/usr/bin/dpkg",
            "/usr/local/bin/pip",
            "/usr/local/bin/pip3"
        ]
    );
    let f = a.of("PAL-IMG-005");
    assert_finding(
        f[1],
        Severity::Low,
        Some("/usr/bin/apt-get"),
        &["package manager /usr/bin/apt-get -> /usr/lib/apt/apt-get.real"],
    );
    assert_eq!(
        f[3].message,
        "package manager /usr/local/bin/pip -> /usr/local/bin/pip3"
    );
}

// ---- PAL-IMG-006 runs as root ------------------------------------------------

fn with_user(user: Option<&str>, passwd: &[u8]) -> ImageSpec {
    let mut config = clean_config();
    match user {
        Some(u) => config["User"] = json!(u),
        None => {
            config.as_object_mut().unwrap().remove("User");
        }
    }
    ImageSpec::new(vec![
        clean_base(),
        Layer::new()
            .file("etc/passwd", passwd)
            .created_by("RUN useradd app"),
    ])
    .config(config)
}

#[test]
fn runs_as_root_variants() {
    let cases: &[(Option<&str>, &[u8], &str)] = &[
        (
            None,
            PASSWD,
            "no USER is set: the image runs as root (uid 0)",
        ),
        (Some(""), PASSWD, "no USER is set"),
        (
            Some("root"),
            PASSWD,
            "USER is \"root\": the image runs as root (uid 0)",
        ),
        (Some("0"), PASSWD, "USER is \"0\": the image runs as root"),
        (Some("0:0"), PASSWD, "USER is \"0:0\""),
        (Some("root:app"), PASSWD, "USER is \"root:app\""),
        (Some("00"), PASSWD, "USER \"00\" is uid 0"),
        (
            Some("app"),
            b"root:x:0:0::/root:/bin/sh\napp:x:0:0::/app:/bin/sh\n",
            "USER \"app\" has uid 0 in the image's /etc/passwd: it is root",
        ),
        (
            Some("app:app"),
            b"root:x:0:0::/root:/bin/sh\napp:x:0:1000::/app:/bin/sh\n",
            "USER \"app:app\" has uid 0",
        ),
    ];
    for (user, passwd, message) in cases {
        let a = audit(&with_user(*user, passwd));
        assert_eq!(
            a.of("PAL-IMG-006").len(),
            1,
            "USER {user:?}: {:#?}",
            a.findings
        );
        let f = a.one("PAL-IMG-006");
        assert_finding(f, Severity::Medium, None, &[message]);
        assert_eq!(f.location.layer, None, "{user:?}");
    }
}

#[test]
fn non_root_users_are_not_root() {
    let cases: &[(&str, &[u8])] = &[
        ("1000", PASSWD),
        ("1000:1000", PASSWD),
        ("65532:65532", PASSWD),
        ("app", PASSWD),
        ("app:app", PASSWD),
        // `root` is a name only when it maps to uid 0; here "app" is 1000
        // even though root's line comes first.
        (
            "app",
            b"root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
        ),
    ];
    for (user, passwd) in cases {
        let a = audit(&with_user(Some(user), passwd));
        assert!(
            a.of("PAL-IMG-006").is_empty(),
            "USER {user}: {:#?}",
            a.findings
        );
    }
}

// ---- PAL-IMG-007 world-writable ---------------------------------------------

#[test]
fn world_writable_files_and_non_sticky_directories() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_mode("app/settings.ini", b"debug=false\n", 0o666)
            .dir_mode("app/uploads", 0o777)
            .dir_mode("var/tmp", 0o1777)
            .dir_mode("app/cache", 0o775)
            .file_mode("app/readme", b"hi", 0o664)
            .symlink("app/link", "settings.ini")
            .created_by("RUN chmod -R a+w /app"),
    ]));
    assert_eq!(
        a.paths("PAL-IMG-007"),
        ["/app/settings.ini", "/app/uploads"]
    );
    let f = a.of("PAL-IMG-007");
    assert_finding(
        f[0],
        Severity::Medium,
        Some("/app/settings.ini"),
        &["/app/settings.ini is a world-writable file (mode 0666)"],
    );
    assert_finding(
        f[1],
        Severity::Medium,
        Some("/app/uploads"),
        &["/app/uploads is a world-writable directory without the sticky bit (mode 0777)"],
    );
}

// ---- PAL-IMG-008 sensitive files readable ------------------------------------

#[test]
fn sensitive_files_readable_by_others() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_mode("etc/shadow", SHADOW, 0o644)
            .file_mode("etc/gshadow", b"root:*::\n", 0o640)
            .file_mode("etc/ssh/ssh_host_ed25519_key", b"k", 0o644)
            .file_mode(
                "etc/ssh/ssh_host_ed25519_key.pub",
                b"ssh-ed25519 AAAA",
                0o644,
            )
            .file_mode("etc/ssh/ssh_host_rsa_key", b"k", 0o600)
            .file_mode("root/.ssh/id_ed25519", b"k", 0o604)
            .file_mode("home/app/.ssh/id_rsa.pub", b"ssh-rsa AAAA", 0o644)
            .file_mode("home/app/.ssh/id_rsa", b"k", 0o600)
            .file_mode("etc/sudoers", b"root ALL=(ALL) ALL\n", 0o440)
            .created_by("RUN setup"),
    ]));
    assert_eq!(
        a.paths("PAL-IMG-008"),
        [
            "/etc/shadow",
            "/etc/ssh/ssh_host_ed25519_key",
            "/root/.ssh/id_ed25519"
        ]
    );
    let f = a.of("PAL-IMG-008");
    assert_finding(
        f[0],
        Severity::High,
        Some("/etc/shadow"),
        &["/etc/shadow is readable by every user (mode 0644)"],
    );
    assert!(f[2].message.contains("mode 0604"), "{:?}", f[2]);
    assert_eq!(f[0].location.layer.as_deref(), Some(a.diff_ids[1].as_str()));
}

// ---- PAL-IMG-009 empty password ---------------------------------------------

#[test]
fn empty_password_in_shadow() {
    let shadow = b"root::19700:0:99999:7:::\n\
daemon:*:19700:0:99999:7:::\n\
app:!:19700:0:99999:7:::\n\
guest::19700:0:99999:7:::\n\
svc:$6$salt$hash:19700:0:99999:7:::\n";
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file_owned("etc/shadow", shadow, 0o640, 0, 42)
            .created_by("RUN passwd -d root"),
    ]));
    let f = a.of("PAL-IMG-009");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_finding(
        f[0],
        Severity::High,
        Some("/etc/shadow"),
        &["account \"root\" has an empty password in /etc/shadow"],
    );
    assert!(f[1].message.contains("\"guest\""), "{:?}", f[1]);
    assert_eq!(f[0].location.layer.as_deref(), Some(a.diff_ids[1].as_str()));
    // The base layer's shadow (locked and hashed passwords) has none.
    audit(&clean(vec![clean_base()])).none("PAL-IMG-009");
}

// ---- PAL-IMG-010 HEALTHCHECK -----------------------------------------------

#[test]
fn healthcheck_missing_none_or_present() {
    let with_health = |hc: Option<Value>| {
        let mut config = clean_config();
        match hc {
            Some(v) => config["Healthcheck"] = v,
            None => {
                config.as_object_mut().unwrap().remove("Healthcheck");
            }
        }
        audit(&ImageSpec::new(vec![clean_base()]).config(config))
    };
    for hc in [
        None,
        Some(json!({"Test": ["NONE"]})),
        Some(json!({"Test": []})),
        Some(json!({})),
    ] {
        let a = with_health(hc);
        let f = a.one("PAL-IMG-010");
        assert_finding(
            f,
            Severity::Low,
            None,
            &["the image config has no HEALTHCHECK"],
        );
    }
    for hc in [
        json!({"Test": ["CMD", "true"]}),
        json!({"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "Interval": 30000000000u64}),
    ] {
        with_health(Some(hc)).none("PAL-IMG-010");
    }
}

// ---- PAL-IMG-011 ADD of a remote URL ---------------------------------------

fn history_image(steps: &[&str]) -> ImageSpec {
    let mut layers = vec![clean_base()];
    for (i, s) in steps.iter().enumerate() {
        layers.push(
            Layer::new()
                .file(&format!("app/step{i}"), b"x")
                .created_by(s),
        );
    }
    clean(layers)
}

#[test]
fn add_of_remote_url() {
    let a = audit(&history_image(&[
        "RUN true",
        "ADD https://downloads.example.com/app-1.2.tar.gz /opt/app.tar.gz # buildkit",
        "/bin/sh -c #(nop) ADD http://mirror.example.org/tool /usr/local/bin/tool",
    ]));
    let f = a.of("PAL-IMG-011");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_finding(
        f[0],
        Severity::Medium,
        None,
        &["history step 3: ADD https://downloads.example.com/app-1.2.tar.gz /opt/app.tar.gz"],
    );
    assert_finding(
        f[1],
        Severity::Medium,
        None,
        &["history step 4: ADD http://mirror.example.org/tool"],
    );
}

#[test]
fn add_with_checksum_or_local_source_is_fine() {
    let a = audit(&history_image(&[
        "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://downloads.example.com/app.tar.gz /opt/",
        "ADD app.tar.gz /opt/ # buildkit",
        "/bin/sh -c #(nop) ADD file:0123abcd in /",
        "COPY https.txt /etc/",
        "RUN curl -fsSLo /tmp/x https://example.com/x",
    ]));
    a.none("PAL-IMG-011");
}

// ---- PAL-IMG-012 curl | sh ---------------------------------------------------

#[test]
fn download_piped_into_shell() {
    let a = audit(&history_image(&[
        "/bin/sh -c curl -fsSL https://get.example.com/install.sh | sh",
        "RUN wget -qO- https://example.org/setup | sudo -E bash -s -- --yes # buildkit",
        "RUN apt-get update && curl -sL https://deb.example.com/setup_20.x | bash - && apt-get install -y nodejs",
    ]));
    let f = a.of("PAL-IMG-012");
    assert_eq!(f.len(), 3, "{f:#?}");
    assert_finding(
        f[0],
        Severity::Medium,
        None,
        &["history step 2: /bin/sh -c curl -fsSL https://get.example.com/install.sh | sh"],
    );
    assert!(f[1].message.starts_with("history step 3: "), "{:?}", f[1]);
    assert!(f[2].message.starts_with("history step 4: "), "{:?}", f[2]);
}

#[test]
fn download_then_verified_run_is_not_curl_pipe_shell() {
    let a = audit(&history_image(&[
        "/bin/sh -c curl -fsSL -o /tmp/install.sh https://get.example.com/install.sh && sh /tmp/install.sh",
        "RUN curl -fsSL https://example.com/app.tgz | tar xz -C /opt",
        "RUN curl -fsS https://example.com/health || true",
        "RUN cat /tmp/script | sh",
        "RUN wget -O- https://example.com/key.asc | gpg --dearmor -o /usr/share/keyrings/x.gpg",
        // curl is installed here, but what is piped into bash is echo's output.
        "RUN apt-get install -y curl && echo 'y' | bash /opt/configure.sh",
    ]));
    a.none("PAL-IMG-012");
}

// ---- PAL-IMG-013 mutable tag --------------------------------------------------

#[test]
fn mutable_tag_only_for_registry_references() {
    let spec = clean(vec![clean_base()]);
    let registry = |r: &str| audit_full(&spec, Some(r), AuditOptions::default(), ALL);

    let a = registry("registry.example.com/team/app:latest");
    let f = a.one("PAL-IMG-013");
    assert_finding(f, Severity::Low, None, &["uses the :latest tag"]);
    assert_eq!(f.location.input, "registry.example.com/team/app:latest");
    assert_eq!(a.input, "registry.example.com/team/app:latest");

    let a = registry("docker://registry.example.com/team/app");
    let f = a.one("PAL-IMG-013");
    assert!(
        f.message.contains(":latest"),
        "no tag means latest: {:?}",
        f.message
    );

    let digest = "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d";
    for pinned in [
        format!("registry.example.com/team/app@{digest}"),
        format!("registry.example.com/team/app:latest@{digest}"),
        "registry.example.com/team/app:1.4.2".to_string(),
    ] {
        registry(&pinned).none("PAL-IMG-013");
    }
    // Local layouts are what they are: never a mutable-tag finding.
    let a = audit(&spec);
    assert!(a.input.starts_with("oci:") && a.input.ends_with(":latest"));
    a.none("PAL-IMG-013");
}

// ---- PAL-IMG-014 package caches -----------------------------------------------

#[test]
fn package_caches_left_behind() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .dir("var/lib/apt/lists")
            .file("var/lib/apt/lists/lock", b"")
            .dir("var/lib/apt/lists/partial")
            .file_sized(
                "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
                1000,
                b'r',
            )
            .file_sized(
                "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
                3000,
                b'p',
            )
            .file_sized("root/.cache/pip/http/a/b/c", 500, b'c')
            .created_by("RUN apt-get update && pip install x"),
    ]));
    assert_eq!(
        a.paths("PAL-IMG-014"),
        ["/root/.cache/pip", "/var/lib/apt/lists"]
    );
    let f = a.of("PAL-IMG-014");
    assert_finding(
        f[1],
        Severity::Low,
        Some("/var/lib/apt/lists"),
        &["/var/lib/apt/lists: apt package lists, 2 files, 4000 bytes"],
    );
    assert_finding(
        f[0],
        Severity::Low,
        Some("/root/.cache/pip"),
        &["pip cache, 1 files, 500 bytes"],
    );
    assert_eq!(f[1].location.layer.as_deref(), Some(a.diff_ids[1].as_str()));
}

#[test]
fn cleaned_package_lists_are_fine() {
    let a = audit(&clean(vec![
        clean_base()
            .dir("var/lib/apt/lists/partial")
            .file("var/lib/apt/lists/lock", b"")
            .dir("var/cache/apt/archives/partial")
            .file("var/cache/apt/archives/lock", b"")
            .file("var/cache/apk/empty", b""),
        // Lists written and deleted in a later layer are waste (PAL-IMG-015), not a cache left.
        Layer::new()
            .file_sized("var/lib/apt/lists/x_Packages", 10, b'p')
            .created_by("RUN apt-get update"),
        Layer::new()
            .whiteout("var/lib/apt/lists/x_Packages")
            .created_by("RUN rm -rf /var/lib/apt/lists/*"),
    ]));
    a.none("PAL-IMG-014");
}

// ---- PAL-IMG-015 efficiency ---------------------------------------------------

#[test]
fn wasted_space_by_score() {
    let a = audit(&clean(vec![
        clean_base().file_sized("opt/blob", 100_000, b'a'),
        Layer::new()
            .file_sized("opt/blob", 100_000, b'b')
            .created_by("RUN regenerate blob"),
    ]));
    let f = a.one("PAL-IMG-015");
    assert_finding(
        f,
        Severity::Low,
        None,
        &[
            "(dive's threshold 90 %)",
            "wasted 200000 B",
            "largest: /opt/blob (200000 B in 2 layers)",
        ],
    );
    assert!(f.message.starts_with("efficiency 50."), "{:?}", f.message);
}

#[test]
fn wasted_space_by_user_percentage() {
    // Efficiency stays above 90 % (the base is big), but everything above
    // the base is waste: dive's highestUserWastedPercent (10 %) trips.
    let a = audit(&clean(vec![
        clean_base().file_sized("opt/base.bin", 1_000_000, b'a'),
        Layer::new()
            .file_sized("app/data", 1000, b'b')
            .created_by("COPY data /app/"),
        Layer::new()
            .file_sized("app/data", 1000, b'c')
            .created_by("COPY data /app/"),
    ]));
    let f = a.one("PAL-IMG-015");
    assert!(
        f.message.starts_with("efficiency 99."),
        "score above the threshold: {:?}",
        f.message
    );
    assert!(
        f.message
            .contains("wasted 2000 B = 100.0 % of the layers above the base"),
        "{:?}",
        f.message
    );
}

#[test]
fn no_waste_no_finding() {
    let a = audit(&clean(vec![
        clean_base().file_sized("opt/base.bin", 100_000, b'a'),
        Layer::new()
            .file_sized("app/data", 1000, b'b')
            .created_by("COPY data /app/"),
        Layer::new()
            .file_sized("app/more", 1000, b'c')
            .created_by("COPY more /app/"),
    ]));
    a.none("PAL-IMG-015");
}

// ---- PAL-IMG-016 secrets in visible files -------------------------------------

fn secrets_layer() -> Layer {
    let env = format!(
        "# settings\nAWS_ACCESS_KEY_ID={AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\nREGION=eu-west-1\n"
    );
    Layer::new()
        .file_mode("app/.env", env.as_bytes(), 0o600)
        .dir_mode("root/.ssh", 0o700)
        .file_mode("root/.ssh/id_rsa", fake_pem().as_bytes(), 0o600)
        .file(
            "app/deploy.yml",
            format!("registry: ghcr.io\nrepo_token: {GITHUB_TOKEN}\n").as_bytes(),
        )
        .created_by("COPY secrets /")
}

fn assert_no_secret_values(findings: &[Finding]) {
    let text = serde_json::to_string(findings).unwrap();
    let pem = fake_pem();
    let body_line = pem.lines().nth(2).unwrap();
    for value in [
        AWS_KEY_ID,
        &AWS_KEY_ID[4..],
        AWS_SECRET,
        GITHUB_TOKEN,
        &GITHUB_TOKEN[4..],
        GITHUB_TOKEN_2,
        body_line,
    ] {
        assert!(
            !text.contains(value),
            "secret value {value:?} in findings: {text}"
        );
    }
}

#[test]
fn secrets_in_visible_files() {
    let a = audit(&clean(vec![clean_base(), secrets_layer()]));
    let f = a.of("PAL-IMG-016");
    let summary: Vec<(Severity, String, Option<u32>)> = f
        .iter()
        .map(|f| {
            (
                f.severity,
                f.location.path.clone().unwrap(),
                f.location.line,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Severity::Critical, "/app/.env".to_string(), Some(3)),
            (Severity::Critical, "/app/deploy.yml".to_string(), Some(2)),
            (Severity::Critical, "/root/.ssh/id_rsa".to_string(), Some(1)),
            (Severity::High, "/app/.env".to_string(), Some(2)),
        ],
        "{f:#?}"
    );
    assert_eq!(
        f[0].message,
        "AWS secret access key in /app/.env:3 (AWS_SECRET_ACCESS_KEY=<redacted>), layer 2"
    );
    assert_eq!(f[0].title, "secret in a file: AWS secret access key");
    assert!(
        f[1].message.contains("GitHub personal access token"),
        "{:?}",
        f[1]
    );
    assert!(f[1].message.contains("ghp_****"), "{:?}", f[1]);
    assert_eq!(
        f[2].message,
        "Private key in /root/.ssh/id_rsa:1 (-----BEGIN RSA PRIVATE KEY----- <redacted>), layer 2"
    );
    assert_eq!(
        f[3].message,
        "AWS access key ID in /app/.env:2 (AKIA****************), layer 2"
    );
    assert_eq!(f[3].location.layer.as_deref(), Some(a.diff_ids[1].as_str()));
    a.none("PAL-IMG-017");
    // 0600 keys are not "readable by others".
    a.none("PAL-IMG-008");
    assert_no_secret_values(&a.findings);
}

#[test]
fn accepted_files_and_audit_only_runs_report_no_file_secrets() {
    let spec = clean(vec![clean_base(), secrets_layer()]);
    let a = audit_full(
        &spec,
        None,
        AuditOptions {
            accept_keys: vec![],
            accept_files: vec!["/app/.env".into(), "root/.ssh/*".into()],
        },
        ALL,
    );
    assert_eq!(a.paths("PAL-IMG-016"), ["/app/deploy.yml"]);
    let a = audit_full(
        &spec,
        None,
        AuditOptions {
            accept_keys: vec![],
            accept_files: vec!["app/*".into(), "/root/**".into()],
        },
        ALL,
    );
    a.none("PAL-IMG-016");
    let a = audit_full(&spec, None, AuditOptions::default(), &[Scanner::Audit]);
    for rule in ["PAL-IMG-016", "PAL-IMG-017", "PAL-IMG-018", "PAL-IMG-019"] {
        a.none(rule);
    }
}

#[test]
fn no_secret_in_ordinary_files() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file(
                "app/settings.py",
                b"SECRET_KEY = os.environ['SECRET_KEY']\nDEBUG = False\n",
            )
            .file(
                "app/.env",
                b"DB_PASSWORD=${DB_PASSWORD}\nAPI_TOKEN=changeme\n",
            )
            .file(
                "usr/share/doc/app/README",
                format!("export GITHUB_TOKEN={GITHUB_TOKEN}\n").as_bytes(),
            )
            .created_by("COPY app /app"),
    ]));
    a.none("PAL-IMG-016");
}

// ---- PAL-IMG-017 secrets in hidden lower-layer versions ---------------------

#[test]
fn secret_deleted_by_whiteout_or_opaque_dir_or_overwritten() {
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file(
                "app/config/development.env",
                format!("GH_TOKEN={GITHUB_TOKEN}\n").as_bytes(),
            )
            .file("app/config/production.env", b"LOG=info\n")
            .file(
                "app/tmp/token.txt",
                format!("{GITHUB_TOKEN_2}\n").as_bytes(),
            )
            .file(
                "app/settings.env",
                format!("# old\nAWS_ACCESS_KEY_ID={AWS_KEY_ID}\n").as_bytes(),
            )
            .created_by("COPY app /app"),
        Layer::new()
            .opaque("app/config")
            .file("app/config/production.env", b"LOG=warn\n")
            .whiteout("app/tmp")
            .file(
                "app/settings.env",
                b"# credentials come from the environment\n",
            )
            .created_by("RUN cleanup"),
    ]));
    a.none("PAL-IMG-016");
    let f = a.of("PAL-IMG-017");
    let paths: Vec<&str> = f
        .iter()
        .map(|f| f.location.path.as_deref().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "/app/config/development.env",
            "/app/tmp/token.txt",
            "/app/settings.env"
        ],
        "{f:#?}"
    );
    assert_finding(
        f[0],
        Severity::Critical,
        Some("/app/config/development.env"),
        &[
            "GitHub personal access token in /app/config/development.env:1 (",
            "in layer 2, deleted in layer 3, still extractable",
        ],
    );
    assert_eq!(f[0].location.layer.as_deref(), Some(a.diff_ids[1].as_str()));
    assert_eq!(f[0].location.line, Some(1));
    assert!(f[1].message.contains("deleted in layer 3"), "{:?}", f[1]);
    assert_finding(
        f[2],
        Severity::High,
        Some("/app/settings.env"),
        &[
            "AWS access key ID in /app/settings.env:2 (AKIA****************) in layer 2, overwritten by a later layer, still extractable",
        ],
    );
    assert_no_secret_values(&a.findings);

    // Accepted files are not reported in lower layers either.
    let spec = clean(vec![
        clean_base(),
        Layer::new()
            .file(
                "app/tmp/token.txt",
                format!("{GITHUB_TOKEN_2}\n").as_bytes(),
            )
            .created_by("COPY"),
        Layer::new().whiteout("app/tmp").created_by("RUN rm"),
    ]);
    let a = audit_full(
        &spec,
        None,
        AuditOptions {
            accept_keys: vec![],
            accept_files: vec!["/app/tmp/*".into()],
        },
        ALL,
    );
    a.none("PAL-IMG-017");
    let a = audit_full(&spec, None, AuditOptions::default(), ALL);
    assert_eq!(a.paths("PAL-IMG-017"), ["/app/tmp/token.txt"]);
}

#[test]
fn visible_secret_is_not_also_a_hidden_one() {
    // Written in layer 2, untouched by layer 3: PAL-IMG-016 only.
    let a = audit(&clean(vec![
        clean_base(),
        Layer::new()
            .file("app/token.txt", format!("{GITHUB_TOKEN}\n").as_bytes())
            .created_by("COPY"),
        Layer::new().file("app/other", b"x").created_by("COPY"),
    ]));
    assert_eq!(a.paths("PAL-IMG-016"), ["/app/token.txt"]);
    a.none("PAL-IMG-017");
}

// ---- PAL-IMG-018 secrets in the config ------------------------------------------

fn config_with(env: &[String], labels: Value) -> ImageSpec {
    let mut config = clean_config();
    config["Env"] = json!(env);
    config["Labels"] = labels;
    ImageSpec::new(vec![clean_base()]).config(config)
}

#[test]
fn secrets_in_env_and_labels() {
    let spec = config_with(
        &[
            "PATH=/usr/bin:/bin".into(),
            format!("AWS_SECRET_ACCESS_KEY={AWS_SECRET}"),
            format!("GITHUB_TOKEN={GITHUB_TOKEN}"),
            "DB_PASSWORD=Tr0ub4dor-and-3".into(),
            "DB_PASSWORD_FILE=/run/secrets/db".into(),
            "API_KEY=${API_KEY}".into(),
            "APP_ENV=production".into(),
            "JWT_SECRET=s3cr3t".into(),
            // Ends like a setting ("…MIN"), but its last word is ADMIN.
            "DB_PASSWORD_ADMIN=s3cr3t".into(),
        ],
        json!({"org.opencontainers.image.title": "app", "deploy.token": GITHUB_TOKEN_2}),
    );
    let a = audit(&spec);
    let f = a.of("PAL-IMG-018");
    let messages: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(f.len(), 6, "{messages:#?}");
    // A short value the scanner does not recognise, under a secret's name.
    let jwt = f
        .iter()
        .find(|f| f.message.starts_with("ENV JWT_SECRET"))
        .expect("JWT_SECRET");
    assert_eq!(jwt.severity, Severity::Medium);
    assert_eq!(
        jwt.message,
        "ENV JWT_SECRET has a secret-looking name and a value (6 characters, redacted)"
    );
    assert_finding(
        f[0],
        Severity::Critical,
        None,
        &["ENV AWS_SECRET_ACCESS_KEY: AWS secret access key (AWS_SECRET_ACCESS_KEY=<redacted>)"],
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("ENV GITHUB_TOKEN: GitHub personal access token")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("LABEL deploy.token: GitHub personal access token")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("ENV DB_PASSWORD")),
        "{messages:#?}"
    );
    let db = f
        .iter()
        .find(|f| f.message.starts_with("ENV DB_PASSWORD"))
        .unwrap();
    assert!(db.severity >= Severity::Medium, "{db:?}");
    assert!(!db.message.contains("Tr0ub4dor"), "{db:?}");
    assert_no_secret_values(&a.findings);

    // Accepted keys (case-insensitive) are not reported.
    let a = audit_full(
        &spec,
        None,
        AuditOptions {
            accept_keys: vec!["github_token".into(), "DB_PASSWORD".into()],
            accept_files: vec![],
        },
        ALL,
    );
    let messages: Vec<&str> = a
        .of("PAL-IMG-018")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    let mut keys: Vec<&str> = messages
        .iter()
        .map(|m| m.split([' ', ':']).nth(1).unwrap())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "AWS_SECRET_ACCESS_KEY",
            "DB_PASSWORD_ADMIN",
            "JWT_SECRET",
            "deploy.token"
        ],
        "{messages:#?}"
    );
}

#[test]
fn no_secret_in_ordinary_config() {
    let a = audit(&config_with(
        &[
            "PATH=/usr/bin:/bin".into(),
            "PYTHON_VERSION=3.11.2".into(),
            "POSTGRES_PASSWORD_FILE=/run/secrets/pg".into(),
            "TOKEN_URL=https://auth.example.com/token".into(),
            "DB_PASSWORD=".into(),
            // Settings about secrets, not secrets.
            "TOKEN_TTL=3600".into(),
            "PASSWORD_MIN_LENGTH=12".into(),
            "AUTH_TYPE=oauth2".into(),
            "SESSION_TOKEN_HEADER=X-Auth-Token".into(),
            "SECRET_NAME=app-credentials".into(),
            "OAUTH_ISSUER=https://sso.example.com/realms/app".into(),
            "authTokenTtl=3600".into(),
        ],
        json!({"org.opencontainers.image.description": "an app with no secrets"}),
    ));
    a.none("PAL-IMG-018");
}

// ---- PAL-IMG-019 secrets in history ----------------------------------------------

#[test]
fn secrets_in_history() {
    let a = audit(&history_image(&[
        "RUN apt-get update",
        &format!("ARG GITHUB_TOKEN={GITHUB_TOKEN}"),
        &format!("/bin/sh -c echo {AWS_KEY_ID} > /dev/null"),
    ]));
    let f = a.of("PAL-IMG-019");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_finding(
        f[0],
        Severity::Critical,
        None,
        &["history step 3: GitHub personal access token (ghp_"],
    );
    assert_finding(
        f[1],
        Severity::High,
        None,
        &["history step 4: AWS access key ID (AKIA****************)"],
    );
    assert_no_secret_values(&a.findings);
    let a = audit(&history_image(&[
        "RUN apt-get update && apt-get install -y ca-certificates",
        "ENV SECRET_KEY_FILE=/run/secrets/key",
    ]));
    a.none("PAL-IMG-019");
}

#[test]
fn history_checks_never_print_a_secret() {
    // The same step is a curl | sh (012) or a remote ADD (011): their
    // messages quote the step, which must not carry the token.
    let a = audit(&history_image(&[
        &format!(
            "/bin/sh -c curl -fsSL -H 'Authorization: token {GITHUB_TOKEN}' https://get.example.com/i.sh | sh"
        ),
        &format!("ADD https://x-access-token:{GITHUB_TOKEN_2}@git.example.com/app.tar.gz /opt/"),
    ]));
    assert_eq!(
        a.one("PAL-IMG-012").message,
        "history step 2: (command not shown: it holds a secret)"
    );
    assert_eq!(
        a.one("PAL-IMG-011").message,
        "history step 3: (command not shown: it holds a secret)"
    );
    assert_eq!(a.of("PAL-IMG-019").len(), 2, "{:#?}", a.findings);
    assert_no_secret_values(&a.findings);

    // A URL password is redacted even when it is too weak for the secret
    // scanner to call it a secret.
    let a = audit(&history_image(&[
        "ADD https://ci:hunter2@artifacts.example.com/app.tgz /opt/",
        "/bin/sh -c wget -qO- http://ci:hunter2@get.example.com/i.sh | sh",
    ]));
    for rule in ["PAL-IMG-011", "PAL-IMG-012"] {
        let f = a.one(rule);
        assert!(!f.message.contains("hunter2"), "{f:?}");
    }
    if a.of("PAL-IMG-019").is_empty() {
        assert_eq!(
            a.one("PAL-IMG-011").message,
            "history step 2: ADD https://ci:<redacted>@artifacts.example.com/app.tgz /opt/"
        );
    }
}

/// A path written twice in one layer tar: extraction keeps the second
/// entry, and so must the analyses the checks read.
#[test]
fn path_written_twice_in_one_tar_is_analysed_as_its_last_version() {
    let a = audit(
        &clean(vec![
            clean_base(),
            Layer::new()
                .file(
                    "app/.env",
                    format!("AWS_ACCESS_KEY_ID={AWS_KEY_ID}\n").as_bytes(),
                )
                .file("app/.env", b"LOG=info\n")
                .file("etc/passwd", PASSWD)
                .file(
                    "etc/passwd",
                    b"root:x:0:0::/root:/bin/sh\napp:x:0:0::/app:/bin/sh\n",
                )
                .created_by("COPY"),
        ])
        .config(json!({"User": "app", "Healthcheck": {"Test": ["CMD", "true"]}})),
    );
    // The first /app/.env (with the key) never reaches the filesystem.
    a.none("PAL-IMG-016");
    // The second /etc/passwd maps "app" to uid 0.
    a.one("PAL-IMG-006");
}

// ---- ordering ---------------------------------------------------------------

#[test]
fn findings_are_sorted_by_severity_rule_and_path() {
    let a = audit(&ImageSpec::new(vec![
        clean_base(),
        secrets_layer()
            .file_mode("usr/bin/su", b"su", 0o4755)
            .file_mode("usr/bin/curl", b"curl", 0o755)
            .file_mode("bin/sh", b"sh", 0o755),
    ]));
    let keys: Vec<(Severity, &str, Option<&str>)> = a
        .findings
        .iter()
        .map(|f| (f.severity, f.rule.as_str(), f.location.path.as_deref()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)).then(x.2.cmp(&y.2)));
    assert_eq!(keys, sorted);
    assert_eq!(keys.first().map(|k| k.0), Some(Severity::Critical));
    assert!(keys.contains(&(Severity::Medium, "PAL-IMG-001", Some("/usr/bin/su"))));
    assert!(keys.contains(&(Severity::Medium, "PAL-IMG-004", Some("/usr/bin/curl"))));
    assert!(keys.contains(&(Severity::Low, "PAL-IMG-003", Some("/bin/sh"))));
    assert!(keys.contains(&(Severity::Medium, "PAL-IMG-006", None)));
    assert!(keys.contains(&(Severity::Low, "PAL-IMG-010", None)));
}

#[test]
fn every_rule_has_a_document() {
    let rules = palisade_audit::rules();
    let ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
    let expected: Vec<String> = (1..=19).map(|n| format!("PAL-IMG-{n:03}")).collect();
    assert_eq!(ids, expected);
}
