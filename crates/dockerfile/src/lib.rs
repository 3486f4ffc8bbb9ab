//! Dockerfile support for palisade: a parser that accepts what BuildKit
//! accepts (with source positions on every node), variable expansion with
//! BuildKit's ARG scoping, shell analysis of RUN, and the lint rules.

mod args;
pub mod ast;
pub mod dump;
pub mod parser;

pub use ast::{Args, Directive, Dockerfile, Flag, Heredoc, Instruction, KeyValue, Pos, Span};
pub use parser::{ParseError, parse, parse_bytes};
pub mod custom;
pub mod expand;
pub mod lint;
pub mod rules;
pub mod shell;
pub mod stages;
