//! Secret detection for `palisade image --scanners secret`: private keys,
//! cloud and SaaS tokens, credentials in URLs and passwords in
//! configuration baked into an image (EKS image-security guide: no secrets
//! in images).
//!
//! # How a file is scanned
//!
//! 1. [`should_scan_path`] drops documentation, man pages, translations,
//!    shared libraries, archives, media and fonts, and test fixtures inside
//!    installed packages; [`is_binary`] drops executables and other binary
//!    content; files above [`MAX_SCAN_BYTES`] are skipped.
//! 2. One Aho-Corasick pass looks for keywords (`PRIVATE KEY`, `AKIA`,
//!    `ghp_`, `glpat-`, `xox`, `npm_`, `://`, `secret`, and for
//!    configuration files also `password`, `token`, `auth`, …). A file
//!    without any keyword is done after that one pass.
//! 3. Around each keyword hit the scanner takes the line (at most 1 KiB on
//!    either side of the hit for very long lines) and runs only the rules of
//!    the keyword's family there. Every regex is linear-time (the `regex`
//!    crate), windows overlap at most by half, so the work stays linear in
//!    the file size whatever the content.
//! 4. Matches that cover the same text are reduced to the most specific
//!    rule (a `ghp_` token assigned to `GITHUB_TOKEN` is a GitHub token, not
//!    a generic secret), numbered by line, capped at [`MAX_MATCHES`].
//!
//! Generic assignments (`DB_PASSWORD=...`) are only looked for in
//! configuration and credentials files (by path), in image config values
//! and in build steps: source code and prose mention passwords everywhere.
//!
//! # Redaction
//!
//! A [`SecretMatch`] never holds a secret value. Tokens with a fixed type
//! prefix keep that prefix (`AKIA`, `ghp_`, `github_pat_`, `glpat-`,
//! `xoxb-`, `npm_`: it carries no entropy and tells the reader what to
//! rotate) followed by one `*` per hidden character; assignments keep the
//! key (`DB_PASSWORD=<redacted>`); URLs keep scheme, user and host; private
//! keys keep the armour line only.

mod aws;
mod binary;
mod generic;
mod github;
mod gitlab;
mod npm;
mod path;
mod private_key;
pub mod rules;
mod slack;
mod text;
mod url;

pub use binary::is_binary;
pub use path::should_scan_path;
pub use rules::{RULES, Rule};

use aho_corasick::AhoCorasick;
use palisade_model::REDACTED;
use palisade_model::Severity;
use path::{Generic, PathKind};
use std::sync::LazyLock;

/// Largest file content scanned, 4 MiB: configuration, key and credentials
/// files are tiny, and 4 MiB still covers bundled/minified JavaScript where
/// hard-coded tokens tend to hide. Bigger files are skipped by
/// [`scan_file`] (and the walk is told the same limit, so it never reads
/// them).
pub const MAX_SCAN_BYTES: u64 = 4 << 20;

/// At most this many matches are reported per file or value (a generated
/// file full of tokens must not flood the report).
pub const MAX_MATCHES: usize = 100;

/// One secret found. Never holds the secret value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    /// Stable id, e.g. "aws-access-key-id".
    pub rule: &'static str,
    /// E.g. "AWS access key ID".
    pub title: &'static str,
    pub severity: Severity,
    /// 1-based line in the file or value (1 for single values).
    pub line: u32,
    /// The matched text with the secret part replaced, e.g.
    /// "AKIA****************" or "-----BEGIN RSA PRIVATE KEY----- <redacted>".
    pub redacted: String,
}

/// A match inside the scanner, with offsets for deduplication.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) rule: &'static Rule,
    /// The secret's byte range (what overlapping matches are compared by).
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Where the match text starts (key, header, URL), for its line number.
    pub(crate) line_at: usize,
    pub(crate) redacted: String,
}

/// A slice of the content that rules run on: a line, or a piece of a
/// very long line.
pub(crate) struct Window<'a> {
    pub(crate) text: &'a [u8],
    /// Offset of `text` in the whole content.
    pub(crate) base: usize,
    /// Whether `text` starts at the start of a line.
    pub(crate) line_start: bool,
}

/// `KEY=<redacted>` / `key: <redacted>` for an assignment match.
pub(crate) fn assignment_redacted(key: &[u8], sep: u8) -> String {
    let key = text::show(key.trim_ascii(), 96);
    match sep {
        b':' => format!("{key}: {REDACTED}"),
        _ => format!("{key}={REDACTED}"),
    }
}

