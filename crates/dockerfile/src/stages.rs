//! Build stages and BuildKit's variable scoping: ARGs declared before the
//! first FROM are global and usable only in FROM lines, unless a stage
//! declares them again (`ARG NAME` without a value takes the global default).

use std::ops::Range;

use crate::ast::{Args, Dockerfile};
use crate::expand::expand_word;

/// One `FROM` and the instructions up to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Index of the FROM instruction.
    pub from: usize,
    /// Indexes of the stage's instructions, FROM included.
    pub instructions: Range<usize>,
    /// `AS name`, lower-cased as BuildKit compares stage names.
    pub name: Option<String>,
    /// The image as written.
    pub image_raw: String,
    /// The image after global-ARG expansion (empty when it expands to nothing).
    pub image: String,
    /// Whether every variable in the image reference had a value.
    pub image_resolved: bool,
    /// `--platform`, as written.
    pub platform: Option<String>,
    /// The earlier stage this one builds on, when the image names one.
    pub base_stage: Option<usize>,
}

/// Variables in scope at some point of a stage.
pub type Vars = Vec<(String, String)>;

/// Global ARGs (name, default) in declaration order; `None` = no default.
pub fn global_args(df: &Dockerfile) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for ins in &df.instructions {
        if ins.is("from") {
            break;
        }
        if ins.is("arg") {
            for w in ins.words() {
                let known: Vars = out
                    .iter()
                    .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
                    .collect();
                let (k, v) = match w.split_once('=') {
                    Some((k, v)) => (
                        k.to_string(),
                        Some(expand_word(v, &known, df.escape).unwrap_or_else(|_| v.to_string())),
                    ),
                    None => (w.clone(), None),
                };
                out.push((k, v));
            }
        }
    }
    out
}

/// The stages of a Dockerfile, in order.
pub fn stages(df: &Dockerfile) -> Vec<Stage> {
    let globals: Vars = global_args(df)
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let mut out: Vec<Stage> = Vec::new();
    // Stage name -> first stage with that name (linear, not a scan per FROM).
    let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, ins) in df.instructions.iter().enumerate() {
        if !ins.is("from") {
            if let Some(last) = out.last_mut() {
                last.instructions.end = i + 1;
            }
            continue;
        }
        let words = ins.words();
        let image_raw = words.first().cloned().unwrap_or_default();
        let (image, image_resolved) = match expand_word(&image_raw, &globals, df.escape) {
            Ok(v) => {
                let resolved = !image_raw.contains('$') || all_vars_known(&image_raw, &globals);
                (v, resolved)
            }
            Err(_) => (image_raw.clone(), false),
        };
        let name = match words {
            [_, kw, name, ..] if kw.eq_ignore_ascii_case("as") => Some(name.to_lowercase()),
            _ => None,
        };
        let lower = image.to_lowercase();
        let base_stage = names.get(lower.as_str()).copied();
        if let Some(n) = &name {
            names.entry(n.clone()).or_insert(out.len());
        }
        out.push(Stage {
            from: i,
            instructions: i..i + 1,
            name,
            image_raw,
            image,
            image_resolved,
            platform: ins.flag("platform").and_then(|f| f.value.clone()),
            base_stage,
        });
    }
    out
}

/// True when every `$NAME` / `${NAME…}` in `word` names a variable in `vars`.
fn all_vars_known(word: &str, vars: &Vars) -> bool {
    let b = word.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = if b.get(i + 1) == Some(&b'{') {
                i + 2
            } else {
                i + 1
            };
            let end = b[start..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .map_or(b.len(), |p| start + p);
            let name = &word[start..end];
            if !name.is_empty() && !vars.iter().any(|(k, _)| k == name) {
                return false;
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    true
}

/// The variables (ARG and ENV) in scope just before instruction `at` of
/// `stage`, with BuildKit's scoping of global ARGs.
pub fn vars_before(df: &Dockerfile, stage: &Stage, at: usize) -> Vars {
    let globals = global_args(df);
    let mut vars: Vars = Vec::new();
    let end = at
        .min(stage.instructions.end)
        .max(stage.instructions.start + 1);
    for ins in &df.instructions[stage.instructions.start + 1..end] {
        apply_scope(df, &globals, ins, &mut vars);
    }
    vars
}

/// Adds what one ARG or ENV instruction of a stage puts in scope to `vars`
/// (other instructions change nothing); `globals` from [`global_args`].
pub fn apply_scope(
    df: &Dockerfile,
    globals: &[(String, Option<String>)],
    ins: &crate::ast::Instruction,
    vars: &mut Vars,
) {
    if ins.is("arg") {
        for w in ins.words() {
            match w.split_once('=') {
                Some((k, v)) => {
                    let v = expand_word(v, vars, df.escape).unwrap_or_else(|_| v.to_string());
                    vars.push((k.to_string(), v));
                }
                None => {
                    if let Some((_, Some(v))) = globals.iter().find(|(k, _)| k == w) {
                        vars.push((w.clone(), v.clone()));
                    }
                }
            }
        }
    } else if ins.is("env")
        && let Args::Pairs(pairs) = &ins.args
    {
        for kv in pairs {
            let v = expand_word(&kv.value, vars, df.escape).unwrap_or_else(|_| kv.value.clone());
            vars.push((kv.key.clone(), v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    #[test]
    fn global_args_only_in_from_unless_redeclared() {
        let df = parse(
            "ARG BASE=debian\nARG TAG=12\nFROM ${BASE}:${TAG} AS build\nARG TAG\nENV X=$BASE-$TAG\nRUN true\nFROM build\n",
        )
        .unwrap();
        let st = stages(&df);
        assert_eq!(st.len(), 2);
        assert_eq!(st[0].image, "debian:12");
        assert!(st[0].image_resolved);
        assert_eq!(st[0].name.as_deref(), Some("build"));
        assert_eq!(st[1].base_stage, Some(0));
        let vars = vars_before(&df, &st[0], 5);
        // BASE is not redeclared in the stage: empty there; TAG is.
        assert!(vars.contains(&("X".to_string(), "-12".to_string())));
    }

    #[test]
    fn unresolved_image() {
        let df = parse("FROM $UNKNOWN\n").unwrap();
        let st = stages(&df);
        assert!(!st[0].image_resolved);
        assert_eq!(st[0].image, "");
    }
}
