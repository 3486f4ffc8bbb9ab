//! PAL-IMG-013: the image is referenced by a mutable tag.

use crate::{Check, Context, Scanner};
use palisade_image::ImageRef;
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct MutableTag;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-013",
    title: "mutable image reference",
    severity: Severity::Low,
    rationale: "`latest` (or no tag) points at whatever was pushed last: what was scanned is not what runs \
        tomorrow. Deploy by digest, and make tags immutable in the registry.",
    fix: "Reference the image by digest (REPO@sha256:…) or a unique version tag, and turn on tag immutability (ECR: imageTagMutability=IMMUTABLE).",
    peer_ids: &["DKL-DI-0006", "DL3007"],
    references: &[],
};

impl Check for MutableTag {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        // Only a registry reference is resolved again at deploy time; local files are what they are.
        let ImageRef::Registry(r) = ctx.reference else {
            return Vec::new();
        };
        if r.digest.is_some() {
            return Vec::new();
        }
        let message = match r.tag.as_deref() {
            None => format!("{r} has no tag: it means :latest"),
            Some("latest") => format!("{r} uses the :latest tag"),
            Some(_) => return Vec::new(),
        };
        vec![ctx.finding(&DOC, message)]
    }
}
