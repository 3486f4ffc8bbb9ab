//! Which files are scanned, and which rules apply to a path.

/// Directories (anchored at the root or after a `/`) whose files are never
/// worth scanning: documentation, man pages, translations, time zones,
/// icons and fonts, licence texts, shell completions, C headers.
const SKIP_DIRS: &[&str] = &[
    "share/doc/",
    "share/man/",
    "share/info/",
    "share/locale/",
    "share/i18n/",
    "share/zoneinfo/",
    "share/zoneinfo-icu/",
    "share/common-licenses/",
    "share/licenses/",
    "share/icons/",
    "share/fonts/",
    "share/pixmaps/",
    "share/mime/",
    "share/terminfo/",
    "share/help/",
    "share/gtk-doc/",
    "share/javadoc/",
    "share/lintian/",
    "share/bash-completion/",
    "share/zsh/",
    "share/fish/",
    "share/X11/locale/",
    "lib/locale/",
    "usr/include/",
    "usr/local/include/",
];

/// Whole top-level trees that are not image content (kernel filesystems).
const SKIP_ROOTS: &[&str] = &["proc/", "sys/", "dev/"];

/// File extensions (lower-cased) of binary, compressed or media files.
const SKIP_EXTENSIONS: &[&str] = &[
    // objects and libraries
    "so", "a", "o", "ko", "lo", "la", "dll", "exe", "dylib", "node", "wasm", "pyc", "pyo", "pyd",
    "class", "jmod", "jsa", // archives and packages
    "jar", "war", "ear", "aar", "whl", "egg", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst",
    "lz4", "lzma", "lz", "zip", "7z", "rar", "deb", "udeb", "rpm", "apk", "cab", "iso", "img",
    // images
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns", "webp", "tif", "tiff", "psd", "xcf", "svgz",
    "cur", // fonts
    "ttf", "otf", "ttc", "woff", "woff2", "eot", "pfb", "pcf", "afm", // translations
    "mo", "gmo", "qm", // media and documents
    "mp3", "mp4", "m4a", "wav", "ogg", "oga", "flac", "avi", "mov", "mkv", "webm", "pdf",
    // databases
    "sqlite", "sqlite3", "db", "mdb", "pak", "icc",
];

/// Trees that hold installed third-party code (OS packages, language
/// package managers): a "config-looking" file there is the package's own
/// data or test fixture, not deployment configuration.
const LIBRARY_ROOTS: &[&str] = &[
    "usr/lib/",
    "usr/lib64/",
    "usr/libexec/",
    "usr/share/",
    "usr/local/lib/",
    "usr/local/share/",
    "lib/",
    "lib64/",
    "var/lib/dpkg/",
    "var/lib/rpm/",
    "var/lib/apt/",
    "var/lib/ucf/",
    "var/cache/",
];
const LIBRARY_DIRS: &[&str] = &[
    "node_modules/",
    "site-packages/",
    "dist-packages/",
    "vendor/",
    "bower_components/",
    "gems/",
    ".cargo/registry/",
    "go/pkg/mod/",
    ".m2/repository/",
    ".gradle/caches/",
    ".npm/_cacache/",
    ".cache/pip/",
    "__pycache__/",
];

/// Test fixture directories. Inside library trees they are skipped
/// entirely (Python's test suite ships real throw-away private keys).
const TEST_DIRS: &[&str] = &[
    "test/",
    "tests/",
    "testing/",
    "testdata/",
    "test-data/",
    "test_data/",
    "fixtures/",
    "__tests__/",
    "spec/",
];

