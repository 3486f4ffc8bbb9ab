//! The line-level parser: parser directives, comments, line continuations
//! and heredocs, in the order and with the quirks of BuildKit's
//! `frontend/dockerfile/parser` (behaviour learnt from its source and test
//! files; this is our own code).

use crate::args::{self, split_command};
use crate::ast::{Args, Directive, Dockerfile, Instruction, ParseWarning, Pos, Segment, Span};

/// BuildKit reads lines with Go's `bufio.Scanner`, whose buffer holds at most
/// 64 KiB: a longer line is an error there, so it is one here too.
pub const MAX_LINE: usize = 64 * 1024;
/// Larger files are refused before parsing (memory bound).
pub const MAX_FILE: usize = 32 * 1024 * 1024;

/// Why a Dockerfile could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

fn err(line: u32, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// The directive parser's state: directives are only recognised in the
/// leading comment lines; the first other line ends them.
struct Directives {
    escape: char,
    done: bool,
    found: Vec<Directive>,
}

impl Directives {
    /// Looks at one (left-trimmed) line; returns whether it was a directive.
    fn look(&mut self, line: &str, line_no: u32) -> Result<bool, ParseError> {
        if self.done {
            return Ok(false);
        }
        let Some(rest) = line.strip_prefix('#') else {
            self.done = true;
            return Ok(false);
        };
        let Some((name, value)) = directive_parts(rest.trim_start()) else {
            self.done = true;
            return Ok(false);
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(false);
        }
        if self.found.iter().any(|d| d.name == name) {
            return Err(err(
                line_no,
                format!("only one {name} parser directive can be used"),
            ));
        }
        if name == "escape" {
            self.escape = match value {
                "\\" => '\\',
                "`" => '`',
                _ => {
                    return Err(err(
                        line_no,
                        format!("invalid escape token '{value}' does not match ` or \\"),
                    ));
                }
            };
        }
        self.found.push(Directive {
            name,
            value: value.to_string(),
            line: line_no,
        });
        Ok(true)
    }
}

/// `name = value`: a letter then letters/digits, `=`, a non-empty value
/// (surrounding white space dropped).
fn directive_parts(s: &str) -> Option<(&str, &str)> {
    let name_len = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(s.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let (name, rest) = s.split_at(name_len);
    let rest = rest.trim_start().strip_prefix('=')?;
    let value = rest.trim();
    (!value.is_empty()).then_some((name, value))
}

/// One physical line of the source: its text without the line ending.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    /// (line with its ending, line without `\r\n`)
    type Item = (&'a str, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        self.pos += end;
        let full = &rest[..end];
        Some((full, full.trim_end_matches(['\r', '\n'])))
    }
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// If `line` ends with the escape character (then optional blanks), not
/// itself escaped, returns the line without it: the next line continues it.
fn strip_continuation(line: &str, escape: char) -> Option<&str> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    if before.ends_with(escape) {
        return None;
    }
    Some(before)
}

/// Parses a Dockerfile. Bytes that are not UTF-8 are replaced (BuildKit
/// passes them through); NUL bytes mean a binary file and are an error.
pub fn parse_bytes(data: &[u8]) -> Result<Dockerfile, ParseError> {
    if data.len() > MAX_FILE {
        return Err(err(0, format!("file larger than {} MiB", MAX_FILE >> 20)));
    }
    if let Some(i) = data.iter().position(|&b| b == 0) {
        return Err(err(
            line_of(data, i),
            "binary file (NUL byte): not a Dockerfile",
        ));
    }
    parse(&String::from_utf8_lossy(data))
}

fn line_of(data: &[u8], offset: usize) -> u32 {
    data[..offset].iter().filter(|&&b| b == b'\n').count() as u32 + 1
}

/// Parses Dockerfile text.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Lines { text, pos: 0 }.peekable();
    let mut d = Directives {
        escape: '\\',
        done: false,
        found: Vec::new(),
    };
    let mut out = Dockerfile {
        directives: Vec::new(),
        escape: '\\',
        instructions: Vec::new(),
        warnings: Vec::new(),
        source_lines: Vec::new(),
        pragmas: Vec::new(),
    };
    let mut comments: Vec<String> = Vec::new();
    let mut line_no: u32 = 0;

    let mut next_line = |line_no: &mut u32| -> Result<Option<(&str, &str)>, ParseError> {
        let Some((full, bare)) = lines.next() else {
            return Ok(None);
        };
        *line_no += 1;
        if full.len() > MAX_LINE {
            return Err(err(
                *line_no,
                format!(
                    "dockerfile line greater than max allowed size of {}",
                    MAX_LINE - 1
                ),
            ));
        }
        Ok(Some((full, bare)))
    };

    while let Some((_, bare)) = next_line(&mut line_no)? {
        out.source_lines.push(bare.to_string());
        if is_comment(bare) {
            let comment = bare.trim_start()[1..].trim();
            if comment.is_empty() {
                comments.clear();
            } else {
                comments.push(comment.to_string());
            }
            if let Some(ids) = pragma(comment) {
                out.pragmas.push((line_no, ids));
            }
        }
        let stripped = bare.trim_start();
        let lead = (bare.len() - stripped.len()) as u32;
        let lead_chars = bare[..lead as usize].chars().count() as u32;
        if d.look(stripped, line_no)? {
            comments.pop();
        }
        let first = if is_comment(stripped) { "" } else { stripped };
        let start = Pos {
            line: line_no,
            column: lead_chars + 1,
        };
        let (first, mut continued) = match strip_continuation(first, d.escape) {
            Some(s) => (s, true),
            None => (first, false),
        };
        if !continued && first.is_empty() {
            continue;
        }
        let mut logical = String::from(first);
        let mut map = vec![Segment {
            offset: 0,
            pos: start,
        }];
        let mut end = Pos {
            line: line_no,
            column: lead_chars + 1 + stripped.chars().count() as u32,
        };
        let mut empty_continuation = false;
        while continued {
            let Some((_, bare)) = next_line(&mut line_no)? else {
                break;
            };
            out.source_lines.push(bare.to_string());
            d.look(bare, line_no)?;
            if is_comment(bare) {
                if let Some(ids) = pragma(bare.trim_start()[1..].trim()) {
                    out.pragmas.push((line_no, ids));
                }
                continue;
            }
            if bare.trim_start().is_empty() {
                empty_continuation = true;
                continue;
            }
            end = Pos {
                line: line_no,
                column: bare.chars().count() as u32 + 1,
            };
            let piece = match strip_continuation(bare, d.escape) {
                Some(s) => s,
                None => {
                    continued = false;
                    bare
                }
            };
            map.push(Segment {
                offset: logical.len(),
                pos: Pos {
                    line: line_no,
                    column: 1,
                },
            });
            logical.push_str(piece);
        }
        if empty_continuation {
            out.warnings.push(ParseWarning {
                message: format!("Empty continuation line found in: {logical}"),
                line: line_no,
            });
        }
        let start_line = start.line;
        let mut ins = instruction_from_line(&logical, d.escape, std::mem::take(&mut comments))
            .map_err(|m| err(start_line, m))?;
        ins.map = map;
        // Flags carry byte offsets of the logical line until here.
        for i in 0..ins.flags.len() {
            let (s, e) = (ins.flags[i].span.start.column, ins.flags[i].span.end.column);
            ins.flags[i].span = Span {
                start: ins.position(s as usize),
                end: ins.position(e as usize),
            };
        }
        if can_contain_heredoc(&ins) && logical.contains("<<") {
            let docs = args::heredocs_in_line(&logical);
            for mut doc in docs {
                let body_start = Pos {
                    line: line_no + 1,
                    column: 1,
                };
                let mut content = String::new();
                let mut terminated = false;
                while let Some((full, bare)) = next_line(&mut line_no)? {
                    out.source_lines.push(bare.to_string());
                    let candidate = if doc.chomp {
                        bare.trim_start_matches('\t')
                    } else {
                        bare
                    };
                    if candidate == doc.name {
                        terminated = true;
                        end = Pos {
                            line: line_no,
                            column: bare.chars().count() as u32 + 1,
                        };
                        break;
                    }
                    content.push_str(full);
                }
                if !terminated {
                    return Err(err(
                        start_line,
                        format!("unterminated heredoc (delimiter {:?})", doc.name),
                    ));
                }
                doc.content = content;
                doc.span = Span {
                    start: body_start,
                    end,
                };
                ins.heredocs.push(doc);
            }
        }
        ins.span = Span { start, end };
        if let Args::Sub(sub) = &mut ins.args {
            sub.span = ins.span;
            sub.map = ins.map.clone();
            sub.heredocs = std::mem::take(&mut ins.heredocs);
        }
        out.instructions.push(ins);
        comments.clear();
    }
    if out.instructions.is_empty() {
        return Err(err(line_no, "file with no instructions"));
    }
    out.escape = d.escape;
    out.directives = d.found;
    Ok(out)
}

