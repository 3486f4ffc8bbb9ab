//! The syntax tree of a Dockerfile, as BuildKit's parser builds it, with
//! source positions on every node.

use serde::Serialize;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A source range: `start` is the first character, `end` is one past the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// A parser directive at the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-case name.
    pub name: String,
    pub value: String,
    pub line: u32,
}

/// A build flag such as `--from=build` or `--mount=type=cache,target=/x`,
/// with quotes and escapes already removed (as BuildKit does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// The whole flag as BuildKit keeps it, e.g. `--from=build`.
    pub raw: String,
    /// The name without dashes, e.g. `from`.
    pub name: String,
    /// The value after `=`, if any.
    pub value: Option<String>,
    pub span: Span,
}

/// One `KEY=value` (or old-style `KEY value`) of ENV and LABEL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub key: String,
    /// The value as written (quotes kept; BuildKit removes them when it expands).
    pub value: String,
    /// `"="` for the `KEY=value` form, `""` for the old `KEY value` form.
    pub separator: &'static str,
}

/// The arguments of an instruction, in the shape BuildKit's line parser for
/// that instruction gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Args {
    /// No arguments (e.g. `CMD` alone).
    None,
    /// Exec form: a JSON array of strings.
    Json(Vec<String>),
    /// Shell form or a single string (RUN, CMD, ENTRYPOINT, SHELL, USER,
    /// WORKDIR, MAINTAINER, STOPSIGNAL).
    Text(String),
    /// Whitespace-separated words (FROM, EXPOSE, ADD/COPY/VOLUME in
    /// non-JSON form) or ARG's `name[=value]` words.
    Words(Vec<String>),
    /// ENV and LABEL.
    Pairs(Vec<KeyValue>),
    /// HEALTHCHECK: the type (`CMD`, `NONE`) and its command.
    Health { kind: String, command: Box<Args> },
    /// ONBUILD's instruction.
    Sub(Box<Instruction>),
    /// An unknown instruction: BuildKit's parser keeps it but ignores its
    /// arguments (the builder rejects it later).
    Ignored,
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter word, quotes removed.
    pub name: String,
    /// The file descriptor before `<<` (0 when absent).
    pub fd: u32,
    /// False when the delimiter was quoted: the body is not expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are removed from the body.
    pub chomp: bool,
    /// The body, every line with its newline; the terminator line excluded.
    pub content: String,
    /// The body's lines (terminator included).
    pub span: Span,
}

/// One instruction. Continuation lines are joined into `line`, exactly as
/// BuildKit joins them; `map` turns a byte offset of `line` back into a
/// source position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instruction {
    /// The keyword as written (`run`, `RUN`, …).
    pub keyword: String,
    pub flags: Vec<Flag>,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
    /// The logical line (continuations joined, comments dropped).
    pub line: String,
    /// Byte offset in `line` where the arguments (after the flags) start.
    pub args_offset: usize,
    /// From the keyword to the end of the last line (heredocs included).
    pub span: Span,
    /// Comment lines directly above the instruction.
    pub comments: Vec<String>,
    #[serde(skip)]
    pub(crate) map: Vec<Segment>,
}

/// One physical piece of a logical line: bytes `offset..` of the logical
/// line start at `pos` in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    pub offset: usize,
    pub pos: Pos,
}

impl Instruction {
    /// The keyword in upper case (`RUN`).
    pub fn name(&self) -> String {
        self.keyword.to_ascii_uppercase()
    }

    /// Is this instruction `name` (case-insensitive)?
    pub fn is(&self, name: &str) -> bool {
        self.keyword.eq_ignore_ascii_case(name)
    }

    /// The value of flag `--name`, last one winning (as BuildKit's flag parser does).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// All values of a repeatable flag such as `--mount`.
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |f| f.name == name)
            .filter_map(|f| f.value.as_deref())
    }

    /// Whether the arguments are in exec (JSON) form.
    pub fn is_exec_form(&self) -> bool {
        match &self.args {
            Args::Json(_) => true,
            Args::Health { command, .. } => matches!(**command, Args::Json(_)),
            _ => false,
        }
    }

    /// The words of the arguments (Words or Json), or an empty slice.
    pub fn words(&self) -> &[String] {
        match &self.args {
            Args::Words(w) | Args::Json(w) => w,
            _ => &[],
        }
    }

    /// The text of a shell-form or single-string argument.
    pub fn text(&self) -> Option<&str> {
        match &self.args {
            Args::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The source position of byte `offset` of [`Instruction::line`].
    pub fn position(&self, offset: usize) -> Pos {
        let Some(seg) = self.map.iter().rev().find(|s| s.offset <= offset) else {
            return self.span.start;
        };
        let end = offset.min(self.line.len());
        let chars = self
            .line
            .get(seg.offset..end)
            .map_or(0, |s| s.chars().count());
        Pos {
            line: seg.pos.line,
            column: seg.pos.column + chars as u32,
        }
    }

    /// The source position where the arguments start.
    pub fn args_position(&self) -> Pos {
        self.position(self.args_offset)
    }
}

/// A warning BuildKit also gives (the parse still succeeds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseWarning {
    pub message: String,
    pub line: u32,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    /// The escape character: `\` or `` ` ``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub warnings: Vec<ParseWarning>,
    /// The source split in lines (without line endings), for carets in reports.
    #[serde(skip)]
    pub source_lines: Vec<String>,
    /// `# palisade ignore=` / `# hadolint ignore=` pragmas: (line, rule ids).
    #[serde(skip)]
    pub pragmas: Vec<(u32, Vec<String>)>,
}

impl Dockerfile {
    /// The directive `name` (lower case), if present.
    pub fn directive(&self, name: &str) -> Option<&str> {
        self.directives
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_str())
    }
}
