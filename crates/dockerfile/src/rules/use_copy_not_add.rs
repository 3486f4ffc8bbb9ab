//! PAL-DF-027: ADD used to copy local files.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-027",
    title: "ADD used to copy local files",
    severity: Severity::Low,
    rationale: r#"ADD also extracts archives and downloads URLs; for plain files that magic is a surprise waiting to happen. COPY does only what it says."#,
    fix: r#"Use COPY for files and directories; keep ADD for local archives you want extracted."#,
    bad: r#"FROM alpine:3.20
ADD app.conf /etc/app.conf
"#,
    good: r#"FROM alpine:3.20
COPY app.conf /etc/app.conf
"#,
    peer_ids: &["DL3020", "AVD-DS-0005", "CIS 4.9"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        const ARCHIVES: &[&str] = &[
            ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst",
            ".gz", ".bz2", ".xz", ".zst",
        ];
        for (i, ins) in cx.instructions() {
            if !ins.is("add") || !ins.heredocs.is_empty() {
                continue;
            }
            let words = ins.words();
            if words.len() < 2 {
                continue;
            }
            let plain = words[..words.len() - 1].iter().any(|s| {
                !s.contains("://")
                    && !s.starts_with("git@")
                    && !s.contains('$')
                    && !ARCHIVES.iter().any(|e| s.ends_with(e))
            });
            if plain {
                out.push(cx.at(&DOC, i, "use COPY instead of ADD for files and directories"));
            }
        }
    }
}
