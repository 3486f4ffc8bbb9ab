//! A JSON reader that keeps the line and column of every value, so policy
//! errors can point at the element that is wrong. serde_json decides
//! whether the text is valid JSON (and where it is not) and decodes string
//! and number literals; this module only adds positions.

use std::fmt;

/// Largest policy document read, in bytes. AWS caps policies at 10 KiB
/// (repository) and 20 KiB (endpoint); 1 MiB leaves room without letting
/// a hostile file exhaust memory.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Deepest nesting accepted (policies need 5 levels).
pub const MAX_DEPTH: usize = 32;

/// 1-based line and column (in characters) of a value's first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Spanned>),
    /// Members in document order (duplicates are rejected while parsing).
    Object(Vec<(String, Spanned)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub pos: Pos,
    pub value: Value,
}

impl Spanned {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct JsonError {
    pub pos: Pos,
    pub message: String,
}

/// Parses `text` into a positioned value tree.
pub fn parse(text: &str) -> Result<Spanned, JsonError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(JsonError {
            pos: Pos { line: 1, column: 1 },
            message: format!(
                "document is {} bytes, more than the {MAX_DOCUMENT_BYTES} accepted",
                text.len()
            ),
        });
    }
    // serde_json is the judge of validity and gives the error position.
    // Its own recursion limit (128) is above ours, checked below.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let msg = e.to_string();
        // serde_json appends " at line L column C"; keep only the reason.
        let reason = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(r, _)| r)
            .to_string();
        return Err(JsonError {
            pos: Pos {
                line: e.line().max(1) as u32,
                column: e.column().max(1) as u32,
            },
            message: format!("invalid JSON: {reason}"),
        });
    }
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        line_start: 0,
    };
    p.skip_ws();
    p.value(0)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    line: u32,
    line_start: usize,
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        let column = self.text[self.line_start..self.at].chars().count() as u32 + 1;
        Pos {
            line: self.line,
            column,
        }
    }

    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            pos: self.pos(),
            message: message.into(),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.line_start = self.at;
                }
                b' ' | b'\t' | b'\r' => self.at += 1,
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Spanned, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        let pos = self.pos();
        let value = match self.bytes.get(self.at) {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(_) => self.number()?,
            None => return Err(self.error("unexpected end of document")),
        };
        Ok(Spanned { pos, value })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        while let Some(&b) = self.bytes.get(self.at) {
            if b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.at += 1;
            } else {
                break;
            }
        }
        serde_json::from_str::<serde_json::Number>(&self.text[start..self.at])
            .map(Value::Number)
            .map_err(|e| self.error(format!("invalid number: {e}")))
    }

    /// A string literal, decoded by serde_json (escapes, surrogates).
    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.at;
        self.at += 1;
        loop {
            match self.bytes.get(self.at) {
                Some(b'\\') => self.at += 2,
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(_) => self.at += 1,
                None => return Err(self.error("unterminated string")),
            }
        }
        let literal = self
            .text
            .get(start..self.at)
            .ok_or_else(|| self.error("invalid string"))?;
        serde_json::from_str::<String>(literal)
            .map_err(|e| self.error(format!("invalid string: {e}")))
    }

    fn expect(&mut self, b: u8) -> Result<(), JsonError> {
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&b) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected {:?}", b as char)))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.at += 1;
        let mut members: Vec<(String, Spanned)> = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            let key_pos = self.pos();
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                return Err(JsonError {
                    pos: key_pos,
                    message: format!("duplicate key {key:?}"),
                });
            }
            self.expect(b':')?;
            self.skip_ws();
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_values() {
        let v = parse("{\n  \"a\": [1, \"x\\u00e9\"],\n  \"b\": {\"c\": null}\n}").unwrap();
        let Value::Object(m) = &v.value else { panic!() };
        assert_eq!(m[0].1.pos, Pos { line: 2, column: 8 });
        let Value::Array(a) = &m[0].1.value else {
            panic!()
        };
        assert_eq!(
            a[1].pos,
            Pos {
                line: 2,
                column: 12
            }
        );
        assert_eq!(a[1].as_str(), Some("xé"));
        assert_eq!(m[1].1.pos, Pos { line: 3, column: 8 });
    }

    #[test]
    fn invalid_json_has_position() {
        let e = parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(e.pos.line, 3);
        assert!(e.message.starts_with("invalid JSON"), "{e}");
    }

    #[test]
    fn duplicate_keys_and_depth_rejected() {
        let e = parse("{\"a\":1,\n \"a\":2}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 2, column: 2 });
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
    }
}
