//! Image references, in the transports of containers/image:
//! `oci:DIR[:TAG|@DIGEST]`, `docker-archive:FILE[:NAME:TAG|:@INDEX]`,
//! `docker://HOST/REPO[:TAG|@DIGEST]`, and a bare `HOST/REPO:TAG`.

use crate::digest::Digest;
use crate::error::{ImageError, Result};
use std::fmt;
use std::path::PathBuf;

/// The registry Docker Hub's short names resolve to, and its API host.
pub const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";
const MAX_REFERENCE_LEN: usize = 4096;
/// Transports containers/image knows but palisade does not read.
const UNSUPPORTED_TRANSPORTS: &[&str] = &[
    "oci-archive",
    "dir",
    "docker-daemon",
    "containers-storage",
    "ostree",
    "sif",
    "tarball",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// An OCI image layout directory.
    Oci { dir: PathBuf, selector: Selector },
    /// A `docker save` archive, optionally selecting one of its images.
    DockerArchive {
        file: PathBuf,
        selector: ArchiveSelector,
    },
    /// An image in a registry, read through the distribution API.
    Registry(RegistryRef),
    /// A directory holding a root filesystem (an unpacked image, e.g.
    /// `umoci unpack`'s `rootfs`), read as one layer.
    Dir { dir: PathBuf },
}

/// Which manifest of an OCI layout's index to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The only manifest, or the one for the platform.
    Default,
    Tag(String),
    Digest(Digest),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveSelector {
    Default,
    /// `NAME:TAG` as listed in `RepoTags`.
    Tag(String),
    /// `@N`, the N-th image of the archive's manifest.json.
    Index(usize),
}