/// `palisade ignore=ID,ID` or `hadolint ignore=DL3008,SC2086` (a trailing
/// `# reason` is allowed).
fn pragma(comment: &str) -> Option<Vec<String>> {
    let rest = comment
        .strip_prefix("palisade")
        .or_else(|| comment.strip_prefix("hadolint"))?;
    let rest = rest.trim_start().strip_prefix("ignore")?;
    let rest = rest.trim_start().strip_prefix('=')?;
    let rest = rest.split('#').next().unwrap_or("");
    let ids: Vec<String> = rest
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// RUN, COPY and ADD in shell form may carry heredocs (also under ONBUILD).
fn can_contain_heredoc(ins: &Instruction) -> bool {
    let target = match &ins.args {
        Args::Sub(sub) => sub.as_ref(),
        _ => ins,
    };
    ["run", "copy", "add"].iter().any(|k| target.is(k)) && !target.is_exec_form()
}

/// Splits one logical line into keyword, flags and arguments, and parses the
/// arguments the way the keyword's BuildKit line parser does.
pub(crate) fn instruction_from_line(
    line: &str,
    escape: char,
    comments: Vec<String>,
) -> Result<Instruction, String> {
    let split = split_command(line, escape);
    let keyword = split.keyword.to_string();
    let rest = split.args;
    let parsed = match keyword.to_ascii_lowercase().as_str() {
        "add" | "copy" | "volume" => args::maybe_json_to_list(rest)?,
        "arg" => args::name_or_name_val(rest, escape),
        "cmd" | "entrypoint" | "run" | "shell" => args::maybe_json(rest)?,
        "env" => args::name_val(rest, "ENV", escape)?,
        "label" => args::name_val(rest, "LABEL", escape)?,
        "expose" | "from" => args::whitespace_words(rest),
        "healthcheck" => args::health(rest)?,
        "maintainer" | "stopsignal" | "user" | "workdir" => args::single(rest),
        "onbuild" => {
            if rest.is_empty() {
                Args::None
            } else {
                let mut sub = instruction_from_line(rest, escape, Vec::new())?;
                // Offsets of the sub-instruction are relative to `rest`.
                sub.args_offset += split.args_offset;
                sub.line = line.to_string();
                for f in &mut sub.flags {
                    f.span = Span::default();
                }
                Args::Sub(Box::new(sub))
            }
        }
        _ => Args::Ignored,
    };
    Ok(Instruction {
        keyword,
        flags: split.flags,
        args: parsed,
        heredocs: Vec::new(),
        line: line.to_string(),
        args_offset: split.args_offset,
        span: Span::default(),
        comments,
        map: Vec::new(),
    })
}
