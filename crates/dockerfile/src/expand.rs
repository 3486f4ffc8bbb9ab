//! Variable substitution in instruction arguments, with the semantics of
//! BuildKit's shell lexer (`frontend/dockerfile/shell`): quotes removed,
//! escapes honoured, `$a ${a} ${a:-b} ${a-b} ${a:+b} ${a+b} ${a:?msg}
//! ${a?msg} ${a#p} ${a##p} ${a%p} ${a%%p} ${a/p/r} ${a//p/r}`.

/// Where variable values come from.
pub trait Env {
    fn get(&self, name: &str) -> Option<&str>;
}

impl Env for [(String, String)] {
    fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Env for Vec<(String, String)> {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self.as_slice(), name)
    }
}

/// Expands one word. Errors are BuildKit's (`bad substitution`, `missing '}'`,
/// unterminated quotes, `${a:?}` on an unset variable, …).
pub fn expand_word(word: &str, env: &dyn Env, escape: char) -> Result<String, String> {
    let mut lx = Lexer {
        chars: word.chars().collect(),
        pos: 0,
        env,
        escape,
        depth: 0,
    };
    lx.process_until(None, false)
}

struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    env: &'a dyn Env,
    escape: char,
    depth: u32,
}

/// Nesting bound for `${a:-${b:-${c}}}` (hostile input must not overflow the stack).
const MAX_DEPTH: u32 = 64;

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn process_until(&mut self, stop: Option<char>, raw_escapes: bool) -> Result<String, String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += 1;
                return Ok(out);
            }
            match c {
                '$' => out.push_str(&self.dollar()?),
                '\'' => out.push_str(&self.single_quote()?),
                '"' => out.push_str(&self.double_quote()?),
                _ => {
                    self.pos += 1;
                    if c == self.escape {
                        if raw_escapes {
                            out.push(c);
                        }
                        match self.next() {
                            Some(n) => out.push(n),
                            None => break,
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
        }
        match stop {
            Some(s) => Err(format!(
                "unexpected end of statement while looking for matching {s}"
            )),
            None => Ok(out),
        }
    }

    fn single_quote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    );
                }
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    );
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(c) => {
                    self.pos += 1;
                    if c == self.escape {
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.pos += 1;
                                out.push(n);
                                continue;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && c.is_ascii_digit() {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                return c.to_string();
            }
            if !(c.is_alphanumeric() || c == '_') {
                break;
            }
            name.push(c);
            self.pos += 1;
        }
        name
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("substitutions nested too deeply".into());
        }
        let r = self.dollar_inner();
        self.depth -= 1;
        r
    }

    fn dollar_inner(&mut self) -> Result<String, String> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(self.env.get(&name).unwrap_or("").to_string());
        }
        self.pos += 1;
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            _ => {}
        }
        let name = self.name();
        let Some(mut op) = self.next() else {
            return Err("syntax error: missing '}'".into());
        };
        let value = self.env.get(&name).map(str::to_string);
        let mut null_is_unset = false;
        match op {
            '}' => Ok(value.unwrap_or_default()),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                if op == ':' {
                    null_is_unset = true;
                    op = self.next().unwrap_or('\0');
                    if !matches!(op, '+' | '-' | '?') {
                        return Err(format!("unsupported modifier (:{op}) in substitution"));
                    }
                }
                let raw = op == '#' || op == '%';
                let word = self.process_until(Some('}'), raw).map_err(|e| {
                    if self.peek().is_none() {
                        "syntax error: missing '}'".to_string()
                    } else {
                        e
                    }
                })?;
                let empty = value
                    .as_deref()
                    .is_none_or(|v| null_is_unset && v.is_empty());
                match op {
                    '-' => Ok(if empty {
                        word
                    } else {
                        value.unwrap_or_default()
                    }),
                    '+' => Ok(if empty { String::new() } else { word }),
                    '?' => match value {
                        Some(v) if !(null_is_unset && v.is_empty()) => Ok(v),
                        Some(_) => Err(format!(
                            "{name}: {}",
                            if word.is_empty() {
                                "is not allowed to be empty"
                            } else {
                                &word
                            }
                        )),
                        None => Err(format!(
                            "{name}: {}",
                            if word.is_empty() {
                                "is not allowed to be unset"
                            } else {
                                &word
                            }
                        )),
                    },
                    _ => {
                        let v = value.unwrap_or_default();
                        let (greedy, pat) = match word.strip_prefix(op) {
                            Some(p) => (true, p.to_string()),
                            None => (false, word),
                        };
                        Ok(trim_pattern(&v, &pat, op == '#', greedy))
                    }
                }
            }
            '/' => {
                let all = self.peek() == Some('/');
                if all {
                    self.pos += 1;
                }
                let pat = self.process_until(Some('/'), true)?;
                let rep = self.process_until(Some('}'), true)?;
                let v = value.unwrap_or_default();
                Ok(replace_pattern(&v, &pat, &rep, all))
            }
            c => Err(format!("unsupported modifier ({c}) in substitution")),
        }
    }
}

