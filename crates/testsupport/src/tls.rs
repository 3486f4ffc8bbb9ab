//! Certificates for HTTPS tests, made with the `openssl` CLI as an
//! operator would: a CA and a P-256 serving certificate it signed, for
//! `localhost` and 127.0.0.1 (a caBundle and a Secret in a cluster).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether the `openssl` CLI runs; without it, `false` (the test prints
/// why and passes) when PALISADE_SKIP_PEER_TESTS=1, else a panic that
/// says what to install.
pub fn openssl_available(test: &str) -> bool {
    if Command::new("openssl").arg("version").output().is_ok() {
        return true;
    }
    if std::env::var("PALISADE_SKIP_PEER_TESTS").as_deref() == Ok("1") {
        eprintln!("{test}: skipped: openssl is not installed (PALISADE_SKIP_PEER_TESTS=1)");
        return false;
    }
    panic!(
        "{test}: needs the openssl CLI (apt-get install openssl), or set PALISADE_SKIP_PEER_TESTS=1"
    );
}

fn openssl(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Certificate files in `dir`, named after `name`.
pub struct Cert {
    /// The CA certificate (`NAME-ca.crt`).
    pub ca: PathBuf,
    /// The serving certificate (`NAME.crt`) and its key (`NAME.key`).
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A new CA and a serving certificate it signed for localhost and
/// 127.0.0.1, valid one day.
pub fn make_cert(dir: &Path, name: &str) -> Cert {
    let p = |f: &str| dir.join(format!("{name}{f}")).to_str().unwrap().to_string();
    let (ca, ca_key, csr, cert, key, ext) = (
        p("-ca.crt"),
        p("-ca.key"),
        p(".csr"),
        p(".crt"),
        p(".key"),
        p(".ext"),
    );
    let new_p256 = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let ca_subject = format!("/CN={name} test CA");
    let mut args = vec!["req", "-x509"];
    args.extend(new_p256);
    args.extend([
        "-days",
        "1",
        "-subj",
        &ca_subject,
        "-keyout",
        &ca_key,
        "-out",
        &ca,
    ]);
    openssl(&args);
    let subject = format!("/CN={name}");
    let mut args = vec!["req"];
    args.extend(new_p256);
    args.extend(["-subj", &subject, "-keyout", &key, "-out", &csr]);
    openssl(&args);
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        &ext,
        "-out",
        &cert,
    ]);
    Cert {
        ca: ca.into(),
        cert: cert.into(),
        key: key.into(),
    }
}

/// A blocking HTTPS client that trusts only the CA in `ca` (PEM).
#[cfg(feature = "https")]
pub fn https_client(ca: &Path, timeout: std::time::Duration) -> reqwest::blocking::Client {
    let pem = std::fs::read(ca).unwrap();
    reqwest::blocking::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .timeout(timeout)
        .build()
        .unwrap()
}
