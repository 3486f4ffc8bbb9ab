//! The ignore file (`--ignore-file`): findings a team has looked at and
//! accepted, each with a reason and optionally an expiry date.
//!
//! ```toml
//! [[ignore]]
//! rule = "PAL-IMG-005"                   # required; a glob on the rule id, "*" for any rule
//! path = "/app/tests/**"                 # optional glob on the path inside the image
//! input = "registry.example.com/team/*"  # optional glob on the image reference or Dockerfile path
//! reason = "fixture key for tests"       # required, non-empty
//! expires = "2027-01-31"                 # optional YYYY-MM-DD (a bare TOML date works too)
//!
//! [[ignore]]                             # vulnerabilities:
//! rule = "GHSA-x84v-xcm2-53pg"           # any id of the vulnerability: its CVE, GHSA, PYSEC, ... alias
//! package = "requests"                   # optional glob on the package name (case-insensitive)
//! purl = "pkg:pypi/requests@*"           # optional glob on the package URL
//! reason = "not reachable: we never send Proxy-Authorization"
//! ```
//!
//! A vulnerability finding's `rule` is its reported id (the CVE when there
//! is one); an entry's `rule` also matches when it names any alias or
//! advisory of that vulnerability, so a GHSA id suppresses the CVE it is an
//! alias of, and the other way round. `package` and `purl` match only
//! vulnerability findings (`rule = "*"` with `package` ignores every
//! vulnerability of that package).
//!
//! An entry applies to a finding when every field it states matches; an
//! entry with `path` never matches a finding without a path. Globs follow
//! the `glob` crate: `*` and `?` stay within one `/`-separated segment, `**`
//! spans segments, `[abc]` is a class. Paths and inputs are compared
//! without their leading `/`, so `/app/**` and `app/**` mean the same. Rule ids compare
//! case-insensitively. An input of the form `docker://REF` also matches a
//! pattern written for the bare `REF`.
//!
//! An entry applies up to and including its `expires` day (UTC); from the
//! next day it no longer applies and [`IgnoreFile::expired`] lists it so
//! the CLI can warn. The first entry that applies to a finding gives the
//! reason.

use std::fmt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use glob::{MatchOptions, Pattern};
use palisade_model::Finding;
use serde::Deserialize;
use serde::de::{self, Deserializer};

/// A finding that an ignore entry suppressed, with that entry's reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ignored {
    pub finding: Finding,
    pub reason: String,
    /// The entry's expiry day, `YYYY-MM-DD`, if it has one.
    pub expires: Option<String>,
}

/// Why an ignore file could not be used. Every variant names the file;
/// [`IgnoreError::Invalid`] also names the line and column when known.
#[derive(Debug, thiserror::Error)]
pub enum IgnoreError {
    #[error("cannot read ignore file {file}: {error}")]
    Read {
        file: String,
        #[source]
        error: std::io::Error,
    },
    #[error("{}", invalid_message(file, *line, *column, message))]
    Invalid {
        file: String,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column (in characters) of the problem, when known.
        column: Option<usize>,
        message: String,
    },
}

fn invalid_message(
    file: &str,
    line: Option<usize>,
    column: Option<usize>,
    message: &str,
) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("invalid ignore file {file}:{l}:{c}: {message}"),
        (Some(l), None) => format!("invalid ignore file {file}:{l}: {message}"),
        _ => format!("invalid ignore file {file}: {message}"),
    }
}

impl IgnoreError {
    /// The 1-based line of the problem, when the error has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            IgnoreError::Invalid { line, .. } => *line,
            IgnoreError::Read { .. } => None,
        }
    }
}

