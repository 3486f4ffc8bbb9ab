//! OSV affected-range evaluation, as the OSV schema defines it
//! (https://ossf.github.io/osv-schema/#evaluation): a version is affected by
//! an entry when it is listed in `versions`, or when a SEMVER/ECOSYSTEM range
//! contains it: events sorted by the ecosystem's order, walked in order,
//! `introduced` (with `"0"` below every version) opening, `fixed` (at or below
//! the version) and `last_affected` (below the version) closing, and
//! versions at or above every `limit` excluded. GIT ranges are not matched
//! against package versions.

use crate::order::VersionOrder;
use crate::record::{Affected, Event};
use serde::Serialize;
use std::cmp::Ordering;

/// The part of an advisory that contains the installed version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// `SEMVER`, `ECOSYSTEM`, or `versions` when only the list matched.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
}

impl Hit {
    /// `>= 0, < 2.20.0` and the like.
    pub fn describe(&self) -> String {
        if self.kind == "versions" {
            return "listed in the advisory's affected versions".to_string();
        }
        let mut parts = Vec::new();
        if let Some(i) = &self.introduced {
            parts.push(format!(">= {i}"));
        }
        if let Some(f) = &self.fixed {
            parts.push(format!("< {f}"));
        }
        if let Some(l) = &self.last_affected {
            parts.push(format!("<= {l}"));
        }
        format!("{} ({})", parts.join(", "), self.kind)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eval {
    Affected(Hit),
    NotAffected,
    /// A range could not be evaluated: the version order failed on a version
    /// (the string says which), and nothing else matched.
    Undetermined(String),
}

/// A range event borrowed from stored data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRef<'a> {
    Introduced(&'a str),
    Fixed(&'a str),
    LastAffected(&'a str),
    Limit(&'a str),
}

impl<'a> EventRef<'a> {
    pub fn version(self) -> &'a str {
        match self {
            EventRef::Introduced(v)
            | EventRef::Fixed(v)
            | EventRef::LastAffected(v)
            | EventRef::Limit(v) => v,
        }
    }

    pub fn to_event(self) -> Event {
        match self {
            EventRef::Introduced(v) => Event::Introduced(v.to_string()),
            EventRef::Fixed(v) => Event::Fixed(v.to_string()),
            EventRef::LastAffected(v) => Event::LastAffected(v.to_string()),
            EventRef::Limit(v) => Event::Limit(v.to_string()),
        }
    }
}

impl<'a> From<&'a Event> for EventRef<'a> {
    fn from(e: &'a Event) -> Self {
        match e {
            Event::Introduced(v) => EventRef::Introduced(v),
            Event::Fixed(v) => EventRef::Fixed(v),
            Event::LastAffected(v) => EventRef::LastAffected(v),
            Event::Limit(v) => EventRef::Limit(v),
        }
    }
}

/// Evaluates one affected entry against `version`.
pub fn evaluate(entry: &Affected, version: &str, order: &dyn VersionOrder) -> Eval {
    let ranges: Vec<(&str, Vec<EventRef>)> = entry
        .ranges
        .iter()
        .map(|r| {
            (
                r.kind.as_str(),
                r.events.iter().map(EventRef::from).collect(),
            )
        })
        .collect();
    evaluate_ranges(
        &entry.ecosystem,
        ranges.iter().map(|(k, e)| (*k, e.as_slice())),
        || entry.versions.iter().any(|v| v == version),
        version,
        order,
    )
}

/// Evaluates the ranges `(kind, events)` of an entry of `ecosystem`; when
/// none contains `version`, `listed` says whether the entry's `versions`
/// list names it (asked only then: the lists are long).
pub fn evaluate_ranges<'a>(
    ecosystem: &str,
    ranges: impl Iterator<Item = (&'a str, &'a [EventRef<'a>])>,
    listed: impl FnOnce() -> bool,
    version: &str,
    order: &dyn VersionOrder,
) -> Eval {
    let mut undetermined = None;
    let mut best: Option<Hit> = None;
    for (kind, events) in ranges {
        if kind != "SEMVER" && kind != "ECOSYSTEM" {
            continue;
        }
        let scheme = if kind == "SEMVER" {
            "SEMVER"
        } else {
            ecosystem
        };
        match evaluate_range(kind, events, scheme, version, order) {
            Ok(Some(hit)) => {
                // Prefer a range that names a fix.
                if best
                    .as_ref()
                    .is_none_or(|b| b.fixed.is_none() && hit.fixed.is_some())
                {
                    best = Some(hit);
                }
            }
            Ok(None) => {}
            Err(v) => undetermined = Some(v),
        }
    }
    if let Some(hit) = best {
        return Eval::Affected(hit);
    }
    if listed() {
        return Eval::Affected(Hit {
            kind: "versions".to_string(),
            introduced: None,
            fixed: None,
            last_affected: None,
        });
    }
    match undetermined {
        Some(v) => Eval::Undetermined(v),
        None => Eval::NotAffected,
    }
}

/// Orders events; `introduced: "0"` first. `Err(version)` when a version
/// does not parse in `scheme`.
fn sort_events<'a>(
    events: &[EventRef<'a>],
    scheme: &str,
    order: &dyn VersionOrder,
) -> Result<Vec<EventRef<'a>>, String> {
    let is_zero = |e: &EventRef| matches!(e, EventRef::Introduced("0"));
    let mut failed: Option<String> = None;
    let mut sorted: Vec<EventRef<'a>> = events
        .iter()
        .copied()
        .filter(|e| !matches!(e, EventRef::Limit(_)))
        .collect();
    sorted.sort_by(|a, b| match (is_zero(a), is_zero(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => order
            .compare(scheme, a.version(), b.version())
            .unwrap_or_else(|| {
                failed.get_or_insert_with(|| format!("{} / {}", a.version(), b.version()));
                Ordering::Equal
            }),
    });
    match failed {
        Some(v) => Err(v),
        None => Ok(sorted),
    }
}

/// `Ok(Some(hit))` when the range contains `version`.
fn evaluate_range(
    kind: &str,
    events: &[EventRef],
    scheme: &str,
    version: &str,
    order: &dyn VersionOrder,
) -> Result<Option<Hit>, String> {
    let cmp = |other: &str| {
        order
            .compare(scheme, version, other)
            .ok_or_else(|| version.to_string())
    };
    // Versions at or above every limit are outside the range.
    let mut limits = events.iter().filter_map(|e| match e {
        EventRef::Limit(l) if *l != "*" => Some(*l),
        _ => None,
    });
    if let Some(first) = limits.next() {
        let mut below_one = cmp(first)? == Ordering::Less;
        for l in limits {
            below_one |= cmp(l)? == Ordering::Less;
        }
        if !below_one {
            return Ok(None);
        }
    }
    let sorted = sort_events(events, scheme, order)?;
    let mut open: Option<usize> = None;
    for (i, e) in sorted.iter().enumerate() {
        match *e {
            EventRef::Introduced(v) if v == "0" || cmp(v)? != Ordering::Less => {
                open.get_or_insert(i);
            }
            EventRef::Fixed(v) if cmp(v)? != Ordering::Less => open = None,
            EventRef::LastAffected(v) if cmp(v)? == Ordering::Greater => open = None,
            _ => {}
        }
    }
    let Some(start) = open else { return Ok(None) };
    let mut hit = Hit {
        kind: kind.to_string(),
        introduced: Some(sorted[start].version().to_string()),
        fixed: None,
        last_affected: None,
    };
    // The range's end: the first fix or last-affected after its start.
    for e in &sorted[start + 1..] {
        match *e {
            EventRef::Fixed(v) => {
                hit.fixed = Some(v.to_string());
                break;
            }
            EventRef::LastAffected(v) => {
                hit.last_affected = Some(v.to_string());
                break;
            }
            _ => {}
        }
    }
    Ok(Some(hit))
}
