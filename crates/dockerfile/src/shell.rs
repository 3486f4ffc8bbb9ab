//! Shell analysis of RUN: a POSIX shell lexer and a command-list parser that
//! turn a script into the flat list of simple commands it may run, seen
//! through `&&`, `||`, `;`, `|`, `&`, newlines, subshells, `{ }` groups,
//! `if`/`while`/`for`/`case` bodies, command substitutions (`$(…)`, backquotes)
//! and `sh -c '…'` / `bash -c "…"`.
//!
//! Why not a crate: brush-parser (the only maintained full POSIX/bash
//! parser in Rust) pulls `cached`, `bon`, `insta` and `peg` into the build,
//! and linting needs commands and words, not an executable AST (see
//! docs/dockerfile.md, "Shell analysis"). The grammar here is the POSIX token
//! recognition of XCU 2.3 plus the list/pipeline/compound structure of 2.9.
//! It never fails: on a syntax error (an unterminated quote, say) it returns
//! what it parsed and the error, and rules fall back to what they can see.

use crate::expand::Env;

/// One simple command: `FOO=1 apt-get install -y curl >/dev/null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Words after assignments and without redirections; `[0]` is the command name.
    pub args: Vec<String>,
    /// `NAME=value` prefixes.
    pub assignments: Vec<String>,
    /// Redirection operators with their targets, e.g. `>/dev/null`.
    pub redirects: Vec<String>,
    /// Byte offset of the command's first token in the script it came from
    /// (for nested scripts: of the outer word that carried it).
    pub offset: usize,
    /// Whether the command's output is piped into another command.
    pub piped_out: bool,
    /// Whether the command reads from a pipe.
    pub piped_in: bool,
    /// Whether the command was found inside `sh -c`, `$(…)` or backquotes.
    pub nested: bool,
    /// How deeply nested (0 = the script itself).
    pub depth: u32,
}

impl Command {
    /// The command name without its directory (`/usr/bin/apt-get` → `apt-get`).
    pub fn name(&self) -> &str {
        let a = self.args.first().map(String::as_str).unwrap_or("");
        a.rsplit('/').next().unwrap_or(a)
    }

    /// Is any argument exactly one of `flags`?
    pub fn has_any(&self, flags: &[&str]) -> bool {
        self.args
            .iter()
            .skip(1)
            .any(|a| flags.contains(&a.as_str()))
    }

    /// Does a short-option cluster (`-qy`) or long option give `short` / `long`?
    pub fn has_option(&self, short: char, long: &[&str]) -> bool {
        self.args.iter().skip(1).any(|a| {
            long.iter()
                .any(|l| a == l || a.starts_with(&format!("{l}=")))
                || (a.starts_with('-') && !a.starts_with("--") && a[1..].contains(short))
        })
    }

    /// Arguments that are not options (do not start with `-`), after the name.
    pub fn operands(&self) -> impl Iterator<Item = &str> {
        self.args
            .iter()
            .skip(1)
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
    }

    /// For `apt-get install x`: the arguments after the first `subcommand`
    /// word, when the command has it.
    pub fn subcommand_args(&self, subcommand: &str) -> Option<Vec<&str>> {
        let pos = self.args.iter().skip(1).position(|a| a == subcommand)?;
        Some(self.args[pos + 2..].iter().map(String::as_str).collect())
    }
}

/// The result of analysing one script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
    /// Whether the script has a pipeline (`a | b`).
    pub has_pipe: bool,
    /// The first syntax error, if any (the commands before it are kept).
    pub error: Option<String>,
}

impl Script {
    /// Commands whose name is one of `names`.
    pub fn named<'a>(&'a self, names: &'a [&'a str]) -> impl Iterator<Item = &'a Command> + 'a {
        self.commands
            .iter()
            .filter(move |c| names.contains(&c.name()))
    }
}

/// Nesting bound for `$( $( … ) )` and `sh -c 'sh -c …'`.
const MAX_DEPTH: u32 = 16;

/// Analyses `script`. `vars` gives known variable values (ARG/ENV) that
/// replace `$NAME` / `${NAME}` in words; unknown ones stay as written.
pub fn analyse(script: &str, vars: &dyn Env) -> Script {
    let mut out = Script::default();
    analyse_into(script, vars, 0, None, &mut out);
    out
}

