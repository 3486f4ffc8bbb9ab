//! PAL-DF-009: ADD downloads a remote URL.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-009",
    title: "ADD downloads a remote URL",
    severity: Severity::Medium,
    rationale: r#"ADD with a URL downloads at build time without any integrity check (unless --checksum is given), and the download cannot be cleaned up in the same layer. A compromised or changed server changes your image."#,
    fix: r#"Download with curl/wget in a RUN and verify a checksum, or use `ADD --checksum=sha256:…`."#,
    bad: r#"FROM alpine:3.20
ADD https://example.com/app.tar.gz /opt/
"#,
    good: r#"FROM alpine:3.20
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/app.tar.gz /opt/
"#,
    peer_ids: &["AVD-DS-0005", "CIS 4.9"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !ins.is("add") || ins.flag("checksum").is_some() {
                continue;
            }
            let words = ins.words();
            if words.len() < 2 {
                continue;
            }
            for src in &words[..words.len() - 1] {
                if src.starts_with("http://")
                    || src.starts_with("https://")
                    || src.starts_with("git@")
                {
                    out.push(cx.at(&DOC, i, format!("ADD downloads {src} without a checksum")));
                }
            }
        }
    }
}
