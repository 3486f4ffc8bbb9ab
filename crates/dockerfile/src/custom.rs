//! User-defined declarative rules (the `rules:` list of `.palisade.yaml`,
//! see docs/dockerfile.md): each rule is a set of conditions over the
//! parsed Dockerfile and the shell analysis of its RUNs, all of which must
//! hold for the rule to fire, with the rule's own id, severity and message.
//!
//! Rules are loaded once per process from the configuration, so their
//! documents are leaked to get the `'static` lifetime the built-in rules
//! have; everything downstream (pragmas, ignores, severity overrides, SARIF
//! rule metadata) then treats them like built-in rules.

use glob::Pattern;
use palisade_model::Severity;

use crate::rules::{self, Context, Hit, RuleDoc};

/// What a user rule looks for. Empty fields are not conditions.
#[derive(Debug, Clone, Default)]
pub struct Match {
    /// The instruction keyword (`RUN`, `COPY`, …), any case.
    pub instruction: Option<String>,
    /// A flag the instruction has: `network` or `network=host`.
    pub flag: Option<String>,
    /// Shell commands of a RUN by name (`pip`, `pip3`): the rule looks at
    /// those commands and their arguments instead of the instruction text.
    pub command: Vec<String>,
    /// Fires only if an argument (of the command, or of the instruction
    /// when no command is given) contains this text.
    pub args_contain: Option<String>,
    /// Fires only if no argument contains this text.
    pub args_missing: Option<String>,
    /// A package installed by an OS package manager (glob on its name).
    pub package: Option<Pattern>,
    /// FROM images (after ARG expansion) that match none of these globs.
    pub image_not_matching: Vec<Pattern>,
    /// FROM images that match one of these globs.
    pub image_matching: Vec<Pattern>,
    /// A label the final image must have.
    pub label_required: Option<String>,
    /// Only the final stage (and the stages it builds on).
    pub final_stage: bool,
}

/// One user rule.
#[derive(Debug, Clone)]
pub struct CustomRule {
    pub doc: &'static RuleDoc,
    pub matcher: Match,
}

/// The built-in prefix user rules may not use.
const RESERVED: &str = "PAL-";