/// Whether `dir` (like `share/doc/`) occurs in `path` at the root or after a `/`.
fn has_dir(path: &str, dir: &str) -> bool {
    path.starts_with(dir)
        || path
            .match_indices(dir)
            .any(|(i, _)| i > 0 && path.as_bytes()[i - 1] == b'/')
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// `.../man/man1/ls.1` anywhere (usr/local/man, opt/x/man, share/man/de/man8):
/// a `man` directory with a `manN` section directory below it.
fn is_man_page(path: &str) -> bool {
    let dirs: Vec<&str> = path.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    let Some(man) = dirs.iter().position(|c| *c == "man") else {
        return false;
    };
    dirs[man + 1..].iter().any(|c| {
        let b = c.as_bytes();
        (4..=8).contains(&b.len())
            && b.starts_with(b"man")
            && (b[3].is_ascii_digit() || b[3] == b'n' || b[3] == b'l')
    })
}

fn in_library(path: &str) -> bool {
    LIBRARY_ROOTS.iter().any(|r| path.starts_with(r))
        || LIBRARY_DIRS.iter().any(|d| has_dir(path, d))
}

/// Whether a file at this root-relative path is worth scanning.
pub fn should_scan_path(path: &str) -> bool {
    let path = path.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        return false;
    }
    if SKIP_ROOTS.iter().any(|r| path.starts_with(r)) || SKIP_DIRS.iter().any(|d| has_dir(path, d))
    {
        return false;
    }
    if is_man_page(path) {
        return false;
    }
    let name = basename(path);
    // Shared libraries: libfoo.so, libfoo.so.1, libfoo.so.1.2.3.
    if name.ends_with(".so") || name.contains(".so.") {
        return false;
    }
    if let Some(ext) = extension(name)
        && SKIP_EXTENSIONS.contains(&ext.as_str())
    {
        return false;
    }
    if in_library(path) && TEST_DIRS.iter().any(|d| has_dir(path, d)) {
        return false;
    }
    true
}

/// How the generic assignment rules treat a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generic {
    /// Source code, documentation, data: only the precise rules apply.
    Off,
    /// Configuration: `key = value` to a credential key, high-entropy value.
    Config,
    /// A credentials file: any non-placeholder value of a credential key.
    Credentials,
}

/// What a path says about the rules to run on its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PathKind {
    pub generic: Generic,
    /// Inside installed third-party code (OS or language packages): the
    /// credentials-in-URL rule is off there, package docs and comments are
    /// full of `http://user:pass@host` examples.
    pub library: bool,
    pub npmrc: bool,
    pub netrc: bool,
    pub pgpass: bool,
}

impl PathKind {
    pub(crate) const PLAIN: PathKind = PathKind {
        generic: Generic::Off,
        library: false,
        npmrc: false,
        netrc: false,
        pgpass: false,
    };
}

const CONFIG_EXTENSIONS: &[&str] = &[
    "env",
    "conf",
    "cfg",
    "cnf",
    "ini",
    "properties",
    "yaml",
    "yml",
    "json",
    "toml",
    "xml",
    "config",
    "tfvars",
];

/// Extensions that are code, not configuration, even inside etc/ or config/.
const SOURCE_EXTENSIONS: &[&str] = &[
    "py", "pl", "pm", "rb", "js", "mjs", "cjs", "ts", "go", "java", "c", "h", "cc", "cpp", "hpp",
    "rs", "php", "lua", "tcl", "awk", "sed", "md", "rst", "txt", "html", "htm", "css", "pem",
    "crt", "cer", "key", "pub", "asc", "gpg", "sig",
];

/// Directory names whose files are configuration.
const CONFIG_DIRS: &[&str] = &[
    "etc", "config", "configs", "conf", ".config", "settings", "secrets",
];