// Rule families, as bits: which rules a keyword hit triggers.
const PEM: u16 = 1;
const AWS_ID: u16 = 1 << 1;
const GITHUB: u16 = 1 << 2;
const GITLAB: u16 = 1 << 3;
const SLACK_TOKEN: u16 = 1 << 4;
const SLACK_HOOK: u16 = 1 << 5;
const NPM: u16 = 1 << 6;
const URL: u16 = 1 << 7;
/// `secret`: AWS secret access keys everywhere, generic assignments in config.
const SECRET: u16 = 1 << 8;
/// Other credential words: generic assignments in config only.
const GENERIC: u16 = 1 << 9;

/// Keywords of the precise rules (searched in every file). Case-sensitive:
/// the token prefixes are, and `secret` is given in its three spellings
/// (`secret_key`, `SECRET_KEY`, `awsSecretKey`).
const PRECISE_KEYWORDS: &[(&str, u16)] = &[
    ("PRIVATE KEY", PEM),
    ("AKIA", AWS_ID),
    ("ASIA", AWS_ID),
    ("ABIA", AWS_ID),
    ("ACCA", AWS_ID),
    ("ghp_", GITHUB),
    ("gho_", GITHUB),
    ("ghu_", GITHUB),
    ("ghs_", GITHUB),
    ("ghr_", GITHUB),
    ("github_pat_", GITHUB),
    ("glpat-", GITLAB),
    ("xoxb-", SLACK_TOKEN),
    ("xoxa-", SLACK_TOKEN),
    ("xoxp-", SLACK_TOKEN),
    ("xoxr-", SLACK_TOKEN),
    ("xoxs-", SLACK_TOKEN),
    ("hooks.slack.com", SLACK_HOOK),
    ("npm_", NPM),
    ("://", URL),
    ("secret", SECRET),
    ("SECRET", SECRET),
    ("Secret", SECRET),
];

/// Credential words of the generic rule, in the spellings that occur in
/// keys: lower (`db_password`), upper (`DB_PASSWORD`), capitalised
/// (`dbPassword`). The regexes behind them are case-insensitive.
const GENERIC_KEYWORDS: &[&str] = &[
    "pass",
    "PASS",
    "Pass",
    "pwd",
    "PWD",
    "Pwd",
    "token",
    "TOKEN",
    "Token",
    "apikey",
    "APIKEY",
    "ApiKey",
    "apiKey",
    "APIKey",
    "api_key",
    "API_KEY",
    "api-key",
    "API-KEY",
    "Api-Key",
    "auth",
    "AUTH",
    "Auth",
    "credential",
    "CREDENTIAL",
    "Credential",
    "private_key",
    "PRIVATE_KEY",
    "privateKey",
    "PrivateKey",
    "private-key",
];

struct Keywords {
    ac: AhoCorasick,
    family: Vec<u16>,
}

fn keywords(generic: bool) -> Keywords {
    let mut words: Vec<&str> = PRECISE_KEYWORDS.iter().map(|(w, _)| *w).collect();
    let mut family: Vec<u16> = PRECISE_KEYWORDS.iter().map(|(_, f)| *f).collect();
    if generic {
        words.extend(GENERIC_KEYWORDS);
        family.extend(GENERIC_KEYWORDS.iter().map(|_| GENERIC));
    }
    let ac = AhoCorasick::builder()
        .build(&words)
        .expect("keyword automaton");
    Keywords { ac, family }
}

static PRECISE: LazyLock<Keywords> = LazyLock::new(|| keywords(false));
static ALL: LazyLock<Keywords> = LazyLock::new(|| keywords(true));

/// Half the width of the window taken around a hit in a long line.
const HALF_WINDOW: usize = 1024;
/// A hit closer than this to the end of a cut window gets its own window.
const MARGIN: usize = 256;

/// Scans file content. `path` decides whether generic assignment rules
/// apply (configuration and credentials files, see the module docs).
/// Binary content and content above [`MAX_SCAN_BYTES`] is not scanned.
pub fn scan_file(path: &str, content: &[u8]) -> Vec<SecretMatch> {
    if content.len() as u64 > MAX_SCAN_BYTES || is_binary(content) {
        return Vec::new();
    }
    scan_bytes(content, path::classify(path))
}

/// Scans one KEY=VALUE-like value from an image config (an Env entry
/// `KEY=VALUE` as `(None, "KEY=VALUE")` or `(Some("KEY"), "VALUE")`, a
/// label key and value) or a history `created_by` line (`(None, line)`).
/// Generic assignment rules apply (these are configuration).
pub fn scan_value(key: Option<&str>, value: &str) -> Vec<SecretMatch> {
    let kind = PathKind {
        generic: Generic::Config,
        ..PathKind::PLAIN
    };
    let mut found = find(value.as_bytes(), kind);
    if let Some(key) = key {
        aws::check_pair(key, value, &mut found);
        generic::check_pair(key, value, &mut found);
    }
    finish(value.as_bytes(), found)
}

