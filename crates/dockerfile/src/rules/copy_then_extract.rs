//! PAL-DF-051: Archive copied then extracted in a RUN.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-051",
    title: "Archive copied then extracted in a RUN",
    severity: Severity::Info,
    rationale: r#"COPY of a local tar archive followed by `tar -x` in a RUN keeps the archive in one layer and its contents in another: the image carries the data twice. ADD extracts local tar archives in one step."#,
    fix: r#"Use `ADD app.tar.gz /opt/` for a local tar archive (not for URLs), or extract in a build stage."#,
    bad: r#"FROM debian:12
COPY app.tar.gz /tmp/
RUN tar -xzf /tmp/app.tar.gz -C /opt
"#,
    good: r#"FROM debian:12
ADD app.tar.gz /opt/
"#,
    peer_ids: &["DL3010"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            // (instruction, archive base name) of the COPYs seen so far.
            let mut copied: Vec<(usize, String)> = Vec::new();
            let mut reported: Vec<usize> = Vec::new();
            for i in st.instructions.clone() {
                let ins = &cx.df.instructions[i];
                if ins.is("copy") && ins.flag("from").is_none() {
                    let words = ins.words();
                    let Some((dest, srcs)) = words.split_last() else {
                        continue;
                    };
                    if is_archive(dest) {
                        copied.push((i, base_name(dest).to_string()));
                    } else {
                        copied.extend(
                            srcs.iter()
                                .filter(|s| is_archive(s))
                                .map(|s| (i, base_name(s).to_string())),
                        );
                    }
                    continue;
                }
                let Some(run) = cx.run_at(i) else {
                    continue;
                };
                for c in run.script.commands.iter().filter(|c| extracts(c)) {
                    for (at, name) in &copied {
                        if !reported.contains(at) && c.operands().any(|a| base_name(a) == name) {
                            reported.push(*at);
                            out.push(cx.at(
                                &DOC,
                                *at,
                                format!("{name} is copied, then extracted by a RUN"),
                            ));
                        }
                    }
                }
            }
        }
    }
}
/// Archives ADD extracts (tar, optionally compressed; not zip).
fn is_archive(path: &str) -> bool {
    const EXT: [&str; 13] = [
        ".tar",
        ".tar.gz",
        ".tgz",
        ".tar.bz2",
        ".tbz2",
        ".tbz",
        ".tar.xz",
        ".txz",
        ".tar.zst",
        ".tar.lz",
        ".tar.lzma",
        ".tlz",
        ".tar.Z",
    ];
    let p = super::unquote(path);
    EXT.iter().any(|e| p.ends_with(e))
}

fn base_name(path: &str) -> &str {
    let p = super::unquote(path);
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

/// `tar -x…` / `tar --extract` / `tar xzf`, or a decompressor.
fn extracts(c: &crate::shell::Command) -> bool {
    match c.name() {
        "tar" => {
            c.has_any(&["--extract", "--get"])
                || c.args
                    .get(1)
                    .is_some_and(|a| !a.starts_with('-') && a.contains('x'))
                || c.has_option('x', &[])
        }
        name => matches!(
            name,
            "gunzip" | "bunzip2" | "unxz" | "unlzma" | "zcat" | "unzstd" | "uncompress"
        ),
    }
}