impl CustomRule {
    /// Checks the rule and leaks its document (see the module comment).
    pub fn new(
        id: &str,
        severity: Severity,
        message: &str,
        reference: Option<&str>,
        matcher: Match,
    ) -> Result<CustomRule, String> {
        if id.is_empty()
            || id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(format!(
                "id {id:?}: use 1 to 64 letters, digits, '-', '_' or '.'"
            ));
        }
        if id.to_ascii_uppercase().starts_with(RESERVED)
            || id.to_ascii_uppercase().starts_with("DL")
        {
            return Err(format!(
                "id {id:?}: PAL-… and DL… ids belong to the built-in rules"
            ));
        }
        if message.trim().is_empty() {
            return Err(format!("rule {id}: message is empty"));
        }
        let m = &matcher;
        let scoped = m.instruction.is_some()
            || m.flag.is_some()
            || !m.command.is_empty()
            || m.package.is_some()
            || !m.image_not_matching.is_empty()
            || !m.image_matching.is_empty()
            || m.label_required.is_some();
        if !scoped {
            return Err(format!(
                "rule {id}: match needs one of instruction, command, flag, package, image_matching, image_not_matching, label_required"
            ));
        }
        if let Some(i) = &m.instruction
            && !m.command.is_empty()
            && !i.eq_ignore_ascii_case("run")
        {
            return Err(format!("rule {id}: command only applies to RUN, not {i}"));
        }
        let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
        let peer_ids: &'static [&'static str] = match reference {
            Some(r) => Box::leak(vec![leak(r)].into_boxed_slice()),
            None => &[],
        };
        let doc = Box::leak(Box::new(RuleDoc {
            id: leak(id),
            title: leak(message),
            severity,
            rationale: leak(message),
            fix: leak(reference.unwrap_or("See the rule's description in .palisade.yaml.")),
            bad: "",
            good: "",
            peer_ids,
        }));
        Ok(CustomRule { doc, matcher })
    }

    /// The rule's hits on one file.
    pub fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let m = &self.matcher;
        let doc = self.doc;
        // Which instructions the rule looks at (one flag per instruction).
        let mut scope = vec![!m.final_stage; cx.df.instructions.len()];
        if m.final_stage
            && let Some(last) = cx.final_stage()
        {
            for s in rules::chain(cx, last) {
                scope[s.instructions.clone()].fill(true);
            }
        }
        let in_scope = |i: usize| scope.get(i).copied().unwrap_or(false);
        if let Some(label) = &m.label_required {
            if let Some(last) = cx.final_stage()
                && !rules::labels::stage_keys(cx, last).contains(&label.as_str())
            {
                out.push(cx.at(
                    doc,
                    last.from,
                    format!("{}: label {label} is missing", doc.title),
                ));
            }
            return;
        }
        if !m.image_not_matching.is_empty() || !m.image_matching.is_empty() {
            for st in &cx.stages {
                if !in_scope(st.from) || st.base_stage.is_some() || st.image == "scratch" {
                    continue;
                }
                let image = st.image.as_str();
                let unlisted = !m.image_not_matching.is_empty()
                    && !m.image_not_matching.iter().any(|p| p.matches(image));
                let listed = m.image_matching.iter().any(|p| p.matches(image));
                if unlisted || listed {
                    out.push(cx.at(doc, st.from, format!("{}: FROM {image}", doc.title)));
                }
            }
            return;
        }
        for (i, ins) in cx.instructions() {
            if !in_scope(i) {
                continue;
            }
            if let Some(want) = &m.instruction
                && !ins.is(want)
            {
                continue;
            }
            if let Some(flag) = &m.flag {
                let (name, value) = match flag.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (flag.as_str(), None),
                };
                let name = name.trim_start_matches('-');
                if !ins
                    .flags
                    .iter()
                    .any(|f| f.name == name && (value.is_none() || f.value.as_deref() == value))
                {
                    continue;
                }
            }
            if !m.command.is_empty() || m.package.is_some() {
                let Some(run) = cx.run_at(i) else {
                    continue;
                };
                self.check_run(cx, run, out);
                continue;
            }
            let text = instruction_text(ins);
            if args_ok(m, std::iter::once(text.as_str())) {
                out.push(cx.at(doc, i, doc.title));
            }
        }
    }

    fn check_run(&self, cx: &Context<'_>, run: &rules::Run<'_>, out: &mut Vec<Hit>) {
        let m = &self.matcher;
        if let Some(pat) = &m.package {
            for inst in rules::package_installs(run) {
                for p in &inst.packages {
                    let name = p.split(['=', '<', '>', '~']).next().unwrap_or(p);
                    let wanted =
                        m.command.is_empty() || m.command.iter().any(|c| c == inst.cmd.name());
                    if wanted
                        && pat.matches(name)
                        && args_ok(m, inst.cmd.args.iter().map(String::as_str))
                    {
                        out.push(cx.at_command(
                            self.doc,
                            run,
                            inst.cmd,
                            format!("{}: {name}", self.doc.title),
                        ));
                    }
                }
            }
            return;
        }
        for c in &run.script.commands {
            if m.command.iter().any(|n| n == c.name())
                && args_ok(m, c.args.iter().skip(1).map(String::as_str))
            {
                out.push(cx.at_command(self.doc, run, c, self.doc.title));
            }
        }
    }
}

/// `args_contain` / `args_missing` over some arguments.
fn args_ok<'a>(m: &Match, args: impl Iterator<Item = &'a str> + Clone) -> bool {
    let has = |needle: &str| args.clone().any(|a| a.contains(needle));
    m.args_contain.as_deref().is_none_or(has) && !m.args_missing.as_deref().is_some_and(has)
}

/// An instruction's arguments as one text: the shell form, or the words,
/// or `key=value` pairs.
fn instruction_text(ins: &crate::ast::Instruction) -> String {
    use crate::ast::Args;
    match &ins.args {
        Args::Text(t) => t.clone(),
        Args::Words(w) | Args::Json(w) => w.join(" "),
        Args::Pairs(p) => p
            .iter()
            .map(|kv| format!("{}={}", kv.key, kv.value))
            .collect::<Vec<_>>()
            .join(" "),
        _ => ins.line[ins.args_offset.min(ins.line.len())..].to_string(),
    }
}
