//! TLS for the webhook: rustls (aws-lc-rs), TLS 1.2 and 1.3, with the
//! certificate and key reloaded when their files change. The resolver
//! hands every handshake the current pair; a failed reload keeps the old
//! one.

use crate::watch::{Stamp, read_bounded, stamp};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

const MAX_PEM: u64 = 1 << 20;

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Loads a PEM certificate chain and its private key, checking that
/// they belong together.
pub fn load(cert: &Path, key: &Path) -> Result<CertifiedKey, String> {
    let cert_pem = read_bounded(cert, MAX_PEM)?;
    let key_pem = read_bounded(key, MAX_PEM)?;
    let certs = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", cert.display()));
    }
    // The key's contents never reach a message.
    let key_der = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|_| format!("{}: no readable private key", key.display()))?;
    CertifiedKey::from_der(certs, key_der, &provider())
        .map_err(|e| format!("{} and {}: {e}", cert.display(), key.display()))
}

#[derive(Debug)]
pub struct ReloadingCert {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
    stamps: Mutex<(Option<Stamp>, Option<Stamp>)>,
}

impl ReloadingCert {
    pub fn new(cert: &Path, key: &Path) -> Result<Self, String> {
        let stamps = (stamp(cert), stamp(key));
        let loaded = load(cert, key)?;
        Ok(ReloadingCert {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            current: RwLock::new(Arc::new(loaded)),
            stamps: Mutex::new(stamps),
        })
    }

    /// Reloads when either file changed: `Ok(true)` when a new pair is
    /// in use, `Err` when the new files are unusable (the old pair stays).
    pub fn reload_if_changed(&self) -> Result<bool, String> {
        let now = (stamp(&self.cert), stamp(&self.key));
        let mut seen = self.stamps.lock().unwrap_or_else(|e| e.into_inner());
        if *seen == now {
            return Ok(false);
        }
        // Remember the stamps even on failure: one error per change.
        *seen = now;
        let loaded = load(&self.cert, &self.key)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
        Ok(true)
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

pub fn server_config(resolver: Arc<ReloadingCert>) -> Result<rustls::ServerConfig, String> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
