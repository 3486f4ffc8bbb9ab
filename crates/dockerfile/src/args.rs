//! Per-instruction argument parsing, with the same results as BuildKit's
//! line parsers (`line_parsers.go`, `split_command.go`): flag extraction,
//! JSON (exec) form with fallback to shell form, words, `KEY=value` pairs.

use crate::ast::{Args, Flag, Heredoc, KeyValue, Span};

/// Go's `unicode.IsSpace`.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// BuildKit's `[\t\v\f\r ]+` separator.
fn is_blank(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

pub(crate) struct Split<'a> {
    pub keyword: &'a str,
    pub flags: Vec<Flag>,
    pub args: &'a str,
    /// Offset of `args` in the line.
    pub args_offset: usize,
}

/// Keyword, then `--flags`, then the rest (trimmed).
pub(crate) fn split_command(line: &str, escape: char) -> Split<'_> {
    let trimmed = line.trim_matches(is_space);
    let base = line.len() - line.trim_start_matches(is_space).len();
    let (keyword, rest, rest_off) = match trimmed.find(is_blank) {
        Some(i) => {
            let after = trimmed[i..].trim_start_matches(is_blank);
            (&trimmed[..i], after, base + trimmed.len() - after.len())
        }
        None => (trimmed, "", base + trimmed.len()),
    };
    let (flags, args_start) = extract_flags(rest, escape);
    let remaining = &rest[args_start..];
    let args = remaining.trim_matches(is_space);
    let lead = remaining.len() - remaining.trim_start_matches(is_space).len();
    let flags = flags
        .into_iter()
        .map(|(raw, start, end)| {
            let stripped = raw.strip_prefix("--").unwrap_or(&raw);
            let (name, value) = match stripped.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (stripped.to_string(), None),
            };
            Flag {
                raw: raw.clone(),
                name,
                value,
                span: Span {
                    // Positions are filled in by `Instruction::position`
                    // users; keep offsets here as columns of the line.
                    start: crate::ast::Pos {
                        line: 0,
                        column: (rest_off + start) as u32,
                    },
                    end: crate::ast::Pos {
                        line: 0,
                        column: (rest_off + end) as u32,
                    },
                },
            }
        })
        .collect();
    Split {
        keyword,
        flags,
        args,
        args_offset: rest_off + args_start + lead,
    }
}

/// Takes leading `--words` off `line`. Returns the flags (unquoted, with
/// their byte range) and where the rest starts. A bare `--` ends the flags.
fn extract_flags(line: &str, escape: char) -> (Vec<(String, usize, usize)>, usize) {
    let mut flags = Vec::new();
    let mut chars = line.char_indices().peekable();
    loop {
        while chars.next_if(|&(_, c)| is_space(c)).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            return (flags, line.len());
        };
        if !line[start..].starts_with("--") || line.len() == start + 1 {
            return (flags, start);
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut blank_ok = false;
        let mut end = line.len();
        while let Some((i, c)) = chars.next() {
            match quote {
                None if is_space(c) => {
                    end = i;
                    break;
                }
                None if c == '\'' || c == '"' => {
                    quote = Some(c);
                    blank_ok = true;
                }
                Some(q) if c == q => quote = None,
                _ if c == escape => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    } else {
                        quote = None;
                    }
                }
                _ => word.push(c),
            }
        }
        if word == "--" {
            return (flags, end);
        }
        if blank_ok || !word.is_empty() {
            flags.push((word, start, end));
        }
        if end == line.len() {
            return (flags, line.len());
        }
    }
}

/// BuildKit's `parseWords`: words split on white space, quotes and escapes
/// kept (they are removed later, when the word is expanded).
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if !in_word {
            if is_space(c) {
                continue;
            }
            in_word = true;
        }
        match quote {
            None => {
                if is_space(c) {
                    if blank_ok || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    word.clear();
                    blank_ok = false;
                    in_word = false;
                    continue;
                }
                if c == '\'' || c == '"' {
                    quote = Some(c);
                    blank_ok = true;
                }
                if c == escape {
                    match chars.next() {
                        None => continue,
                        Some(n) => {
                            word.push(c);
                            word.push(n);
                            continue;
                        }
                    }
                }
                word.push(c);
            }
            Some(q) => {
                if c == q {
                    quote = None;
                }
                if c == escape && q != '\'' {
                    match chars.next() {
                        None => {
                            quote = None;
                            continue;
                        }
                        Some(n) => {
                            word.push(c);
                            word.push(n);
                            continue;
                        }
                    }
                }
                word.push(c);
            }
        }
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// ENV and LABEL: `KEY=value ...`, or the old `KEY value` form.
pub(crate) fn name_val(rest: &str, what: &str, escape: char) -> Result<Args, String> {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        return Ok(Args::None);
    }
    if !words[0].contains('=') {
        let mut parts = rest.splitn(2, is_blank_run_start);
        let key = parts.next().unwrap_or("");
        let value = parts.next().map(|v| v.trim_start_matches(is_blank));
        let Some(value) = value else {
            return Err(format!("{what} must have two arguments"));
        };
        return Ok(Args::Pairs(vec![KeyValue {
            key: key.to_string(),
            value: value.to_string(),
            separator: "",
        }]));
    }
    let mut pairs = Vec::with_capacity(words.len());
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {w:?}. Must be of the form: name=value"
            ));
        };
        pairs.push(KeyValue {
            key: k.to_string(),
            value: v.to_string(),
            separator: "=",
        });
    }
    Ok(Args::Pairs(pairs))
}

