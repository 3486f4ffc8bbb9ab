//! Verification of signatures and attestations in both layouts cosign
//! uses: the `sha256-<hex>.sig`/`.att` tags, and Sigstore bundles attached
//! as OCI 1.1 referrers (the referrers API, or the `sha256-<hex>` referrers
//! tag schema when the registry has no such API).

use crate::bundle::{self, Bundle, Content};
use crate::dsse::{self, Envelope};
use crate::error::{Error, VerifyError};
use crate::keys::PublicKey;
use crate::manifest::{Index, Manifest, short};
use crate::payload::{self, SimpleSigning, reference_matches};
use crate::sign::{CERTIFICATE_ANNOTATION, SIGNATURE_ANNOTATION};
use crate::statement::Statement;
use crate::store;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use palisade_image::source::registry::client::Client;
use palisade_image::{Digest, RegistryOptions, RegistryRef};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most referrers examined.
const MAX_REFERRERS: usize = 100;

/// What a signature must satisfy.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Trusted keys: a signature verifies if any of them verifies it.
    pub keys: Vec<PublicKey>,
    /// `-a key=value`: each must be in the payload's `optional` map.
    pub annotations: BTreeMap<String, String>,
    /// `registry/repository` the payload's `docker-reference` must name;
    /// `None` skips that check (not recommended).
    pub reference: Option<String>,
}

