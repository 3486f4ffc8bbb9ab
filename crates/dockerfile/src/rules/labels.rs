//! Shared body of the label-schema rules (PAL-DF-062 … PAL-DF-070): the
//! labels a stage ends up with, and checks of their values against the
//! format the configuration's `label_schema` gives them.

use super::{Context, Hit, RuleDoc};
use crate::ast::Args;
use crate::stages::Stage;

/// The value format a `label_schema` entry asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelFormat {
    /// Any non-empty text.
    Text,
    Url,
    Semver,
    /// A git commit hash (7 to 40 hex digits).
    Hash,
    Rfc3339,
    /// An SPDX license expression (`MIT`, `MIT OR Apache-2.0`).
    Spdx,
    Email,
}

impl LabelFormat {
    /// The names used in configuration files (hadolint's, too).
    pub fn parse(name: &str) -> Option<LabelFormat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "text" => LabelFormat::Text,
            "url" => LabelFormat::Url,
            "semver" => LabelFormat::Semver,
            "hash" => LabelFormat::Hash,
            "rfc3339" => LabelFormat::Rfc3339,
            "spdx" => LabelFormat::Spdx,
            "email" => LabelFormat::Email,
            _ => return None,
        })
    }
}

/// One `LABEL key=value` pair: (instruction index, key, value), quotes removed.
pub(crate) struct Label<'a> {
    pub instruction: usize,
    pub key: &'a str,
    pub value: &'a str,
}

/// Every label of the file.
pub(crate) fn all<'a>(cx: &Context<'a>) -> Vec<Label<'a>> {
    cx.instructions()
        .filter(|(_, ins)| ins.is("label"))
        .flat_map(|(i, ins)| match &ins.args {
            Args::Pairs(p) => p
                .iter()
                .map(|kv| Label {
                    instruction: i,
                    key: super::unquote(&kv.key),
                    value: super::unquote(&kv.value),
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Keys a stage has, its base stages' labels included.
pub(crate) fn stage_keys<'a>(cx: &'a Context<'_>, stage: &Stage) -> Vec<&'a str> {
    keys_by_stage(cx, &all(cx), stage)
}

/// [`stage_keys`] over labels already collected (for callers that look at
/// every stage: collecting once keeps them linear in the file size).
pub(crate) fn keys_by_stage<'a>(
    cx: &Context<'_>,
    labels: &[Label<'a>],
    stage: &Stage,
) -> Vec<&'a str> {
    let chain = super::chain(cx, stage);
    let mut out = Vec::new();
    for s in chain {
        // Labels are in file order: binary-search the stage's range.
        let lo = labels.partition_point(|l| l.instruction < s.instructions.start);
        let hi = labels.partition_point(|l| l.instruction < s.instructions.end);
        out.extend(labels[lo..hi].iter().map(|l| l.key));
    }
    out
}

/// Reports labels the schema gives `format` whose value `valid` rejects.
/// Values with a variable are not known at lint time and are skipped.
pub(crate) fn report_format(
    cx: &Context<'_>,
    out: &mut Vec<Hit>,
    doc: &'static RuleDoc,
    format: LabelFormat,
    valid: fn(&str) -> bool,
    what: &str,
) {
    for l in all(cx) {
        let wanted = cx
            .settings
            .label_schema
            .iter()
            .any(|(k, f)| *f == format && k == l.key);
        if wanted && !l.value.is_empty() && !l.value.contains('$') && !valid(l.value) {
            out.push(cx.at(doc, l.instruction, format!("label {} is not {what}", l.key)));
        }
    }
}