/// One `[[ignore]]` entry, as written (globs and dates already validated).
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    pub rule: String,
    pub path: Option<String>,
    pub input: Option<String>,
    pub package: Option<String>,
    pub purl: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`.
    pub expires: Option<String>,
    /// 1-based line where the entry starts in its file.
    pub line: usize,
    rule_pat: Pattern,
    path_pat: Option<Pattern>,
    input_pat: Option<Pattern>,
    package_pat: Option<Pattern>,
    purl_pat: Option<Pattern>,
    expires_date: Option<Date>,
}

impl IgnoreEntry {
    /// Whether the entry still applies on `today`: it has no expiry, or
    /// `today` is on or before the expiry day.
    pub fn active(&self, today: (i32, u32, u32)) -> bool {
        match self.expires_date {
            None => true,
            Some(d) => Date::from(today) <= d,
        }
    }

    /// Whether the entry's globs match `finding` (ignoring expiry).
    pub fn matches(&self, finding: &Finding) -> bool {
        let rule_opts = MatchOptions {
            case_sensitive: false,
            require_literal_separator: false,
            require_literal_leading_dot: false,
        };
        let vuln = finding.vulnerability.as_deref();
        let rule_matches = self.rule_pat.matches_with(&finding.rule, rule_opts)
            || vuln.is_some_and(|v| {
                v.aliases
                    .iter()
                    .chain(&v.advisories)
                    .any(|id| self.rule_pat.matches_with(id, rule_opts))
            });
        if !rule_matches {
            return false;
        }
        if let Some(p) = &self.package_pat
            && !vuln.is_some_and(|v| p.matches_with(&v.package, rule_opts))
        {
            return false;
        }
        if let Some(p) = &self.purl_pat
            && !vuln.is_some_and(|v| p.matches_with(&v.purl, rule_opts))
        {
            return false;
        }
        if let Some(p) = &self.path_pat {
            match &finding.location.path {
                Some(path) if p.matches_with(strip_root(path), PATH_OPTS) => {}
                _ => return false,
            }
        }
        if let Some(p) = &self.input_pat {
            let input = strip_root(&finding.location.input);
            let bare = input.strip_prefix("docker://");
            if !(p.matches_with(input, PATH_OPTS)
                || bare.is_some_and(|b| p.matches_with(b, PATH_OPTS)))
            {
                return false;
            }
        }
        true
    }
}

const PATH_OPTS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

fn strip_root(path: &str) -> &str {
    path.trim_start_matches('/')
}

/// A parsed ignore file. `IgnoreFile::default()` ignores nothing.
#[derive(Debug, Clone, Default)]
pub struct IgnoreFile {
    source: String,
    entries: Vec<IgnoreEntry>,
}

impl IgnoreFile {
    /// Reads and parses the ignore file at `path`.
    pub fn load(path: &Path) -> Result<IgnoreFile, IgnoreError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|error| IgnoreError::Read {
            file: file.clone(),
            error,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_col(
                &String::from_utf8_lossy(e.as_bytes()),
                e.utf8_error().valid_up_to(),
            );
            IgnoreError::Invalid {
                file: file.clone(),
                line: Some(line),
                column: Some(column),
                message: "the file is not valid UTF-8".into(),
            }
        })?;
        IgnoreFile::parse(&text, &file)
    }

    /// Parses ignore-file text; `source` names it in errors and warnings.
    pub fn parse(text: &str, source: &str) -> Result<IgnoreFile, IgnoreError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = line_col(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            IgnoreError::Invalid {
                file: source.to_string(),
                line,
                column,
                message: hint(text, e.message().trim_end().replace('\n', "; ")),
            }
        })?;
        let entries = raw
            .ignore
            .into_iter()
            .map(|spanned| {
                let line = line_col(text, spanned.span().start).0;
                let raw = spanned.into_inner();
                IgnoreEntry {
                    rule: raw.rule.text,
                    path: raw.path.as_ref().map(|p| p.text.clone()),
                    input: raw.input.as_ref().map(|p| p.text.clone()),
                    package: raw.package.as_ref().map(|p| p.text.clone()),
                    purl: raw.purl.as_ref().map(|p| p.text.clone()),
                    reason: raw.reason.0,
                    expires: raw.expires.map(|d| d.to_string()),
                    line,
                    rule_pat: raw.rule.pattern,
                    path_pat: raw.path.map(|p| p.pattern),
                    input_pat: raw.input.map(|p| p.pattern),
                    package_pat: raw.package.map(|p| p.pattern),
                    purl_pat: raw.purl.map(|p| p.pattern),
                    expires_date: raw.expires,
                }
            })
            .collect();
        Ok(IgnoreFile {
            source: source.to_string(),
            entries,
        })
    }

    /// The entries, in file order.
    pub fn entries(&self) -> &[IgnoreEntry] {
        &self.entries
    }

    /// The name given to [`IgnoreFile::parse`] (or the path given to [`IgnoreFile::load`]).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Splits findings into (kept, ignored), each in input order; `today` as
    /// (year, month, day) so tests are deterministic. Expired entries do not apply.
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        today: (i32, u32, u32),
    ) -> (Vec<Finding>, Vec<Ignored>) {
        let active: Vec<&IgnoreEntry> = self.entries.iter().filter(|e| e.active(today)).collect();
        let mut kept = Vec::new();
        let mut ignored = Vec::new();
        for finding in findings {
            match active.iter().find(|e| e.matches(&finding)) {
                Some(entry) => ignored.push(Ignored {
                    finding,
                    reason: entry.reason.clone(),
                    expires: entry.expires.clone(),
                }),
                None => kept.push(finding),
            }
        }
        (kept, ignored)
    }

    /// Entries whose expiry date has passed, one warning sentence each (the
    /// CLI prints a warning for each), in file order.
    pub fn expired(&self, today: (i32, u32, u32)) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| !e.active(today))
            .map(|e| {
                format!(
                    "{}:{}: ignore entry for rule {:?} expired on {} and no longer applies (reason: {:?})",
                    self.source,
                    e.line,
                    e.rule,
                    e.expires.as_deref().unwrap_or_default(),
                    e.reason
                )
            })
            .collect()
    }
}

/// Adds a hint for the likeliest mistake: `[ignore]` instead of `[[ignore]]`.
fn hint(text: &str, message: String) -> String {
    if message.contains("expected a sequence") && text.lines().any(|l| l.trim() == "[ignore]") {
        format!("{message} (write each entry as [[ignore]], with double brackets)")
    } else {
        message
    }
}

/// 1-based (line, column in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

// ---- the TOML shape -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    ignore: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    rule: Glob,
    #[serde(default)]
    path: Option<Glob>,
    #[serde(default)]
    input: Option<Glob>,
    #[serde(default)]
    package: Option<Glob>,
    #[serde(default)]
    purl: Option<Glob>,
    reason: Reason,
    #[serde(default)]
    expires: Option<Date>,
}

/// A glob as written and compiled. Path globs are compiled without their
/// leading `/` (paths are compared that way too).
struct Glob {
    text: String,
    pattern: Pattern,
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Err(de::Error::custom("a pattern must not be empty"));
        }
        let pattern = Pattern::new(strip_root(&text))
            .map_err(|e| de::Error::custom(format!("invalid glob {text:?}: {}", e.msg)))?;
        Ok(Glob { text, pattern })
    }
}

struct Reason(String);

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Err(de::Error::custom(
                "reason must not be empty: say why the finding is accepted",
            ));
        }
        Ok(Reason(text))
    }
}

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl From<(i32, u32, u32)> for Date {
    fn from((year, month, day): (i32, u32, u32)) -> Self {
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A string "2027-01-31" or a bare TOML local date 2027-01-31.
        let text = match toml::Value::deserialize(d)? {
            toml::Value::String(s) => s,
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            toml::Value::Datetime(dt) => {
                return Err(de::Error::custom(format!(
                    "expires must be a day YYYY-MM-DD, not a date-time ({dt})"
                )));
            }
            other => {
                return Err(de::Error::custom(format!(
                    "expires must be a day YYYY-MM-DD, found a {}",
                    other.type_str()
                )));
            }
        };
        parse_date(&text).map_err(de::Error::custom)
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(format!("invalid date {s:?}: expected YYYY-MM-DD"));
    }
    // The shape check makes these parses infallible.
    let year: i32 = s[0..4].parse().map_err(|_| format!("invalid date {s:?}"))?;
    let month: u32 = s[5..7].parse().map_err(|_| format!("invalid date {s:?}"))?;
    let day: u32 = s[8..10]
        .parse()
        .map_err(|_| format!("invalid date {s:?}"))?;
    if !(1..=12).contains(&month) {
        return Err(format!("invalid date {s:?}: month {month} does not exist"));
    }
    let last = days_in_month(year, month);
    if !(1..=last).contains(&day) {
        return Err(format!(
            "invalid date {s:?}: {year:04}-{month:02} has {last} days"
        ));
    }
    Ok(Date { year, month, day })
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// ---- dates without chrono ---------------------------------------------------

/// Today's date in UTC, as (year, month, day), from the system clock.
pub fn today_utc() -> (i32, u32, u32) {
    let secs: i64 = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    civil_from_days(secs.div_euclid(86_400))
}

/// The civil (proleptic Gregorian) date of `days` since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's
/// `days_from_civil`); the inverse of [`civil_from_days`].
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // [0, 11]
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}