fn analyse_into(script: &str, vars: &dyn Env, depth: u32, at: Option<usize>, out: &mut Script) {
    if depth > MAX_DEPTH {
        out.error
            .get_or_insert_with(|| "shell nesting too deep".into());
        return;
    }
    let first = out.commands.len();
    let (tokens, err) = lex(script);
    if let Some(e) = err {
        out.error.get_or_insert(e);
    }
    let mut cmd = Pending::default();
    let mut piped_in = false;
    let mut skip_until_sep = false;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        i += 1;
        match &t.kind {
            Tok::Op(op) => {
                let is_pipe = op == "|";
                if is_pipe {
                    out.has_pipe = true;
                }
                if op == "(" || op == ")" || op == ";;" || is_pipe || is_separator(op) {
                    let was_pipe_in = piped_in;
                    piped_in = is_pipe;
                    skip_until_sep = false;
                    finish(&mut cmd, was_pipe_in, is_pipe, at, depth, out);
                } else if let Some(Token {
                    kind: Tok::Word(w), ..
                }) = tokens.get(i)
                {
                    // A redirection: the operator takes the next word.
                    cmd.redirects.push(format!("{op}{}", w.raw));
                    i += 1;
                }
            }
            Tok::Word(w) => {
                if skip_until_sep {
                    continue;
                }
                if cmd.args.is_empty() && cmd.assignments.is_empty() {
                    match w.raw.as_str() {
                        "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "{" | "}"
                        | "!" | "fi" | "done" | "esac" => continue,
                        // `for x in a b c` and `case w in` are not commands.
                        "for" | "select" => {
                            skip_until_sep = true;
                            continue;
                        }
                        "case" => {
                            // Skip to `in`, then pattern words up to `)`.
                            while i < tokens.len()
                                && !matches!(&tokens[i].kind, Tok::Word(x) if x.raw == "in")
                            {
                                i += 1;
                            }
                            i += 1;
                            skip_patterns(&tokens, &mut i);
                            continue;
                        }
                        _ => {}
                    }
                }
                if cmd.args.is_empty() && is_assignment(&w.raw) {
                    cmd.assignments.push(unquote(&w.raw, vars));
                    cmd.offset.get_or_insert(t.offset);
                    continue;
                }
                cmd.offset.get_or_insert(t.offset);
                for sub in &w.substitutions {
                    analyse_into(sub, vars, depth + 1, Some(at.unwrap_or(t.offset)), out);
                }
                cmd.args.push(unquote(&w.raw, vars));
            }
        }
        // After `;;` in a case body, the next tokens are patterns again.
        if matches!(&t.kind, Tok::Op(op) if op == ";;") {
            skip_patterns(&tokens, &mut i);
        }
    }
    finish(&mut cmd, piped_in, false, at, depth, out);
    // `sh -c 'script'`: analyse the script too (only this level's
    // commands: nested levels handle their own).
    let own: Vec<(String, usize)> = out.commands[first..]
        .iter()
        .filter(|c| c.depth == depth)
        .filter_map(|c| shell_c_script(c).map(|s| (s.to_string(), c.offset)))
        .collect();
    for (inner, offset) in own {
        analyse_into(&inner, vars, depth + 1, Some(offset), out);
    }
}

/// Skips `pat | pat )` case patterns (and newlines before them).
fn skip_patterns(tokens: &[Token], i: &mut usize) {
    while let Some(Token {
        kind: Tok::Op(op), ..
    }) = tokens.get(*i)
    {
        if op == "\n" {
            *i += 1;
        } else {
            break;
        }
    }
    if let Some(Token {
        kind: Tok::Word(w), ..
    }) = tokens.get(*i)
        && w.raw == "esac"
    {
        return;
    }
    let mut j = *i;
    while j < tokens.len() {
        match &tokens[j].kind {
            Tok::Op(op) if op == ")" => {
                *i = j + 1;
                return;
            }
            Tok::Op(op) if op != "|" && op != "(" => return,
            _ => j += 1,
        }
    }
}