/// Does the glob `pat` (`*`, `?`, `\x`) match all of `s`?
fn glob(pat: &[char], s: &[char]) -> bool {
    // Iterative matcher with one backtrack point: linear in practice, no recursion.
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match pat.get(p) {
            Some('*') => {
                star = Some((p, i));
                p += 1;
                continue;
            }
            Some('?') => {
                p += 1;
                i += 1;
                continue;
            }
            Some('\\') if pat.get(p + 1) == Some(&s[i]) => {
                p += 2;
                i += 1;
                continue;
            }
            Some(&c) if c == s[i] && c != '\\' => {
                p += 1;
                i += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, si)) => {
                p = sp + 1;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|&c| c == '*')
}

fn trim_pattern(v: &str, pat: &str, prefix: bool, greedy: bool) -> String {
    let s: Vec<char> = v.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let lens: Vec<usize> = if greedy {
        (0..=s.len()).rev().collect()
    } else {
        (0..=s.len()).collect()
    };
    for n in lens {
        let (part, keep) = if prefix {
            (&s[..n], &s[n..])
        } else {
            (&s[s.len() - n..], &s[..s.len() - n])
        };
        if glob(&p, part) {
            return keep.iter().collect();
        }
    }
    v.to_string()
}

fn replace_pattern(v: &str, pat: &str, rep: &str, all: bool) -> String {
    let s: Vec<char> = v.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut replaced = false;
    while i < s.len() {
        if !replaced || all {
            // Longest match starting at i.
            if let Some(n) = (1..=s.len() - i).rev().find(|&n| glob(&p, &s[i..i + n])) {
                out.push_str(rep);
                i += n;
                replaced = true;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(String, String)> {
        vec![
            ("a".into(), "x".into()),
            ("empty".into(), String::new()),
            ("path".into(), "/usr/local/bin".into()),
        ]
    }

    fn ex(w: &str) -> Result<String, String> {
        expand_word(w, &env(), '\\')
    }

    #[test]
    fn forms() {
        assert_eq!(ex("$a").unwrap(), "x");
        assert_eq!(ex("${a}b").unwrap(), "xb");
        assert_eq!(ex("$unset-").unwrap(), "-");
        assert_eq!(ex("${unset:-d}").unwrap(), "d");
        assert_eq!(ex("${empty:-d}").unwrap(), "d");
        assert_eq!(ex("${empty-d}").unwrap(), "");
        assert_eq!(ex("${unset-d}").unwrap(), "d");
        assert_eq!(ex("${a:+y}").unwrap(), "y");
        assert_eq!(ex("${empty:+y}").unwrap(), "");
        assert_eq!(ex("${empty+y}").unwrap(), "y");
        assert_eq!(ex("${unset+y}").unwrap(), "");
        assert_eq!(ex("${unset:-${a}}").unwrap(), "x");
        assert_eq!(ex("${path#*/}").unwrap(), "usr/local/bin");
        assert_eq!(ex("${path##*/}").unwrap(), "bin");
        assert_eq!(ex("${path%/*}").unwrap(), "/usr/local");
        assert_eq!(ex("${path%%/*}").unwrap(), "");
        assert_eq!(ex("${path/local/opt}").unwrap(), "/usr/opt/bin");
        assert!(
            ex("${unset:?must be set}")
                .unwrap_err()
                .contains("must be set")
        );
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(ex("'$a'").unwrap(), "$a");
        assert_eq!(ex("\"$a y\"").unwrap(), "x y");
        assert_eq!(ex("\\$a").unwrap(), "$a");
        assert_eq!(ex("\"\\$a\"").unwrap(), "$a");
        assert_eq!(expand_word("`$a", &env(), '`').unwrap(), "$a");
    }

    #[test]
    fn errors() {
        assert!(ex("${").is_err());
        assert!(ex("${}").is_err());
        assert!(ex("${a").is_err());
        assert!(ex("'open").is_err());
        assert!(ex("\"open").is_err());
        assert!(ex("${a:#x}").is_err());
        let deep = "${a:-".repeat(10_000);
        assert!(ex(&deep).is_err());
    }
}