fn is_blank_run_start(c: char) -> bool {
    is_blank(c)
}

/// ARG: `name` or `name=value` words.
pub(crate) fn name_or_name_val(rest: &str, escape: char) -> Args {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        Args::None
    } else {
        Args::Words(words)
    }
}

/// FROM, EXPOSE and the non-JSON form of ADD/COPY/VOLUME: split on blanks.
pub(crate) fn whitespace_words(rest: &str) -> Args {
    if rest.is_empty() {
        return Args::None;
    }
    Args::Words(
        rest.split(is_blank)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// One string (USER, WORKDIR, …).
pub(crate) fn single(rest: &str) -> Args {
    if rest.is_empty() {
        Args::None
    } else {
        Args::Text(rest.to_string())
    }
}

enum JsonError {
    /// Not a JSON array: the caller falls back to shell form.
    NotJson,
    /// A JSON array with something other than strings: an error in BuildKit.
    NotStrings,
}

fn json_array(rest: &str) -> Result<Vec<String>, JsonError> {
    let rest = rest.trim_start_matches(is_space);
    if !rest.starts_with('[') {
        return Err(JsonError::NotJson);
    }
    let values: Vec<serde_json::Value> =
        serde_json::from_str(rest).map_err(|_| JsonError::NotJson)?;
    values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(JsonError::NotStrings),
        })
        .collect()
}

const NOT_STRINGS: &str = "when using JSON array syntax, arrays must be comprised of strings only";

/// RUN, CMD, ENTRYPOINT, SHELL: exec form if the rest is a JSON array of
/// strings, else the whole rest as shell form.
pub(crate) fn maybe_json(rest: &str) -> Result<Args, String> {
    if rest.is_empty() {
        return Ok(Args::None);
    }
    match json_array(rest) {
        Ok(v) => Ok(Args::Json(v)),
        Err(JsonError::NotStrings) => Err(NOT_STRINGS.into()),
        Err(JsonError::NotJson) => Ok(Args::Text(rest.to_string())),
    }
}

/// ADD, COPY, VOLUME: a JSON array, else words split on blanks.
pub(crate) fn maybe_json_to_list(rest: &str) -> Result<Args, String> {
    match json_array(rest) {
        Ok(v) => Ok(Args::Json(v)),
        Err(JsonError::NotStrings) => Err(NOT_STRINGS.into()),
        Err(JsonError::NotJson) => Ok(whitespace_words(rest)),
    }
}

/// HEALTHCHECK TYPE [command].
pub(crate) fn health(rest: &str) -> Result<Args, String> {
    let sep = rest
        .find(|c: char| c.is_ascii_whitespace() || is_space(c))
        .unwrap_or(rest.len());
    if sep == 0 {
        return Ok(Args::None);
    }
    let kind = &rest[..sep];
    let command = maybe_json(rest[sep..].trim_start_matches(is_space))?;
    Ok(Args::Health {
        kind: kind.to_string(),
        command: Box::new(command),
    })
}

/// The heredocs announced on a line (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`),
/// found the way BuildKit finds them: split the line into shell words
/// (quotes and escapes kept) and match each word.
pub(crate) fn heredocs_in_line(line: &str) -> Vec<Heredoc> {
    raw_shell_words(line)
        .iter()
        .filter_map(|w| heredoc_from_word(w))
        .collect()
}

fn heredoc_from_word(word: &str) -> Option<Heredoc> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches(is_space);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let words = raw_shell_words(rest);
    if words.len() != 1 {
        return None;
    }
    let (name, quoted) = unquote(&words[0]);
    Some(Heredoc {
        name,
        fd: word[..digits].parse().unwrap_or(0),
        expand: !quoted,
        chomp,
        content: String::new(),
        span: Span::default(),
    })
}

/// Splits on white space outside quotes; quotes and backslashes are kept.
fn raw_shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if is_space(c) => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
                continue;
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            // `<<` takes the blanks after it into the word (`<< EOF`).
            None if c == '<' && chars.clone().next() == Some('<') => {
                chars.next();
                word.push_str("<<");
                while let Some(b) = chars
                    .clone()
                    .next()
                    .filter(|&b| matches!(b, ' ' | '\t' | '\r' | '\n'))
                {
                    word.push(b);
                    chars.next();
                }
                started = true;
                continue;
            }
            _ if c == '\\' && quote != Some('\'') => {
                word.push(c);
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                started = true;
                continue;
            }
            _ => {}
        }
        word.push(c);
        started = true;
    }
    if started {
        words.push(word);
    }
    words
}

/// Removes quotes and backslash escapes; says whether any quote was removed.
fn unquote(word: &str) -> (String, bool) {
    let mut out = String::new();
    let mut quoted = false;
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                quoted = true;
            }
            Some(q) if c == q => quote = None,
            _ if c == '\\' && quote != Some('\'') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    (out, quoted)
}