#[derive(Default)]
struct Pending {
    args: Vec<String>,
    assignments: Vec<String>,
    redirects: Vec<String>,
    offset: Option<usize>,
}

fn finish(
    cmd: &mut Pending,
    piped_in: bool,
    piped_out: bool,
    at: Option<usize>,
    depth: u32,
    out: &mut Script,
) {
    let p = std::mem::take(cmd);
    if p.args.is_empty() {
        return;
    }
    out.commands.push(Command {
        args: p.args,
        assignments: p.assignments,
        redirects: p.redirects,
        offset: at.unwrap_or(p.offset.unwrap_or(0)),
        piped_out,
        piped_in,
        nested: depth > 0,
        depth,
    });
}

fn is_separator(op: &str) -> bool {
    matches!(op, "&&" | "||" | ";" | "&" | "\n")
}

fn is_assignment(raw: &str) -> bool {
    match raw.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// The script of `sh -c SCRIPT` (also `bash -ec`, `/bin/sh -xc`, …).
fn shell_c_script(cmd: &Command) -> Option<&str> {
    if !matches!(cmd.name(), "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh") {
        return None;
    }
    let mut seen_c = false;
    for a in &cmd.args[1..] {
        if seen_c && !a.starts_with('-') {
            return Some(a);
        }
        if a.starts_with('-') && !a.starts_with("--") && a.contains('c') {
            seen_c = true;
        } else if !a.starts_with('-') && !a.starts_with('+') {
            return None;
        }
    }
    None
}

#[derive(Debug)]
struct Word {
    raw: String,
    /// Scripts of `$(…)` and backquoted substitutions inside the word.
    substitutions: Vec<String>,
}

#[derive(Debug)]
enum Tok {
    Word(Word),
    /// `&&`, `||`, `;`, `;;`, `|`, `&`, `(`, `)`, newline, or a redirection.
    Op(String),
}

#[derive(Debug)]
struct Token {
    kind: Tok,
    offset: usize,
}

/// POSIX token recognition. Returns the tokens and the first error.
fn lex(s: &str) -> (Vec<Token>, Option<String>) {
    let b: Vec<char> = s.chars().collect();
    // Byte offset of each char, for positions.
    let offs: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
    let off = |i: usize| offs.get(i).copied().unwrap_or(s.len());
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut pending_heredocs: Vec<(String, bool)> = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            ' ' | '\t' | '\r' => i += 1,
            '\\' if b.get(i + 1) == Some(&'\n') => i += 2,
            '#' => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '\n' => {
                tokens.push(Token {
                    kind: Tok::Op("\n".into()),
                    offset: off(i),
                });
                i += 1;
                // Heredoc bodies follow the line that announced them.
                for (delim, strip) in pending_heredocs.drain(..) {
                    while i < b.len() {
                        let start = i;
                        while i < b.len() && b[i] != '\n' {
                            i += 1;
                        }
                        let line: String = b[start..i].iter().collect();
                        i = (i + 1).min(b.len());
                        let line = if strip {
                            line.trim_start_matches('\t')
                        } else {
                            &line
                        };
                        if line == delim {
                            break;
                        }
                    }
                }
            }
            '&' | '|' | ';' | '(' | ')' | '<' | '>' => {
                let start = i;
                let two: String = b[i..(i + 2).min(b.len())].iter().collect();
                let three: String = b[i..(i + 3).min(b.len())].iter().collect();
                let op = if three == "<<-" {
                    "<<-".to_string()
                } else if ["&&", "||", ";;", "<<", ">>", "<&", ">&", "<>", ">|", "&>"]
                    .contains(&two.as_str())
                {
                    two
                } else {
                    c.to_string()
                };
                i += op.chars().count();
                if op == "<<" || op == "<<-" {
                    // The delimiter word follows; its body is skipped at the newline.
                    while i < b.len() && (b[i] == ' ' || b[i] == '\t') {
                        i += 1;
                    }
                    let (w, next, _) = read_word(&b, i);
                    i = next;
                    let (delim, _) = unquote_plain(&w.raw);
                    pending_heredocs.push((delim, op == "<<-"));
                    tokens.push(Token {
                        kind: Tok::Op(format!("{op}{}", w.raw)),
                        offset: off(start),
                    });
                    continue;
                }
                tokens.push(Token {
                    kind: Tok::Op(op),
                    offset: off(start),
                });
            }
            _ => {
                let start = i;
                let (w, next, err) = read_word(&b, i);
                i = next.max(i + 1);
                // `2>file`: an io number makes the next operator a redirection.
                if w.raw.chars().all(|c| c.is_ascii_digit()) && matches!(b.get(i), Some('<' | '>'))
                {
                    continue;
                }
                tokens.push(Token {
                    kind: Tok::Word(w),
                    offset: off(start),
                });
                if let Some(e) = err {
                    return (tokens, Some(e));
                }
            }
        }
    }
    (tokens, None)
}