/// Where a verified signature or attestation was found.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "layout", rename_all = "kebab-case")]
pub enum Source {
    /// Layer `layer` (0-based) of the manifest at `tag`.
    Tag {
        tag: String,
        layer: usize,
        layer_digest: String,
    },
    /// A Sigstore bundle in the referrer manifest `manifest_digest`.
    Referrer {
        manifest_digest: String,
        bundle_digest: String,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Tag {
                tag,
                layer,
                layer_digest,
            } => {
                write!(f, "tag {tag} layer {layer} ({layer_digest})")
            }
            Source::Referrer {
                manifest_digest,
                bundle_digest,
            } => {
                write!(f, "referrer {manifest_digest} (bundle {bundle_digest})")
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedSignature {
    pub source: Source,
    /// `sha256:` fingerprint of the key that verified it.
    pub key_fingerprint: String,
    /// The payload's `docker-reference` (None for bundle message signatures).
    pub docker_reference: Option<String>,
    /// The payload's `optional` annotations.
    pub annotations: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedSignatures {
    pub digest: String,
    pub verified: Vec<VerifiedSignature>,
    /// Why each other signature found was rejected.
    pub rejected: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedAttestation {
    pub source: Source,
    pub key_fingerprint: String,
    pub predicate_type: String,
    pub predicate: serde_json::Value,
}

/// Verifies the signatures of `digest` in `image`'s repository.
pub fn verify_image(
    image: &RegistryRef,
    digest: &Digest,
    registry: &RegistryOptions,
    options: &VerifyOptions,
) -> Result<VerifiedSignatures, VerifyError> {
    let client = crate::sign::connect(image, registry, false).map_err(other)?;
    verify_image_with(&client, digest, options)
}

/// [`verify_image`] on a connected client.
pub fn verify_image_with(
    client: &Client,
    digest: &Digest,
    options: &VerifyOptions,
) -> Result<VerifiedSignatures, VerifyError> {
    if options.keys.is_empty() {
        return Err(VerifyError::Other("no public key given".into()));
    }
    let subject = digest.to_string();
    let mut verified = Vec::new();
    let mut rejected = Vec::new();
    let mut found = 0;
    let tag = store::tag_for(digest, "sig");
    if let Some(m) = store::read_tag(client, &tag).map_err(other)? {
        for (i, layer) in m.layers.iter().enumerate() {
            found += 1;
            let source = Source::Tag {
                tag: tag.clone(),
                layer: i,
                layer_digest: short(&layer.digest),
            };
            match check_tag_signature(client, digest, layer, options) {
                Ok((fp, p)) => verified.push(VerifiedSignature {
                    source,
                    key_fingerprint: fp,
                    docker_reference: Some(p.critical.identity.docker_reference),
                    annotations: p.optional.unwrap_or_default(),
                }),
                Err(why) => rejected.push(format!("{source}: {why}")),
            }
        }
    }
    for (source, bundle) in referrer_bundles(client, digest, &mut rejected, &mut found)? {
        match bundle.content() {
            Ok(Content::Message {
                digest: d,
                signature,
            }) => match check_message_signature(&bundle, digest, &d, &signature, options) {
                Ok(fp) => verified.push(VerifiedSignature {
                    source,
                    key_fingerprint: fp,
                    docker_reference: None,
                    annotations: BTreeMap::new(),
                }),
                Err(why) => rejected.push(format!("{source}: {why}")),
            },
            // DSSE bundles are attestations: verify-attestation reads them.
            Ok(Content::Dsse(_)) => found -= 1,
            Err(e) => rejected.push(format!("{source}: {e}")),
        }
    }
    if verified.is_empty() {
        if found == 0 && rejected.is_empty() {
            return Err(VerifyError::NotSigned {
                subject,
                what: "signatures".into(),
                looked: format!("tag {tag}, OCI referrers"),
            });
        }
        return Err(VerifyError::Invalid {
            subject,
            what: "signature".into(),
            reasons: rejected,
        });
    }
    Ok(VerifiedSignatures {
        digest: subject,
        verified,
        rejected,
    })
}

/// One `.sig` layer: signature over the exact payload bytes, then the
/// payload's claims.
fn check_tag_signature(
    client: &Client,
    digest: &Digest,
    layer: &crate::manifest::Descriptor,
    options: &VerifyOptions,
) -> Result<(String, SimpleSigning), String> {
    if layer.media_type != payload::MEDIA_TYPE {
        return Err(format!(
            "unexpected layer media type {:?}",
            short(&layer.media_type)
        ));
    }
    let Some(sig_b64) = layer.annotations.get(SIGNATURE_ANNOTATION) else {
        return Err(format!("no {SIGNATURE_ANNOTATION} annotation"));
    };
    let signature = STANDARD
        .decode(sig_b64.trim())
        .map_err(|_| "the signature annotation is not base64".to_string())?;
    let layer_digest = layer.parsed_digest().map_err(|e| e.to_string())?;
    if layer.size > payload::MAX_PAYLOAD {
        return Err("payload larger than 1 MiB".into());
    }
    // fetch_blob checks the bytes against the layer digest.
    let body = client
        .fetch_blob(&layer_digest, payload::MAX_PAYLOAD)
        .map_err(|e| format!("payload: {e}"))?;
    let fingerprint = verify_with_any(&options.keys, &body, &signature).map_err(|why| {
        if layer.annotations.contains_key(CERTIFICATE_ANNOTATION) {
            format!("{why}; it carries a certificate: keyless (Fulcio/Rekor) verification is out of scope")
        } else {
            why
        }
    })?;
    let p = SimpleSigning::parse(&body).map_err(|e| e.to_string())?;
    check_claims(&p, digest, options)?;
    Ok((fingerprint, p))
}

fn check_claims(p: &SimpleSigning, digest: &Digest, options: &VerifyOptions) -> Result<(), String> {
    if p.critical.kind != payload::SIGNATURE_TYPE {
        return Err(format!(
            "critical.type is {:?}, not {:?}",
            short(&p.critical.kind),
            payload::SIGNATURE_TYPE
        ));
    }
    let signed = &p.critical.image.docker_manifest_digest;
    if !signed.eq_ignore_ascii_case(&digest.to_string()) {
        return Err(format!(
            "the signature is for image {}, not {digest} (signature moved to another image?)",
            short(signed)
        ));
    }
    if let Some(repo) = &options.reference
        && !reference_matches(&p.critical.identity.docker_reference, repo)
    {
        return Err(format!(
            "docker-reference {:?} does not name {repo}",
            short(&p.critical.identity.docker_reference)
        ));
    }
    for (k, v) in &options.annotations {
        match p.annotation(k) {
            Some(found) if &found == v => {}
            Some(found) => {
                return Err(format!("annotation {k}={:?}, wanted {v:?}", short(&found)));
            }
            None => return Err(format!("annotation {k} missing (wanted {v:?})")),
        }
    }
    Ok(())
}

fn check_message_signature(
    bundle: &Bundle,
    digest: &Digest,
    message_digest: &[u8],
    signature: &[u8],
    options: &VerifyOptions,
) -> Result<String, String> {
    if bundle.is_keyless() {
        return Err("the bundle needs keyless verification (Fulcio certificate, Rekor): out of scope for palisade, not verified".into());
    }
    if hex::encode(message_digest) != digest.hex() {
        return Err(format!(
            "the bundle signs sha256:{}, not {digest}",
            hex::encode(message_digest)
        ));
    }
    let mut last = String::from("no key");
    for key in &options.keys {
        match key.verify_prehash(message_digest, signature) {
            Ok(()) => return Ok(key.fingerprint()),
            Err(e) => last = e,
        }
    }
    Err(format!("{last} (tried {} key(s))", options.keys.len()))
}

fn verify_with_any(keys: &[PublicKey], message: &[u8], signature: &[u8]) -> Result<String, String> {
    let mut last = String::from("no key");
    for key in keys {
        match key.verify(message, signature) {
            Ok(()) => return Ok(key.fingerprint()),
            Err(e) => last = e,
        }
    }
    Err(format!("{last} (tried {} key(s))", keys.len()))
}

/// The Sigstore bundles attached to `digest` as referrers.
fn referrer_bundles(
    client: &Client,
    digest: &Digest,
    rejected: &mut Vec<String>,
    found: &mut usize,
) -> Result<Vec<(Source, Bundle)>, VerifyError> {
    let index_bytes = match client.fetch_referrers(digest)? {
        Some(b) => Some(b),
        None => client
            .fetch_manifest(&store::tag_for(digest, ""))?
            .map(|raw| raw.bytes),
    };
    let Some(index_bytes) = index_bytes else {
        return Ok(Vec::new());
    };
    let index = Index::parse("referrers", &index_bytes).map_err(other)?;
    let mut out = Vec::new();
    for desc in index.manifests.iter().take(MAX_REFERRERS) {
        let is_bundle = desc
            .artifact_type
            .as_deref()
            .is_none_or(|t| t.starts_with("application/vnd.dev.sigstore.bundle"));
        if !is_bundle {
            continue;
        }
        let Ok(mdigest) = desc.parsed_digest() else {
            continue;
        };
        let raw = match client.fetch_manifest(&mdigest.to_string())? {
            Some(r) => r,
            None => continue,
        };
        let Ok(m) = Manifest::parse("referrer", &raw.bytes) else {
            continue;
        };
        let Some(layer) = m.layers.iter().find(|l| {
            l.media_type
                .starts_with("application/vnd.dev.sigstore.bundle")
        }) else {
            continue;
        };
        *found += 1;
        let source = Source::Referrer {
            manifest_digest: mdigest.to_string(),
            bundle_digest: short(&layer.digest),
        };
        if m.subject.as_ref().map(|s| s.digest.as_str()) != Some(digest.to_string().as_str()) {
            rejected.push(format!("{source}: its subject is not {digest}"));
            continue;
        }
        let bytes = match layer
            .parsed_digest()
            .and_then(|d| Ok(client.fetch_blob(&d, bundle::MAX_BUNDLE)?))
        {
            Ok(b) => b,
            Err(e) => {
                rejected.push(format!("{source}: {e}"));
                continue;
            }
        };
        match Bundle::parse(&bytes) {
            Ok(b) => out.push((source, b)),
            Err(e) => rejected.push(format!("{source}: {e}")),
        }
    }
    Ok(out)
}

/// Verifies the attestations of `digest`: DSSE signature over the PAE,
/// statement subject == the image digest; only those of `predicate_type`
/// when given.
pub fn verify_attestation(
    image: &RegistryRef,
    digest: &Digest,
    registry: &RegistryOptions,
    options: &VerifyOptions,
    predicate_type: Option<&str>,
) -> Result<Vec<VerifiedAttestation>, VerifyError> {
    let client = crate::sign::connect(image, registry, false).map_err(other)?;
    verify_attestation_with(&client, digest, options, predicate_type)
}

/// [`verify_attestation`] on a connected client.
pub fn verify_attestation_with(
    client: &Client,
    digest: &Digest,
    options: &VerifyOptions,
    predicate_type: Option<&str>,
) -> Result<Vec<VerifiedAttestation>, VerifyError> {
    if options.keys.is_empty() {
        return Err(VerifyError::Other("no public key given".into()));
    }
    let subject = digest.to_string();
    let what = match predicate_type {
        Some(t) => format!("attestation of type {t}"),
        None => "attestations".to_string(),
    };
    let mut verified = Vec::new();
    let mut rejected = Vec::new();
    let mut found = 0;
    let mut other_types = Vec::new();
    let tag = store::tag_for(digest, "att");
    let mut envelopes: Vec<(Source, Result<Envelope, String>)> = Vec::new();
    if let Some(m) = store::read_tag(client, &tag).map_err(other)? {
        for (i, layer) in m.layers.iter().enumerate() {
            let source = Source::Tag {
                tag: tag.clone(),
                layer: i,
                layer_digest: short(&layer.digest),
            };
            let env = if layer.media_type != dsse::MEDIA_TYPE {
                Err(format!(
                    "unexpected layer media type {:?}",
                    short(&layer.media_type)
                ))
            } else {
                layer
                    .parsed_digest()
                    .and_then(|d| Ok(client.fetch_blob(&d, dsse::MAX_ENVELOPE)?))
                    .and_then(|b| Envelope::parse(&b))
                    .map_err(|e| e.to_string())
            };
            envelopes.push((source, env));
        }
    }
    let mut ignored = 0;
    for (source, bundle) in referrer_bundles(client, digest, &mut rejected, &mut ignored)? {
        match bundle.content() {
            Ok(Content::Dsse(e)) if bundle.is_keyless() => {
                let _ = e;
                envelopes.push((source, Err("the bundle needs keyless verification (Fulcio certificate, Rekor): out of scope for palisade, not verified".into())));
            }
            Ok(Content::Dsse(e)) => envelopes.push((source, Ok(e.clone()))),
            Ok(Content::Message { .. }) => {}
            Err(e) => envelopes.push((source, Err(e.to_string()))),
        }
    }
    for (source, env) in envelopes {
        let checked = env.and_then(|e| check_envelope(&e, digest, &options.keys));
        match checked {
            Ok((fp, statement)) => {
                if predicate_type.is_some_and(|t| t != statement.predicate_type) {
                    other_types.push(short(&statement.predicate_type));
                    continue;
                }
                found += 1;
                verified.push(VerifiedAttestation {
                    source,
                    key_fingerprint: fp,
                    predicate_type: statement.predicate_type,
                    predicate: statement.predicate,
                });
            }
            Err(why) => {
                found += 1;
                rejected.push(format!("{source}: {why}"));
            }
        }
    }
    if verified.is_empty() {
        if found == 0 && rejected.is_empty() {
            let mut looked = format!("tag {tag}, OCI referrers");
            if !other_types.is_empty() {
                looked.push_str(&format!("; found only {}", other_types.join(", ")));
            }
            return Err(VerifyError::NotSigned {
                subject,
                what,
                looked,
            });
        }
        return Err(VerifyError::Invalid {
            subject,
            what,
            reasons: rejected,
        });
    }
    Ok(verified)
}

/// A DSSE envelope: some signature verifies over the PAE with some key,
/// the statement parses and names the image digest as its subject.
fn check_envelope(
    env: &Envelope,
    digest: &Digest,
    keys: &[PublicKey],
) -> Result<(String, Statement), String> {
    if env.payload_type != dsse::IN_TOTO_PAYLOAD_TYPE {
        return Err(format!(
            "payloadType {:?} is not in-toto",
            short(&env.payload_type)
        ));
    }
    let body = env.payload_bytes().map_err(|e| e.to_string())?;
    let pae = dsse::pae(&env.payload_type, &body);
    let mut fingerprint = Err("no signature".to_string());
    for s in &env.signatures {
        let Ok(sig) = STANDARD.decode(s.sig.trim()) else {
            fingerprint = Err("a DSSE signature is not base64".into());
            continue;
        };
        fingerprint = verify_with_any(keys, &pae, &sig);
        if fingerprint.is_ok() {
            break;
        }
    }
    let fingerprint = fingerprint?;
    let statement = Statement::parse(&body).map_err(|e| e.to_string())?;
    if !statement.has_subject(digest.hex()) {
        let names: Vec<String> = statement
            .subject
            .iter()
            .filter_map(|s| {
                s.digest
                    .get("sha256")
                    .map(|d| format!("sha256:{}", short(d)))
            })
            .collect();
        return Err(format!(
            "the statement's subject is {}, not {digest} (attestation of another image?)",
            if names.is_empty() {
                "empty".to_string()
            } else {
                names.join(", ")
            }
        ));
    }
    Ok((fingerprint, statement))
}

fn other(e: Error) -> VerifyError {
    match e {
        Error::Registry(r) => VerifyError::Registry(r),
        e => VerifyError::Other(e.to_string()),
    }
}
