//! BuildKit's AST dump format (`Node.Dump()`), used to check the parser
//! against BuildKit's own expected results (`testfiles/*/result`).

use crate::ast::{Args, Dockerfile, Instruction};

/// The dump of a whole file, one `(instruction …)` per line.
pub fn dump(df: &Dockerfile) -> String {
    let mut out = String::new();
    for ins in &df.instructions {
        out.push('(');
        out.push_str(&dump_instruction(ins));
        out.push_str(")\n");
    }
    out
}

fn dump_instruction(ins: &Instruction) -> String {
    let mut s = ins.keyword.to_lowercase();
    if !ins.flags.is_empty() {
        let flags: Vec<String> = ins.flags.iter().map(|f| go_quote(&f.raw)).collect();
        s.push_str(&format!(" [{}]", flags.join(" ")));
    }
    let mut values: Vec<String> = Vec::new();
    push_args(&ins.args, &mut values);
    for v in values {
        s.push(' ');
        s.push_str(&v);
    }
    s.trim().to_string()
}

fn push_args(args: &Args, out: &mut Vec<String>) {
    match args {
        Args::None => {}
        Args::Ignored => out.push(go_quote("")),
        Args::Text(t) => out.push(go_quote(t)),
        Args::Json(v) | Args::Words(v) => out.extend(v.iter().map(|w| go_quote(w))),
        Args::Pairs(p) => {
            for kv in p {
                out.push(go_quote(&kv.key));
                out.push(go_quote(&kv.value));
                out.push(go_quote(kv.separator));
            }
        }
        Args::Health { kind, command } => {
            out.push(go_quote(kind));
            push_args(command, out);
        }
        Args::Sub(sub) => out.push(format!("({})", dump_instruction(sub))),
    }
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
