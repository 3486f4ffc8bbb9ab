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
//! 3. At each keyword hit only the rule of that keyword runs, and it looks
//!    at a bounded number of bytes around the hit (a token's characters, a
//!    key of at most 128 characters and a value of at most 1 KiB, a key
//!    block of at most 16 KiB, skipped on later hits inside it). There are
//!    no regexes: the work stays linear in the size of the content whatever
//!    it is (minified one-line files, 10 MB without a newline, a keyword
//!    every few bytes).
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

mod assign;
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

/// `KEY=<redacted>` / `key: <redacted>` for an assignment match.
pub(crate) fn assignment_redacted(key: &[u8], sep: u8) -> String {
    let key = text::show(key.trim_ascii(), 96);
    match sep {
        b':' => format!("{key}: {REDACTED}"),
        _ => format!("{key}={REDACTED}"),
    }
}

/// Which rule a keyword hit triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Pem,
    AwsId,
    GitHub,
    GitLab,
    SlackToken,
    SlackHook,
    Npm,
    Url,
    /// `secret`: AWS secret access keys everywhere, generic assignments in config.
    Secret,
    /// Other credential words: generic assignments in config only.
    Word,
}
use Family::*;

/// Keywords of the precise rules (searched in every file). Case-sensitive:
/// the token prefixes are, and `secret` is given in its three spellings
/// (`secret_key`, `SECRET_KEY`, `awsSecretKey`).
const PRECISE_KEYWORDS: &[(&str, Family)] = &[
    ("PRIVATE KEY", Pem),
    ("AKIA", AwsId),
    ("ASIA", AwsId),
    ("ABIA", AwsId),
    ("ACCA", AwsId),
    ("ghp_", GitHub),
    ("gho_", GitHub),
    ("ghu_", GitHub),
    ("ghs_", GitHub),
    ("ghr_", GitHub),
    ("github_pat_", GitHub),
    ("glpat-", GitLab),
    ("xoxb-", SlackToken),
    ("xoxa-", SlackToken),
    ("xoxp-", SlackToken),
    ("xoxr-", SlackToken),
    ("xoxs-", SlackToken),
    ("hooks.slack.com", SlackHook),
    ("npm_", Npm),
    ("://", Url),
    ("secret", Secret),
    ("SECRET", Secret),
    ("Secret", Secret),
];

/// Credential words of the generic rule, in the spellings that occur in
/// keys: lower (`db_password`), upper (`DB_PASSWORD`), capitalised
/// (`dbPassword`). Keys are then judged case-insensitively.
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
    family: Vec<Family>,
}

fn keywords(generic: bool) -> Keywords {
    let mut words: Vec<&str> = PRECISE_KEYWORDS.iter().map(|(w, _)| *w).collect();
    let mut family: Vec<Family> = PRECISE_KEYWORDS.iter().map(|(_, f)| *f).collect();
    if generic {
        words.extend(GENERIC_KEYWORDS);
        family.extend(GENERIC_KEYWORDS.iter().map(|_| Word));
    }
    let ac = AhoCorasick::builder()
        .build(&words)
        .expect("keyword automaton");
    Keywords { ac, family }
}

static PRECISE: LazyLock<Keywords> = LazyLock::new(|| keywords(false));
static ALL: LazyLock<Keywords> = LazyLock::new(|| keywords(true));

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
    let generic = kind.generic;
    let kw: &Keywords = if generic == Generic::Off {
        &PRECISE
    } else {
        &ALL
    };
    let mut pem_done = 0usize;
    let mut key_done = 0usize;
    let mut lines = Lines::default();
    let mut delims = assign::Delimiters::default();
    let mut xml = XmlComments::default();
    for m in kw.ac.find_iter(content) {
        if out.len() >= MAX_MATCHES * 4 {
            break;
        }
        let (hit, hit_end) = (m.start(), m.end());
        match kw.family[m.pattern().as_usize()] {
            Pem => {
                if hit >= pem_done {
                    pem_done = private_key::at(content, hit, &mut out);
                }
            }
            AwsId => aws::key_id_at(content, hit, &mut out),
            GitHub => github::at(content, hit, &mut out),
            GitLab => gitlab::at(content, hit, &mut out),
            SlackToken => slack::token_at(content, hit, &mut out),
            SlackHook => slack::webhook_at(content, hit, &mut out),
            Npm => npm::token_at(content, hit, &mut out),
            Url if !kind.library => url::at(content, hit, &mut out),
            Url => {}
            Secret | Word => {
                // A credential word in a key.
                if hit < key_done {
                    continue;
                }
                let Some(key) = assign::key_around(content, hit, hit_end) else {
                    // A run of key characters too long to be a key: skip it.
                    key_done =
                        hit_end + text::run(content, hit_end, usize::MAX, assign::is_key_char);
                    continue;
                };
                key_done = key.end;
                let Some(a) = assign::assignment(content, key, &mut delims) else {
                    continue;
                };
                if aws::secret_assignment(content, &a, &mut out) {
                    continue;
                }
                if generic != Generic::Off
                    && !lines.is_comment(content, hit)
                    && !xml.inside(content, hit)
                {
                    generic::assignment(content, &a, generic, &mut out);
                }
            }
        }
    }
    out
}

/// Tracks whether the latest hit is inside an XML/HTML comment
/// (`<!-- ... -->`, often many lines of sample configuration, as in
/// Maven's settings.xml), moving forward only: linear in the content.
#[derive(Default)]
struct XmlComments {
    /// Searched up to here; `inside` is the state at this offset.
    pos: usize,
    inside: bool,
    /// Offset of the next `<!--` (or `-->` when inside), once found.
    next: Option<usize>,
}

impl XmlComments {
    fn inside(&mut self, content: &[u8], at: usize) -> bool {
        loop {
            let needle: &[u8] = if self.inside { b"-->" } else { b"<!--" };
            let next = match self.next {
                Some(n) => n,
                None => {
                    let n = memchr::memmem::find(&content[self.pos..], needle)
                        .map_or(usize::MAX, |i| self.pos + i);
                    self.next = Some(n);
                    n
                }
            };
            if next >= at {
                return self.inside;
            }
            self.pos = next + needle.len();
            self.inside = !self.inside;
            self.next = None;
        }
    }
}

/// Tracks the line of the latest hit (hits come in increasing order), to
/// tell comment lines apart in amortised constant time.
#[derive(Default)]
struct Lines {
    /// Where the current line starts.
    start: usize,
    /// How far the content has been searched for newlines.
    seen: usize,
    /// Cached answer for the line at `start`.
    comment: Option<bool>,
}

impl Lines {
    /// Whether the line holding `pos` is a comment (`#`, `;`, `//`, `<!--`,
    /// `-- `, `* `, `REM `), i.e. commented-out or example configuration.
    fn is_comment(&mut self, content: &[u8], pos: usize) -> bool {
        if pos > self.seen {
            if let Some(i) = memchr::memrchr(b'\n', &content[self.seen..pos]) {
                self.start = self.seen + i + 1;
                self.comment = None;
            }
            self.seen = pos;
        }
        if let Some(c) = self.comment {
            return c;
        }
        let lead = text::run(content, self.start, pos - self.start, |b| {
            b == b' ' || b == b'\t'
        });
        let t = &content[self.start + lead..];
        let c = t.starts_with(b"#")
            || t.starts_with(b";")
            || t.starts_with(b"//")
            || t.starts_with(b"<!--")
            || t.starts_with(b"-- ")
            || t.starts_with(b"* ")
            || t.starts_with(b"REM ");
        self.comment = Some(c);
        c
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
