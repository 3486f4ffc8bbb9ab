//! PAL-IMG-017: secrets in file versions that a later layer deleted or
//! overwrote — invisible in the container, still in the image.

use crate::analyzers::FileSecrets;
use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct SecretInLowerLayer;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-017",
    title: "secret hidden by a later layer",
    severity: Severity::High,
    rationale: "Deleting a secret in a later layer does not remove it: the lower layer's blob still holds \
        the file and anyone who pulls the image can extract it.",
    fix: "Rotate the secret; rebuild so that it never enters a layer (RUN --mount=type=secret, multi-stage \
        builds), or squash the image.",
    peer_ids: &["CIS 4.10"],
    references: &[],
};

impl Check for SecretInLowerLayer {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Secret
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let Some(analyzer) = ctx.secret_analyzer else {
            return Vec::new();
        };
        let fs = &ctx.scan.fs;
        let mut out = Vec::new();
        for layer in &ctx.scan.layers {
            let mut paths: Vec<&String> = layer.analyses.keys().collect();
            paths.sort();
            for path in paths {
                // The visible version is reported by PAL-IMG-016.
                if fs.get(path).is_some_and(|n| n.layer == layer.index)
                    || ctx.secret_file_accepted(path)
                {
                    continue;
                }
                let Some(found) = layer.analyses[path]
                    .iter()
                    .find(|(a, _)| *a == analyzer)
                    .and_then(|(_, out)| out.downcast_ref::<FileSecrets>())
                else {
                    continue;
                };
                let fate = match fs
                    .removed()
                    .iter()
                    .find(|r| &r.path == path && r.node.layer == layer.index)
                {
                    Some(r) => format!("deleted in layer {}", r.removed_in + 1),
                    None => "overwritten by a later layer".to_string(),
                };
                for m in &found.0 {
                    let mut f = ctx.file_finding(
                        &DOC,
                        path,
                        layer.index,
                        format!(
                            "{} in /{path}:{} ({}) in layer {}, {fate}, still extractable",
                            m.title,
                            m.line,
                            m.redacted,
                            layer.index + 1
                        ),
                    );
                    f.severity = m.severity;
                    f.location.line = Some(m.line);
                    out.push(f);
                }
            }
        }
        out
    }
}