/// Reads one word starting at `i`: quotes, escapes, `$(…)`, `${…}`, backquotes.
fn read_word(b: &[char], mut i: usize) -> (Word, usize, Option<String>) {
    let start = i;
    let mut subs = Vec::new();
    let mut err = None;
    while i < b.len() {
        match b[i] {
            ' ' | '\t' | '\r' | '\n' | '&' | '|' | ';' | '(' | ')' | '<' | '>' => break,
            '\\' => i += 2,
            '\'' => match b[i + 1..].iter().position(|&c| c == '\'') {
                Some(p) => i += p + 2,
                None => {
                    err = Some("unterminated single quote".to_string());
                    i = b.len();
                }
            },
            '"' => {
                i += 1;
                loop {
                    match b.get(i) {
                        None => {
                            err = Some("unterminated double quote".to_string());
                            break;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => i += 2,
                        Some('$') if b.get(i + 1) == Some(&'(') => {
                            let (end, inner) = balanced(b, i + 1);
                            subs.push(inner);
                            i = end;
                        }
                        Some('`') => {
                            let (end, inner) = backquoted(b, i);
                            subs.push(inner);
                            i = end;
                        }
                        _ => i += 1,
                    }
                }
            }
            '$' if b.get(i + 1) == Some(&'(') => {
                let (end, inner) = balanced(b, i + 1);
                if !inner.starts_with('(') {
                    subs.push(inner);
                }
                i = end;
            }
            '$' if b.get(i + 1) == Some(&'{') => {
                i = b[i..]
                    .iter()
                    .position(|&c| c == '}')
                    .map_or(b.len(), |p| i + p + 1);
            }
            '`' => {
                let (end, inner) = backquoted(b, i);
                subs.push(inner);
                i = end;
            }
            _ => i += 1,
        }
    }
    let i = i.min(b.len());
    (
        Word {
            raw: b[start..i].iter().collect(),
            substitutions: subs,
        },
        i,
        err,
    )
}

/// From an opening `(` at `i`: the index after the matching `)` and the text inside.
fn balanced(b: &[char], i: usize) -> (usize, String) {
    let mut depth = 0usize;
    let mut j = i;
    let mut quote: Option<char> = None;
    while j < b.len() {
        let c = b[j];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) if c == '\\' => j += 1,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '\\' => j += 1,
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return (j + 1, b[i + 1..j].iter().collect());
                    }
                }
                _ => {}
            },
        }
        j += 1;
    }
    (b.len(), b[(i + 1).min(b.len())..].iter().collect())
}

fn backquoted(b: &[char], i: usize) -> (usize, String) {
    let mut j = i + 1;
    while j < b.len() && b[j] != '`' {
        if b[j] == '\\' {
            j += 1;
        }
        j += 1;
    }
    let end = j.min(b.len());
    (
        (end + 1).min(b.len()),
        b[(i + 1).min(end)..end].iter().collect(),
    )
}

/// Removes quotes and escapes; says whether anything was quoted.
fn unquote_plain(raw: &str) -> (String, bool) {
    let mut out = String::new();
    let mut quoted = false;
    let mut quote: Option<char> = None;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                quoted = true;
            }
            (Some(q), _) if c == q => quote = None,
            (Some('\''), _) => out.push(c),
            (_, '\\') => {
                quoted = true;
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    (out, quoted)
}

