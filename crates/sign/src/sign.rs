//! Signing and attesting an image in a registry.

use crate::dsse::{self, Envelope};
use crate::error::Error;
use crate::keys::SigningKey;
use crate::manifest::Descriptor;
use crate::payload::{self, SimpleSigning};
use crate::statement::Statement;
use crate::store::{self, Appended};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use palisade_image::source::registry::client::Client;
use palisade_image::{Digest, RegistryOptions, RegistryRef};
use std::collections::BTreeMap;

pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";

/// `registry/repository`: the name payloads and statements carry.
pub fn repository_name(image: &RegistryRef) -> String {
    format!("{}/{}", image.registry, image.repository)
}

/// Connects for pull (and push when `push`) on the image's repository.
pub fn connect(
    image: &RegistryRef,
    registry: &RegistryOptions,
    push: bool,
) -> Result<Client, Error> {
    let input = format!("docker://{}", repository_name(image));
    let scope = format!(
        "repository:{}:{}",
        image.repository,
        if push { "pull,push" } else { "pull" }
    );
    Ok(Client::connect_with_scopes(
        &input,
        image,
        registry,
        vec![scope],
    )?)
}

/// The digest of what the reference names: the manifest, or the index for
/// a multi-platform image (as cosign signs it).
pub fn resolve(client: &Client, image: &RegistryRef) -> Result<Digest, Error> {
    let reference = image.manifest_reference();
    let raw = client.fetch_manifest(&reference)?.ok_or_else(|| {
        Error::Other(format!(
            "{}: manifest {reference} not found (404)",
            repository_name(image)
        ))
    })?;
    Ok(raw.digest)
}

/// A stored signature or attestation.
#[derive(Debug, Clone)]
pub struct Signed {
    pub image_digest: Digest,
    /// The layer (payload or envelope blob) added.
    pub layer_digest: Digest,
    pub stored: Appended,
}

/// Signs `digest` of `image` with `key`: the simple-signing payload as a
/// layer of `sha256-<hex>.sig`, the signature in its annotation.
pub fn sign_digest(
    client: &Client,
    image: &RegistryRef,
    digest: &Digest,
    key: &SigningKey,
    annotations: &BTreeMap<String, String>,
) -> Result<Signed, Error> {
    let body =
        SimpleSigning::new(&repository_name(image), &digest.to_string(), annotations).to_bytes();
    let signature = key.sign(&body);
    let mut layer = Descriptor::new(payload::MEDIA_TYPE, &body);
    layer.annotations.insert(
        SIGNATURE_ANNOTATION.to_string(),
        STANDARD.encode(&signature),
    );
    let layer_digest = layer.parsed_digest()?;
    let stored = store::append_layer(client, &store::tag_for(digest, "sig"), layer, &body)?;
    Ok(Signed {
        image_digest: digest.clone(),
        layer_digest,
        stored,
    })
}

/// Attests `digest` of `image`: an in-toto statement with `predicate`,
/// in a DSSE envelope, as a layer of `sha256-<hex>.att`.
pub fn attest_digest(
    client: &Client,
    image: &RegistryRef,
    digest: &Digest,
    key: &SigningKey,
    predicate_type: &str,
    predicate: serde_json::Value,
) -> Result<Signed, Error> {
    let statement = Statement::new(
        &repository_name(image),
        digest.hex(),
        predicate_type,
        predicate,
    );
    let envelope = Envelope::sign(dsse::IN_TOTO_PAYLOAD_TYPE, &statement.to_bytes(), key);
    let body = envelope.to_bytes();
    let mut layer = Descriptor::new(dsse::MEDIA_TYPE, &body);
    layer
        .annotations
        .insert("predicateType".to_string(), predicate_type.to_string());
    let layer_digest = layer.parsed_digest()?;
    let stored = store::append_layer(client, &store::tag_for(digest, "att"), layer, &body)?;
    Ok(Signed {
        image_digest: digest.clone(),
        layer_digest,
        stored,
    })
}
