//! PAL-IMG-016: secrets in files of the final filesystem.

use crate::analyzers::FileSecrets;
use crate::{Check, Context, Scanner};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct SecretInFile;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-016",
    title: "secret in a file",
    severity: Severity::High,
    rationale: "Anyone who can pull the image can read every file in it: private keys, cloud credentials \
        and tokens baked into an image are leaked to every registry, cache and node it reaches.",
    fix: "Remove the file and rotate the secret. Pass secrets at run time (Kubernetes Secrets, a secrets \
        manager) or at build time with RUN --mount=type=secret, never COPY them.",
    peer_ids: &["CIS-DI-0010", "CIS 4.10", "AVD-DS-0031"],
    references: &["https://docs.docker.com/build/building/secrets/"],
};

impl Check for SecretInFile {
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
        let mut out = Vec::new();
        for (path, node) in ctx.scan.fs.iter() {
            if ctx.secret_file_accepted(path) {
                continue;
            }
            let Some(found) = ctx
                .scan
                .analysis(path, analyzer)
                .and_then(|a| a.downcast_ref::<FileSecrets>())
            else {
                continue;
            };
            for m in &found.0 {
                let mut f = ctx.file_finding(
                    &DOC,
                    path,
                    node.layer,
                    format!(
                        "{} in /{path}:{} ({}), layer {}",
                        m.title,
                        m.line,
                        m.redacted,
                        node.layer + 1
                    ),
                );
                f.severity = m.severity;
                f.title = format!("secret in a file: {}", m.title);
                f.location.line = Some(m.line);
                out.push(f);
            }
        }
        out
    }
}