/// The word's value: quotes and escapes removed, known `$NAME` / `${NAME}`
/// replaced (outside single quotes); anything else kept as written.
fn unquote(raw: &str, vars: &dyn Env) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (Some('\''), _) => out.push(c),
            (_, '\\') => {
                if let Some(&n) = chars.get(i + 1) {
                    if quote == Some('"') && !matches!(n, '$' | '`' | '"' | '\\') {
                        out.push('\\');
                    }
                    out.push(n);
                }
                i += 1;
            }
            (_, '$') => {
                let braced = chars.get(i + 1) == Some(&'{');
                let start = if braced { i + 2 } else { i + 1 };
                let mut end = start;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                let closes = !braced || chars.get(end) == Some(&'}');
                match vars.get(&name) {
                    Some(v) if !name.is_empty() && closes => {
                        out.push_str(v);
                        i = if braced { end + 1 } else { end };
                        continue;
                    }
                    _ => out.push(c),
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<String> {
        let vars: Vec<(String, String)> = vec![];
        analyse(s, &vars)
            .commands
            .iter()
            .map(|c| c.args.join(" "))
            .collect()
    }

    #[test]
    fn lists_pipes_and_groups() {
        assert_eq!(
            names(
                "apt-get update && apt-get install -y curl; (cd /x || exit 1) | tee log & { echo a; }"
            ),
            [
                "apt-get update",
                "apt-get install -y curl",
                "cd /x",
                "exit 1",
                "tee log",
                "echo a"
            ]
        );
    }

    #[test]
    fn quotes_assignments_redirects() {
        let vars: Vec<(String, String)> = vec![("V".into(), "1.2".into())];
        let s = analyse(
            "LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get install -y 'a b' \"pkg=$V\" ${V}x >/dev/null 2>&1",
            &vars,
        );
        let c = &s.commands[0];
        assert_eq!(
            c.assignments,
            ["LC_ALL=C", "DEBIAN_FRONTEND=noninteractive"]
        );
        assert_eq!(
            c.args,
            ["apt-get", "install", "-y", "a b", "pkg=1.2", "1.2x"]
        );
        assert_eq!(c.redirects, [">/dev/null", ">&1"]);
    }

    #[test]
    fn nested_scripts() {
        assert_eq!(
            names("sh -c 'apt-get update && apt-get upgrade -y'"),
            [
                "sh -c apt-get update && apt-get upgrade -y",
                "apt-get update",
                "apt-get upgrade -y"
            ]
        );
        assert_eq!(
            names("echo $(curl -s http://x | sh)"),
            ["curl -s http://x", "sh", "echo $(curl -s http://x | sh)"]
        );
        assert_eq!(
            names("bash -ec \"wget -q x\""),
            ["bash -ec wget -q x", "wget -q x"]
        );
    }

    #[test]
    fn compound_commands() {
        assert_eq!(
            names(
                "if [ -f x ]; then rm x; else touch x; fi\nfor p in a b; do pip install $p; done\ncase $A in\n  amd64) arch=x ;;\n  *) echo no ;;\nesac"
            ),
            [
                "[ -f x ]",
                "rm x",
                "touch x",
                "pip install $p",
                "arch=x",
                "echo no"
            ]
            .iter()
            .filter(|s| **s != "arch=x")
            .copied()
            .collect::<Vec<_>>()
        );
    }

    #[test]
    fn heredoc_bodies_are_not_commands() {
        assert_eq!(
            names("cat <<EOF > /x\nrm -rf /\nEOF\necho done"),
            ["cat", "echo done"]
        );
    }

    #[test]
    fn broken_shell_keeps_what_it_can() {
        let vars: Vec<(String, String)> = vec![];
        let s = analyse("apt-get update && echo 'oops", &vars);
        assert!(s.error.is_some());
        assert_eq!(s.commands[0].args, ["apt-get", "update"]);
        let deep = "$(".repeat(5000);
        let _ = analyse(&deep, &vars);
        let deep = "sh -c '".repeat(100);
        let _ = analyse(&deep, &vars);
    }

    #[test]
    fn pipes_are_marked() {
        let vars: Vec<(String, String)> = vec![];
        let s = analyse("curl -fsSL https://x | bash -", &vars);
        assert!(s.has_pipe);
        assert!(s.commands[0].piped_out && !s.commands[0].piped_in);
        assert!(s.commands[1].piped_in);
    }
}
