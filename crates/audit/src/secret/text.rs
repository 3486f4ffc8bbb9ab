//! Small byte-level helpers shared by the rules: entropy, boundaries,
//! placeholders, redaction.

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    let mut distinct = Vec::with_capacity(64);
    for &b in s {
        if counts[b as usize] == 0 {
            distinct.push(b);
        }
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    distinct
        .iter()
        .map(|&b| {
            let p = counts[b as usize] as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Characters tokens are made of (`[A-Za-z0-9_]`).
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `text[start..end]` is not glued to more token characters on
/// either side (`extra` are further characters that continue a token).
pub(crate) fn bounded(text: &[u8], start: usize, end: usize, extra: &[u8]) -> bool {
    let cont = |b: u8| is_word(b) || extra.contains(&b);
    (start == 0 || !cont(text[start - 1])) && (end >= text.len() || !cont(text[end]))
}

/// Length of the run of bytes matching `pred` from `from`, looking at most
/// `max` bytes (so a result of `max` means "at least `max`").
pub(crate) fn run(text: &[u8], from: usize, max: usize, pred: impl Fn(u8) -> bool) -> usize {
    text.get(from..)
        .unwrap_or_default()
        .iter()
        .take(max)
        .take_while(|&&b| pred(b))
        .count()
}

/// `prefix` followed by one `*` per hidden character (at most 64).
pub(crate) fn mask(prefix: &str, hidden: usize) -> String {
    let mut s = String::with_capacity(prefix.len() + hidden.min(64));
    s.push_str(prefix);
    s.extend(std::iter::repeat_n('*', hidden.min(64)));
    s
}

/// Printable, length-bounded rendering of a key, user or host name for a
/// redacted match (never of a secret value). Token-like runs (16 or more
/// letters and digits, mixed) are masked too: a key or user name can itself
/// be a token (`https://ghp_...:x-oauth-basic@github.com`).
pub(crate) fn show(bytes: &[u8], max: usize) -> String {
    let bytes = &bytes[..bytes.len().min(max)];
    let mut s = String::with_capacity(bytes.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        let run = run(bytes, i, usize::MAX, |b| b.is_ascii_alphanumeric());
        if run >= 16 {
            let (lower, upper, digit, _) = classes(&bytes[i..i + run]);
            if digit && (lower || upper) {
                s.push_str("****");
                i += run;
                continue;
            }
        }
        if run > 0 {
            s.extend(bytes[i..i + run].iter().map(|&b| b as char));
            i += run;
            continue;
        }
        let b = bytes[i];
        s.push(if b.is_ascii_graphic() || b == b' ' {
            b as char
        } else {
            '?'
        });
        i += 1;
    }
    if bytes.len() == max && max > 0 {
        s.push('…');
    }
    s
}

/// Character classes present: lower, upper, digit, other.
pub(crate) fn classes(v: &[u8]) -> (bool, bool, bool, bool) {
    let mut c = (false, false, false, false);
    for &b in v {
        match b {
            b'a'..=b'z' => c.0 = true,
            b'A'..=b'Z' => c.1 = true,
            b'0'..=b'9' => c.2 = true,
            _ => c.3 = true,
        }
    }
    c
}

/// Lower-cased fragments that mark a value as an example, a template
/// variable or a reference instead of a secret.
const PLACEHOLDER_FRAGMENTS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "example",
    "sample",
    "placeholder",
    "dummy",
    "redacted",
    "your_",
    "your-",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "xxxx",
    "****",
    "....",
    "${",
    "$(",
    "{{",
    "}}",
    "%(",
    "#{",
    "<%",
    "%s",
    "%d",
    "replace",
    "insert",
    "enter_",
    "enter-",
    "_here",
    "-here",
    "todo",
    "fixme",
    "secret_key_base_",
    "notasecret",
    "not-a-secret",
    "not_a_secret",
];

/// Whole lower-cased values that are not secrets.
const PLACEHOLDER_VALUES: &[&str] = &[
    // The word itself, not a value that merely contains it: `SuperPassword2024!`
    // is a (weak) real password and must be reported.
    "password",
    "passwd",
    "null",
    "nil",
    "none",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "undefined",
    "empty",
    "default",
    "required",
    "optional",
    "string",
    "str",
    "text",
    "int",
    "bool",
    "boolean",
    "secret",
    "secrets",
    "token",
    "test",
    "testing",
    "admin",
    "root",
    "guest",
    "user",
    "username",
    "pass",
    "pwd",
    "anonymous",
    "unset",
    "unknown",
    "disabled",
    "enabled",
    "hidden",
    "masked",
    "prompt",
    "bearer",
    "basic",
];

/// Whether a candidate value is an obvious placeholder, reference, path
/// or URL without credentials.
pub(crate) fn is_placeholder(v: &[u8]) -> bool {
    let Some(&first) = v.first() else {
        return true;
    };
    // References and template syntax: $VAR, %VAR%, {...}, <...>, [..], @Value,
    // YAML anchors/aliases/tags, paths, function calls, Jasypt ENC(...).
    if matches!(
        first,
        b'$' | b'%'
            | b'{'
            | b'<'
            | b'['
            | b'('
            | b'@'
            | b'&'
            | b'*'
            | b'!'
            | b'~'
            | b'/'
            | b'\\'
            | b'#'
    ) {
        return true;
    }
    if v.starts_with(b"./") || v.starts_with(b"../") || v.contains(&b'(') {
        return true;
    }
    if v.windows(3).any(|w| w == b"://") {
        return true;
    }
    if v.iter().all(|&b| b == first) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_VALUES
        .iter()
        .any(|p| p.as_bytes() == lower.as_slice())
    {
        return true;
    }
    if PLACEHOLDER_FRAGMENTS
        .iter()
        .any(|f| contains(&lower, f.as_bytes()))
    {
        return true;
    }
    // Environment-variable references without the dollar (`MY_SECRET_VAR`),
    // dotted property references (`spring.datasource.password`).
    if v.iter()
        .all(|&b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
        && v.contains(&b'_')
    {
        return true;
    }
    // A relative file name: `conf/secret.key`, `token.txt`.
    if looks_like_file_name(v) {
        return true;
    }
    false
}

/// Whether `needle` occurs in `hay` (short inputs: a plain scan beats
/// building a searcher).
pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// `something.ext` or `dir/file.ext`, with a short alphabetic extension.
fn looks_like_file_name(v: &[u8]) -> bool {
    let Some(dot) = v.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = &v[dot + 1..];
    (2..=5).contains(&ext.len())
        && ext.iter().all(|b| b.is_ascii_lowercase())
        && v[..dot]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_values() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(entropy(b"cfwCoDPswuyvSByB7Ri2WOpXj/oYGTdL2OU8NNm1") > 4.5);
    }

    #[test]
    fn placeholders() {
        for v in [
            "changeme",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "<your-token>",
            "xxxxxxxxxxxx",
            "example-password-1",
            "password",
            "null",
            "true",
            "/run/secrets/db",
            "https://example.org/token",
            "{{ .Values.password }}",
            "MY_SECRET_VAR",
            "conf/secret.key",
            "ENC(abcdef123456)",
            "",
        ] {
            assert!(is_placeholder(v.as_bytes()), "{v}");
        }
        for v in [
            "dev-only-Pa55w0rd-FAKE",
            "hunter2hunter2",
            "S3cr3t!Value",
            "Zm9vYmFyYmF6cXV4",
        ] {
            assert!(!is_placeholder(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn boundaries_and_masks() {
        assert!(bounded(b" abc ", 1, 4, b""));
        assert!(!bounded(b"xabc", 1, 4, b""));
        assert!(!bounded(b"abc-", 0, 3, b"-"));
        assert_eq!(mask("AKIA", 16), "AKIA****************");
        assert_eq!(show(b"ab\x01", 10), "ab?");
        assert_eq!(show(b"abcdef", 3), "abc…");
        assert_eq!(show(b"DB_PASSWORD", 96), "DB_PASSWORD");
        assert_eq!(
            show(b"ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG", 96),
            "ghp_****"
        );
        assert_eq!(show(b"db.internal:5432", 96), "db.internal:5432");
    }
}