/// Classifies a path for the rules (see [`crate::secret::scan_file`]).
pub(crate) fn classify(path: &str) -> PathKind {
    let path = path.trim_start_matches('/');
    let name = basename(path);
    let lower = name.to_ascii_lowercase();
    let dir = &path[..path.len() - name.len()];
    let mut kind = PathKind::PLAIN;

    // Credentials files, wherever they are.
    let credentials = match lower.as_str() {
        ".netrc" | "_netrc" => {
            kind.netrc = true;
            true
        }
        ".pgpass" => {
            kind.pgpass = true;
            true
        }
        ".npmrc" | "npmrc" => {
            kind.npmrc = true;
            true
        }
        ".pypirc"
        | ".git-credentials"
        | ".dockercfg"
        | ".my.cnf"
        | ".boto"
        | ".s3cfg"
        | ".terraformrc"
        | "credentials.tfrc.json" => true,
        "credentials" | "credentials.toml" | "credentials.json" => {
            has_dir(dir, ".aws/")
                || has_dir(dir, ".gem/")
                || has_dir(dir, ".cargo/")
                || !in_library(path)
        }
        "config.json" => has_dir(dir, ".docker/"),
        "auth.json" => has_dir(dir, ".composer/") || !in_library(path),
        "config" => has_dir(dir, ".kube/") || has_dir(dir, ".aws/"),
        _ => false,
    };
    if credentials {
        kind.generic = Generic::Credentials;
        return kind;
    }
    if in_library(path) {
        kind.library = true;
        return kind;
    }

    let ext = extension(name);
    let dotenv = lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env");
    let config_ext = ext
        .as_deref()
        .is_some_and(|e| CONFIG_EXTENSIONS.contains(&e));
    let in_config_dir = dir
        .split('/')
        .any(|c| CONFIG_DIRS.contains(&c.to_ascii_lowercase().as_str()));
    let source = ext
        .as_deref()
        .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e));
    if dotenv || config_ext || (in_config_dir && !source) {
        kind.generic = Generic::Config;
    }
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_paths() {
        for p in [
            "app/.env",
            "root/.ssh/id_rsa",
            "etc/ssl/private/server.key",
            "home/app/.aws/credentials",
            "usr/share/perl5/Debconf/Config.pm",
            "usr/local/lib/python3.11/dist-packages/requests/auth.py",
            "opt/app/config/settings.yaml",
            "app/node_modules/x/index.js",
            "var/log/app.log",
            "app/tests/fixtures/key.pem",
            "usr/share/elasticsearch/config/elasticsearch.yml",
            "/app/.env",
        ] {
            assert!(should_scan_path(p), "{p}");
        }
        for p in [
            "usr/share/doc/bash/README",
            "usr/share/man/man1/ls.1.gz",
            "usr/local/share/man/man8/x.8",
            "usr/share/locale/de/LC_MESSAGES/dpkg.mo",
            "usr/share/zoneinfo/Europe/Paris",
            "usr/lib/x86_64-linux-gnu/libc.so.6",
            "usr/lib/x86_64-linux-gnu/libz.so",
            "app/logo.png",
            "usr/share/fonts/truetype/x.ttf",
            "usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
            "app/archive.tar.gz",
            "usr/lib/python3.11/test/keycert.pem",
            "usr/local/lib/python3.11/dist-packages/requests/tests/test_x.py",
            "usr/include/stdio.h",
            "proc/self/environ",
            "",
            "etc/",
        ] {
            assert!(!should_scan_path(p), "{p}");
        }
    }

    #[test]
    fn path_kinds() {
        for p in [
            "app/.env",
            "app/.env.production",
            "app/config/development.env",
            "etc/mysql/debian.cnf",
            "etc/default/app",
            "opt/app/application.properties",
            "srv/app/settings.yaml",
            "app/config/database",
        ] {
            assert_eq!(classify(p).generic, Generic::Config, "{p}");
        }
        for p in [
            "root/.netrc",
            "root/.npmrc",
            "home/u/.docker/config.json",
            "root/.aws/credentials",
            "root/.git-credentials",
            "root/.pgpass",
            "root/.kube/config",
        ] {
            assert_eq!(classify(p).generic, Generic::Credentials, "{p}");
        }
        for p in [
            "usr/share/perl5/Debconf/Config.pm",
            "app/server.js",
            "usr/lib/python3/dist-packages/x/config.json",
            "app/node_modules/x/package.json",
            "etc/python3.11/sitecustomize.py",
            "etc/ssl/certs/ca-certificates.crt",
            "usr/share/elasticsearch/config/elasticsearch.yml",
        ] {
            assert_eq!(classify(p).generic, Generic::Off, "{p}");
        }
        assert!(classify("root/.npmrc").npmrc);
        assert!(classify("usr/share/tcltk/tcl8.6/tcl8/http-2.9.8.tm").library);
        assert!(!classify("app/server.js").library);
        assert!(classify("root/.netrc").netrc);
    }
}