/// `HOST/REPO[:TAG][@DIGEST]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRef {
    /// The registry as written (`docker.io`, `127.0.0.1:5000`).
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl RegistryRef {
    /// The host to talk to for the API (Docker Hub's differs from its name).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// What to ask `/v2/<repo>/manifests/<reference>` for: the digest wins over the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_string(),
        }
    }

    /// Whether the host is on the loopback interface (plain HTTP is allowed there).
    pub fn is_loopback(&self) -> bool {
        let host = host_without_port(&self.registry);
        host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .map(|ip| ip.is_loopback())
                .unwrap_or(false)
    }

    /// Parses a Docker reference (`ubuntu`, `ubuntu:22.04`, `ghcr.io/o/r@sha256:…`).
    pub fn parse(input: &str) -> Result<RegistryRef> {
        let bad = |reason: &str| ImageError::Reference {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        if input.is_empty() {
            return Err(bad("empty reference"));
        }
        if input.len() > MAX_REFERENCE_LEN {
            return Err(bad("reference is too long"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((rest, d)) => (rest, Some(d.parse::<Digest>().map_err(|e| bad(&e))?)),
            None => (input, None),
        };
        // The tag is after the last ':' that follows the last '/'.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag
            && !valid_tag(tag)
        {
            return Err(bad(&format!(
                "invalid tag {tag:?} (1-128 characters of letters, digits, '_', '.', '-', not starting with '.' or '-')"
            )));
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), path.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        if !valid_registry(&registry) {
            return Err(bad(&format!("invalid registry host {registry:?}")));
        }
        if path.is_empty() {
            return Err(bad("missing repository name"));
        }
        if let Some(component) = path.split('/').find(|c| !valid_path_component(c)) {
            return Err(bad(&format!(
                "invalid repository name component {component:?} (lowercase letters, digits and separators '.', '_', '__', '-')"
            )));
        }
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        Ok(RegistryRef {
            registry,
            repository,
            tag: tag.map(str::to_string),
            digest,
        })
    }
}

impl fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

fn host_without_port(registry: &str) -> &str {
    if registry.starts_with('[') {
        // [::1]:5000
        return registry
            .split(']')
            .next()
            .map(|h| &h[1..])
            .unwrap_or(registry);
    }
    registry.split(':').next().unwrap_or(registry)
}

fn valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn valid_registry(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

impl ImageRef {
    pub fn parse(input: &str) -> Result<ImageRef> {
        let bad = |reason: String| ImageError::Reference {
            input: input.to_string(),
            reason,
        };
        if let Some(dir) = input.strip_prefix("dir:") {
            if dir.is_empty() {
                return Err(bad("missing directory after dir:".into()));
            }
            return Ok(ImageRef::Dir {
                dir: PathBuf::from(dir),
            });
        }
        if let Some(rest) = input.strip_prefix("oci:") {
            let (rest, digest) = split_digest(rest).map_err(bad)?;
            let (dir, tag) = match rest.split_once(':') {
                Some((dir, tag)) => (dir, Some(tag)),
                None => (rest, None),
            };
            if dir.is_empty() {
                return Err(bad("missing directory after oci:".into()));
            }
            let selector = match (digest, tag) {
                (Some(_), Some(_)) => {
                    return Err(bad("give either :TAG or @DIGEST, not both".into()));
                }
                (Some(d), None) => Selector::Digest(d),
                (None, Some("")) | (None, None) => Selector::Default,
                (None, Some(t)) => Selector::Tag(t.to_string()),
            };
            return Ok(ImageRef::Oci {
                dir: PathBuf::from(dir),
                selector,
            });
        }
        if let Some(rest) = input.strip_prefix("docker-archive:") {
            let (file, selector) = match rest.split_once(':') {
                None => (rest, ArchiveSelector::Default),
                Some((file, sel)) => {
                    let selector = if let Some(n) = sel.strip_prefix('@') {
                        ArchiveSelector::Index(
                            n.parse()
                                .map_err(|_| bad(format!("invalid image index {n:?}")))?,
                        )
                    } else if sel.is_empty() {
                        ArchiveSelector::Default
                    } else {
                        ArchiveSelector::Tag(sel.to_string())
                    };
                    (file, selector)
                }
            };
            if file.is_empty() {
                return Err(bad("missing file after docker-archive:".into()));
            }
            return Ok(ImageRef::DockerArchive {
                file: PathBuf::from(file),
                selector,
            });
        }
        if let Some(rest) = input.strip_prefix("docker://") {
            // Report errors against what the user typed, transport included.
            return RegistryRef::parse(rest)
                .map(ImageRef::Registry)
                .map_err(|e| match e {
                    ImageError::Reference { reason, .. } => bad(reason),
                    other => other,
                });
        }
        if let Some((transport, _)) = input.split_once(':')
            && UNSUPPORTED_TRANSPORTS.contains(&transport)
        {
            return Err(bad(format!(
                "unsupported transport {transport:?} (supported: oci:, docker-archive:, docker://)"
            )));
        }
        if let Some((scheme, _)) = input.split_once("://") {
            return Err(bad(format!(
                "unknown transport {scheme:?}:// (supported: oci:, docker-archive:, docker://)"
            )));
        }
        RegistryRef::parse(input).map(ImageRef::Registry)
    }
}

fn split_digest(s: &str) -> std::result::Result<(&str, Option<Digest>), String> {
    match s.rsplit_once('@') {
        Some((rest, d)) if d.contains(':') => Ok((rest, Some(d.parse::<Digest>()?))),
        _ => Ok((s, None)),
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Oci { dir, selector } => {
                write!(f, "oci:{}", dir.display())?;
                match selector {
                    Selector::Default => Ok(()),
                    Selector::Tag(t) => write!(f, ":{t}"),
                    Selector::Digest(d) => write!(f, "@{d}"),
                }
            }
            ImageRef::DockerArchive { file, selector } => {
                write!(f, "docker-archive:{}", file.display())?;
                match selector {
                    ArchiveSelector::Default => Ok(()),
                    ArchiveSelector::Tag(t) => write!(f, ":{t}"),
                    ArchiveSelector::Index(i) => write!(f, ":@{i}"),
                }
            }
            ImageRef::Registry(r) => write!(f, "docker://{r}"),
            ImageRef::Dir { dir } => write!(f, "dir:{}", dir.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(s: &str) -> RegistryRef {
        match ImageRef::parse(s).unwrap() {
            ImageRef::Registry(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bare_and_docker_refs() {
        let r = reg("ubuntu");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("docker.io", "library/ubuntu", None)
        );
        assert_eq!(r.manifest_reference(), "latest");
        assert_eq!(r.api_host(), "registry-1.docker.io");
        let r = reg("ubuntu:22.04");
        assert_eq!(r.tag.as_deref(), Some("22.04"));
        let r = reg("127.0.0.1:5000/team/app:v1");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("127.0.0.1:5000", "team/app", Some("v1"))
        );
        assert!(r.is_loopback());
        let r = reg(
            "docker://localhost/app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        assert_eq!(r.registry, "localhost");
        assert!(r.digest.is_some());
        assert!(r.manifest_reference().starts_with("sha256:"));
        let r = reg(
            "ghcr.io/org/sub/app:1.0@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        assert_eq!(r.tag.as_deref(), Some("1.0"));
        assert!(!r.is_loopback());
        assert_eq!(
            r.to_string(),
            "ghcr.io/org/sub/app:1.0@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(reg("[::1]:5000/x:y").is_loopback());
    }

    #[test]
    fn local_transports() {
        assert_eq!(
            ImageRef::parse("oci:/tmp/lay:v1").unwrap(),
            ImageRef::Oci {
                dir: "/tmp/lay".into(),
                selector: Selector::Tag("v1".into())
            }
        );
        assert_eq!(
            ImageRef::parse("oci:lay").unwrap(),
            ImageRef::Oci {
                dir: "lay".into(),
                selector: Selector::Default
            }
        );
        assert!(matches!(
            ImageRef::parse(
                "oci:lay@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            )
            .unwrap(),
            ImageRef::Oci {
                selector: Selector::Digest(_),
                ..
            }
        ));
        assert_eq!(
            ImageRef::parse("docker-archive:a.tar:app:v1").unwrap(),
            ImageRef::DockerArchive {
                file: "a.tar".into(),
                selector: ArchiveSelector::Tag("app:v1".into())
            }
        );
        assert_eq!(
            ImageRef::parse("docker-archive:a.tar:@1").unwrap(),
            ImageRef::DockerArchive {
                file: "a.tar".into(),
                selector: ArchiveSelector::Index(1)
            }
        );
    }

    #[test]
    fn malformed() {
        for bad in [
            "",
            "oci:",
            "docker-archive:",
            "UPPER/case",
            "a//b",
            "app:",
            "app:-bad",
            "app@sha256:12",
            "containers-storage:x",
            "http://x/y",
            "docker://",
            "a/b:c:d",
            "ho st/x",
            "x/-y",
            "docker-archive:a.tar:@x",
            "oci:d:t@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ] {
            let err = ImageRef::parse(bad);
            assert!(err.is_err(), "{bad:?} parsed as {err:?}");
            let msg = err.unwrap_err().to_string();
            assert!(msg.contains(&format!("{bad:?}")) || bad.is_empty(), "{msg}");
        }
        assert!(ImageRef::parse(&"a".repeat(5000)).is_err());
    }
}
