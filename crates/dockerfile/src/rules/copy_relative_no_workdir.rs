//! PAL-DF-059: COPY to a relative destination without WORKDIR.

use palisade_model::Severity;

use super::{Context, Hit, RuleDoc};

pub struct Rule;

static DOC: RuleDoc = RuleDoc {
    id: "PAL-DF-059",
    title: "COPY to a relative destination without WORKDIR",
    severity: Severity::Low,
    rationale: r#"A relative COPY destination is resolved against the working directory, which is whatever the base image set when the stage never sets WORKDIR: the files land somewhere that changes with the base image."#,
    fix: r#"Set `WORKDIR /app` first, or give an absolute destination."#,
    bad: r#"FROM node:22
COPY package.json app/
"#,
    good: r#"FROM node:22
WORKDIR /srv
COPY package.json app/
"#,
    peer_ids: &["DL3045"],
};

impl super::Rule for Rule {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for st in &cx.stages {
            let chain = super::chain(cx, st);
            let inherited = chain
                .iter()
                .skip(1)
                .any(|s| has_workdir(cx, s.instructions.clone()));
            for i in st.instructions.clone() {
                let ins = &cx.df.instructions[i];
                if !ins.is("copy") || inherited || has_workdir(cx, st.from..i) {
                    continue;
                }
                let Some(dest) = super::copy_dest(ins) else {
                    continue;
                };
                let windows = dest.get(1..3).is_some_and(|d| d == ":/" || d == ":\\");
                if !(dest.starts_with(['/', '$']) || windows) {
                    out.push(cx.at(&DOC, i, format!("COPY to {dest} with no WORKDIR set")));
                }
            }
        }
    }
}
fn has_workdir(cx: &Context<'_>, range: std::ops::Range<usize>) -> bool {
    range
        .into_iter()
        .any(|i| cx.df.instructions[i].is("workdir"))
}
