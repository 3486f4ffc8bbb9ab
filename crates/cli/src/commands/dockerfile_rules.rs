//! `dockerfile.rules` of `.palisade.yaml`: user-defined rules
//! (docs/dockerfile.md, "Rules of your own"). The YAML is read again with
//! positions so every error names the line of the offending entry.

use anyhow::{Result, anyhow, bail};
use glob::Pattern;
use palisade_dockerfile::custom::{CustomRule, Match};
use palisade_model::Severity;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A YAML node with the line it starts on.
#[derive(Debug, Clone)]
struct Node {
    line: usize,
    value: Value,
}

#[derive(Debug, Clone)]
enum Value {
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Alias,
}

/// Builds [`Node`]s from parser events (yaml-rust2's own loader drops positions).
#[derive(Default)]
struct Builder {
    stack: Vec<(Node, Option<Node>)>,
    docs: Vec<Node>,
}

impl Builder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some((parent, pending_key)) => match &mut parent.value {
                Value::Seq(items) => items.push(node),
                Value::Map(pairs) => match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(k) => pairs.push((k, node)),
                },
                _ => {}
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::Scalar(s, ..) => self.push(Node {
                line,
                value: Value::Scalar(s),
            }),
            Event::Alias(_) => self.push(Node {
                line,
                value: Value::Alias,
            }),
            Event::SequenceStart(..) => self.stack.push((
                Node {
                    line,
                    value: Value::Seq(Vec::new()),
                },
                None,
            )),
            Event::MappingStart(..) => self.stack.push((
                Node {
                    line,
                    value: Value::Map(Vec::new()),
                },
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, _)) = self.stack.pop() {
                    self.push(node);
                }
            }
            _ => {}
        }
    }
}

fn get<'a>(map: &'a Node, key: &str) -> Option<&'a Node> {
    match &map.value {
        Value::Map(pairs) => pairs
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Scalar(s) if s == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

fn scalar<'a>(n: &'a Node, what: &str) -> Result<&'a str> {
    match &n.value {
        Value::Scalar(s) => Ok(s),
        _ => bail!("line {}: {what}: expected a string", n.line),
    }
}

/// One string or a list of strings.
fn list(n: &Node, what: &str) -> Result<Vec<String>> {
    match &n.value {
        Value::Scalar(s) => Ok(vec![s.clone()]),
        Value::Seq(items) => items
            .iter()
            .map(|i| scalar(i, what).map(str::to_string))
            .collect(),
        _ => bail!(
            "line {}: {what}: expected a string or a list of strings",
            n.line
        ),
    }
}

fn pattern(s: &str, line: usize, what: &str) -> Result<Pattern> {
    Pattern::new(s).map_err(|e| anyhow!("line {line}: {what}: bad pattern {s:?}: {e}"))
}

/// The most rules a configuration may define (each is checked on every file).
const MAX_RULES: usize = 1000;

/// Reads `dockerfile.rules` from the configuration text (none when absent).
pub fn load(text: &str) -> Result<Vec<CustomRule>> {
    let mut b = Builder::default();
    Parser::new_from_str(text)
        .load(&mut b, false)
        .map_err(|e| anyhow!("{e}"))?;
    let Some(rules) = b
        .docs
        .first()
        .and_then(|d| get(d, "dockerfile"))
        .and_then(|d| get(d, "rules"))
    else {
        return Ok(Vec::new());
    };
    let Value::Seq(items) = &rules.value else {
        bail!(
            "line {}: dockerfile.rules: expected a list of rules",
            rules.line
        );
    };
    if items.len() > MAX_RULES {
        bail!(
            "line {}: dockerfile.rules: more than {MAX_RULES} rules",
            rules.line
        );
    }
    let mut out: Vec<CustomRule> = Vec::new();
    for item in items {
        let rule = rule(item)?;
        if out.iter().any(|r| r.doc.id == rule.doc.id) {
            bail!(
                "line {}: rule id {} is defined twice",
                item.line,
                rule.doc.id
            );
        }
        out.push(rule);
    }
    Ok(out)
}

fn rule(n: &Node) -> Result<CustomRule> {
    let Value::Map(pairs) = &n.value else {
        bail!(
            "line {}: a rule must be a mapping (id, severity, message, match)",
            n.line
        );
    };
    let (mut id, mut severity, mut message, mut reference, mut matcher) =
        (None, None, None, None, None);
    for (k, v) in pairs {
        match scalar(k, "rule key")? {
            "id" => id = Some(scalar(v, "id")?),
            "severity" => {
                let s = scalar(v, "severity")?;
                severity = Some(
                    s.parse::<Severity>()
                        .map_err(|e| anyhow!("line {}: severity {s:?}: {e}", v.line))?,
                )
            }
            "message" => message = Some(scalar(v, "message")?),
            "reference" => reference = Some(scalar(v, "reference")?),
            "match" => matcher = Some(match_spec(v)?),
            other => bail!(
                "line {}: unknown rule key {other:?} (expected id, severity, message, reference, match)",
                k.line
            ),
        }
    }
    let id = id.ok_or_else(|| anyhow!("line {}: rule without an id", n.line))?;
    let missing = |what: &str| anyhow!("line {}: rule {id}: {what} is missing", n.line);
    let severity = severity.unwrap_or(Severity::Medium);
    let message = message.ok_or_else(|| missing("message"))?;
    let matcher = matcher.ok_or_else(|| missing("match"))?;
    CustomRule::new(id, severity, message, reference, matcher)
        .map_err(|e| anyhow!("line {}: {e}", n.line))
}