pub(crate) fn scan_bytes(content: &[u8], kind: PathKind) -> Vec<SecretMatch> {
    let found = find(content, kind);
    finish(content, found)
}

/// Every raw match in `content` (unsorted, possibly overlapping).
fn find(content: &[u8], kind: PathKind) -> Vec<Found> {
    let mut out = Vec::new();
    if kind.npmrc {
        npm::scan_npmrc(content, &mut out);
    }
    if kind.netrc {
        generic::scan_netrc(content, &mut out);
    }
    if kind.pgpass {
        generic::scan_pgpass(content, &mut out);
    }
    let generic = kind.generic != Generic::Off;
    let kw: &Keywords = if generic { &ALL } else { &PRECISE };
    let mut pem_done = 0usize;
    // The window being collected: start, end, families, whether `end` is a line end.
    let mut current: Option<(usize, usize, u16, bool)> = None;
    for m in kw.ac.find_iter(content) {
        if out.len() >= MAX_MATCHES * 4 {
            break;
        }
        let fam = kw.family[m.pattern().as_usize()];
        if fam == PEM {
            if m.start() >= pem_done {
                pem_done = private_key::scan(content, m.start(), &mut out);
            }
            continue;
        }
        if let Some((ws, we, ref mut flags, line_end)) = current
            && m.start() >= ws
            && m.end() <= we
            && (line_end || m.end() + MARGIN <= we)
        {
            *flags |= fam;
            continue;
        }
        if let Some((ws, we, flags, _)) = current.take() {
            run_window(content, ws, we, flags, kind.generic, &mut out);
        }
        current = Some(window_around(content, m.start(), m.end(), fam));
    }
    if let Some((ws, we, flags, _)) = current {
        run_window(content, ws, we, flags, kind.generic, &mut out);
    }
    out
}

/// The line around a hit, cut to [`HALF_WINDOW`] bytes on either side.
fn window_around(content: &[u8], start: usize, end: usize, fam: u16) -> (usize, usize, u16, bool) {
    let lo = start.saturating_sub(HALF_WINDOW);
    let ws = memchr::memrchr(b'\n', &content[lo..start]).map_or(lo, |i| lo + i + 1);
    let hi = content.len().min(end + HALF_WINDOW);
    let (we, line_end) = match memchr::memchr(b'\n', &content[end..hi]) {
        Some(i) => (end + i, true),
        None => (hi, hi == content.len()),
    };
    (ws, we, fam, line_end)
}

fn run_window(
    content: &[u8],
    ws: usize,
    we: usize,
    flags: u16,
    generic: Generic,
    out: &mut Vec<Found>,
) {
    let w = Window {
        text: &content[ws..we],
        base: ws,
        line_start: ws == 0 || content[ws - 1] == b'\n',
    };
    if flags & AWS_ID != 0 {
        aws::scan_key_id(&w, out);
    }
    if flags & SECRET != 0 {
        aws::scan_secret(&w, out);
    }
    if flags & GITHUB != 0 {
        github::scan(&w, out);
    }
    if flags & GITLAB != 0 {
        gitlab::scan(&w, out);
    }
    if flags & SLACK_TOKEN != 0 {
        slack::scan_token(&w, out);
    }
    if flags & SLACK_HOOK != 0 {
        slack::scan_webhook(&w, out);
    }
    if flags & NPM != 0 {
        npm::scan_token(&w, out);
    }
    if flags & URL != 0 {
        url::scan(&w, out);
    }
    if flags & (SECRET | GENERIC) != 0 && generic != Generic::Off {
        generic::scan(&w, generic, out);
    }
}

/// Keeps the most specific match for each piece of text, numbers lines,
/// caps the count.
fn finish(content: &[u8], mut found: Vec<Found>) -> Vec<SecretMatch> {
    found.sort_by_key(|f| (rules::priority(f.rule), f.start));
    let mut kept: Vec<Found> = Vec::new();
    for f in found {
        if kept
            .iter()
            .any(|k| f.start < k.end && k.start < f.end || f.start == k.start)
        {
            continue;
        }
        kept.push(f);
    }
    kept.sort_by_key(|f| (f.line_at, f.start));
    kept.truncate(MAX_MATCHES);
    let mut line = 1u32;
    let mut pos = 0usize;
    kept.into_iter()
        .map(|f| {
            let at = f.line_at.min(content.len());
            if at > pos {
                line = line
                    .saturating_add(memchr::memchr_iter(b'\n', &content[pos..at]).count() as u32);
                pos = at;
            }
            SecretMatch {
                rule: f.rule.id,
                title: f.rule.title,
                severity: f.rule.severity,
                line,
                redacted: f.redacted,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