fn match_spec(n: &Node) -> Result<Match> {
    let Value::Map(pairs) = &n.value else {
        bail!("line {}: match: expected a mapping of conditions", n.line);
    };
    let mut m = Match::default();
    for (k, v) in pairs {
        let key = scalar(k, "match key")?;
        let line = v.line;
        match key {
            "instruction" => m.instruction = Some(scalar(v, key)?.to_string()),
            "flag" => m.flag = Some(scalar(v, key)?.to_string()),
            "command" => m.command = list(v, key)?,
            "args_contain" => m.args_contain = Some(scalar(v, key)?.to_string()),
            "args_missing" => m.args_missing = Some(scalar(v, key)?.to_string()),
            "package" => m.package = Some(pattern(scalar(v, key)?, line, key)?),
            "image_not_matching" => {
                m.image_not_matching = list(v, key)?
                    .iter()
                    .map(|p| pattern(p, line, key))
                    .collect::<Result<_>>()?
            }
            "image_matching" => {
                m.image_matching = list(v, key)?
                    .iter()
                    .map(|p| pattern(p, line, key))
                    .collect::<Result<_>>()?
            }
            "label_required" => m.label_required = Some(scalar(v, key)?.to_string()),
            "stage" => match scalar(v, key)? {
                "final" => m.final_stage = true,
                "any" => m.final_stage = false,
                other => bail!("line {line}: stage {other:?}: expected final or any"),
            },
            other => bail!(
                "line {}: unknown match condition {other:?} (expected instruction, flag, command, args_contain, args_missing, package, image_matching, image_not_matching, label_required, stage)",
                k.line
            ),
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
dockerfile:
  rules:
    - id: ORG-001
      severity: high
      message: pip must use the internal index
      reference: https://wiki.example.com/pip
      match: {instruction: RUN, command: [pip, pip3], args_missing: "--index-url"}
    - id: ORG-002
      message: base images come from registry.corp
      match:
        image_not_matching: ["registry.corp/*"]
    - id: ORG-003
      severity: low
      message: images say where their source is
      match: {label_required: org.opencontainers.image.source}
"#;

    #[test]
    fn reads_rules() {
        let r = load(GOOD).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].doc.id, "ORG-001");
        assert_eq!(r[0].doc.severity, Severity::High);
        assert_eq!(r[0].matcher.command, ["pip", "pip3"]);
        assert_eq!(r[1].doc.severity, Severity::Medium);
        assert_eq!(r[0].doc.peer_ids, ["https://wiki.example.com/pip"]);
    }

    fn err(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    #[test]
    fn bad_rules_name_the_line_and_the_problem() {
        let base = "dockerfile:\n  rules:\n";
        let cases = [
            (
                "    - id: A\n      message: m\n      match: {instrution: RUN}\n",
                "line 5: unknown match condition \"instrution\"",
            ),
            (
                "    - id: A\n      message: m\n",
                "line 3: rule A: match is missing",
            ),
            (
                "    - message: m\n      match: {instruction: RUN}\n",
                "line 3: rule without an id",
            ),
            (
                "    - id: A\n      severity: severe\n      message: m\n      match: {instruction: RUN}\n",
                "line 4: severity \"severe\"",
            ),
            (
                "    - id: PAL-DF-001\n      message: m\n      match: {instruction: RUN}\n",
                "line 3: id \"PAL-DF-001\"",
            ),
            (
                "    - id: A\n      message: m\n      match: {args_contain: x}\n",
                "line 3: rule A: match needs one of",
            ),
            (
                "    - id: A\n      message: m\n      match: {instruction: COPY, command: pip}\n",
                "command only applies to RUN",
            ),
            (
                "    - id: A\n      message: m\n      match: {image_matching: \"[\"}\n",
                "line 5: image_matching: bad pattern",
            ),
            (
                "    - id: A\n      message: m\n      match: {instruction: RUN}\n    - id: A\n      message: m\n      match: {instruction: RUN}\n",
                "line 6: rule id A is defined twice",
            ),
            (
                "    - id: A\n      mesage: m\n",
                "line 4: unknown rule key \"mesage\"",
            ),
            ("    - just a string\n", "line 3: a rule must be a mapping"),
            (
                "    - id: A\n      message: m\n      match: {stage: last, instruction: RUN}\n",
                "line 5: stage \"last\"",
            ),
        ];
        for (body, want) in cases {
            let e = err(&format!("{base}{body}"));
            assert!(e.contains(want), "{body}\nexpected {want:?}, got {e:?}");
        }
        assert!(
            err("dockerfile:\n  rules: {a: 1}\n")
                .contains("line 2: dockerfile.rules: expected a list")
        );
    }
}
