//! The binary encoding of one package's records (format version 3), read
//! in place: matching walks borrowed views of the ranges and only decodes
//! the details (aliases, summary, severity) of the records that matched.
//! The `versions` lists, the bulk of the distro data, are skipped over
//! unless no range contains the version, and then compared as bytes.
//!
//! ```text
//! package   count u32 | record*
//! record    length u32 | id str | details bytes | affected count u16 | affected*
//! details   aliases list | upstream list | summary opt | severity vlist |
//!           database_severity opt | modified opt | published opt
//! affected  ecosystem str | name str | range count u16 | range* |
//!           versions bytes (a sequence of str) | extra bytes
//! range     kind str | event count u16 | (tag u8, version str)*
//! extra     severity vlist | urgency opt | entry_severity opt | informational opt
//! str = length u32 + UTF-8; bytes = length u32 + bytes; opt = 0 | 1 str;
//! list = count u32 + str*; vlist = count u32 + (kind str, score str)*
//! ```
//! Every length is checked against what is left, so a damaged blob gives
//! an error, never a panic or an allocation larger than the blob.

use crate::range::EventRef;
use crate::record::{Affected, Event, Range, Record, SeverityVector};

/// Why a blob cannot be read (the caller names the file and package).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobError(pub String);

type Result<T> = std::result::Result<T, BlobError>;

fn err<T>(what: &str) -> Result<T> {
    Err(BlobError(what.to_string()))
}

// ---- writing -------------------------------------------------------------

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}
fn put_u16(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n.min(u16::MAX as usize) as u16).to_le_bytes());
}
fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}
fn put_opt(out: &mut Vec<u8>, s: &Option<String>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}
fn put_list(out: &mut Vec<u8>, l: &[String]) {
    put_u32(out, l.len());
    l.iter().for_each(|s| put_str(out, s));
}
fn put_vlist(out: &mut Vec<u8>, l: &[SeverityVector]) {
    put_u32(out, l.len());
    for v in l {
        put_str(out, &v.kind);
        put_str(out, &v.score);
    }
}
/// Writes `u32 length` then whatever `body` appends.
fn put_sized(out: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    body(out);
    let len = (out.len() - at - 4) as u32;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

const TAG_INTRODUCED: u8 = 0;
const TAG_FIXED: u8 = 1;
const TAG_LAST_AFFECTED: u8 = 2;
const TAG_LIMIT: u8 = 3;

/// Appends one encoded record (`length u32` included) to `out`. Counts are
/// at most 65,535 ranges, events and entries (OSV records have a handful).
pub fn encode_record(out: &mut Vec<u8>, r: &Record) {
    put_sized(out, |out| {
        put_str(out, &r.id);
        put_sized(out, |out| {
            put_list(out, &r.aliases);
            put_list(out, &r.upstream);
            put_opt(out, &r.summary);
            put_vlist(out, &r.severity);
            put_opt(out, &r.database_severity);
            put_opt(out, &r.modified);
            put_opt(out, &r.published);
        });
        let affected = &r.affected[..r.affected.len().min(u16::MAX as usize)];
        put_u16(out, affected.len());
        for a in affected {
            put_str(out, &a.ecosystem);
            put_str(out, &a.name);
            let ranges = &a.ranges[..a.ranges.len().min(u16::MAX as usize)];
            put_u16(out, ranges.len());
            for range in ranges {
                put_str(out, &range.kind);
                let events = &range.events[..range.events.len().min(u16::MAX as usize)];
                put_u16(out, events.len());
                for e in events {
                    out.push(match e {
                        Event::Introduced(_) => TAG_INTRODUCED,
                        Event::Fixed(_) => TAG_FIXED,
                        Event::LastAffected(_) => TAG_LAST_AFFECTED,
                        Event::Limit(_) => TAG_LIMIT,
                    });
                    put_str(out, e.version());
                }
            }
            put_sized(out, |out| a.versions.iter().for_each(|v| put_str(out, v)));
            put_sized(out, |out| {
                put_vlist(out, &a.severity);
                put_opt(out, &a.urgency);
                put_opt(out, &a.entry_severity);
                put_opt(out, &a.informational);
            });
        }
    });
}

/// A whole package: `count u32` then the records.
pub fn encode(records: &[Record]) -> Vec<u8> {
    let mut out = Vec::new();
    put_u32(&mut out, records.len());
    records.iter().for_each(|r| encode_record(&mut out, r));
    out
}

// ---- reading -------------------------------------------------------------

/// A bounds-checked reader over a byte slice.
struct Cur<'a> {
    b: &'a [u8],
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.b.len() {
            return err("a length runs past the end of the record data");
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<usize> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]) as usize)
    }
    fn u32(&mut self) -> Result<usize> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()?;
        self.take(n)
    }
    fn str(&mut self) -> Result<&'a str> {
        std::str::from_utf8(self.bytes()?).or_else(|_| err("a string is not valid UTF-8"))
    }
    fn opt(&mut self) -> Result<Option<String>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?.to_string())),
            _ => err("bad optional-field marker"),
        }
    }
    /// `count u32` then `count` items; the count is bounded by the bytes
    /// left (every item takes at least `min` bytes), so a hostile count
    /// cannot make a large allocation.
    fn count(&mut self, min: usize) -> Result<usize> {
        let n = self.u32()?;
        if n.saturating_mul(min) > self.b.len() {
            return err("a count is larger than the data");
        }
        Ok(n)
    }
    fn list(&mut self) -> Result<Vec<String>> {
        let n = self.count(4)?;
        (0..n).map(|_| Ok(self.str()?.to_string())).collect()
    }
    fn vlist(&mut self) -> Result<Vec<SeverityVector>> {
        let n = self.count(8)?;
        (0..n)
            .map(|_| {
                Ok(SeverityVector {
                    kind: self.str()?.to_string(),
                    score: self.str()?.to_string(),
                })
            })
            .collect()
    }
    fn end(&self) -> Result<()> {
        if self.b.is_empty() {
            Ok(())
        } else {
            err("trailing bytes after a field")
        }
    }
}

/// One record as stored, borrowed from the decompressed package data.
#[derive(Debug, Clone)]
pub struct RecordView<'a> {
    pub id: &'a str,
    details: &'a [u8],
    pub affected: Vec<AffectedView<'a>>,
}

/// One affected entry, borrowed.
#[derive(Debug, Clone)]
pub struct AffectedView<'a> {
    pub ecosystem: &'a str,
    pub name: &'a str,
    pub ranges: Vec<RangeView<'a>>,
    versions: &'a [u8],
    extra: &'a [u8],
}

#[derive(Debug, Clone)]
pub struct RangeView<'a> {
    pub kind: &'a str,
    pub events: Vec<EventRef<'a>>,
}

/// The records of one package, walked in place.
pub fn records(data: &[u8]) -> Result<Vec<RecordView<'_>>> {
    let mut c = Cur { b: data };
    let n = c.count(4)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(record(c.bytes()?)?);
    }
    c.end()?;
    Ok(out)
}

fn record(b: &[u8]) -> Result<RecordView<'_>> {
    let mut c = Cur { b };
    let id = c.str()?;
    let details = c.bytes()?;
    let n = c.u16()?;
    let mut affected = Vec::with_capacity(n.min(c.b.len() / 16));
    for _ in 0..n {
        let ecosystem = c.str()?;
        let name = c.str()?;
        let nr = c.u16()?;
        let mut ranges = Vec::with_capacity(nr.min(c.b.len() / 6));
        for _ in 0..nr {
            let kind = c.str()?;
            let ne = c.u16()?;
            let mut events = Vec::with_capacity(ne.min(c.b.len() / 5));
            for _ in 0..ne {
                let tag = c.u8()?;
                let v = c.str()?;
                events.push(match tag {
                    TAG_INTRODUCED => EventRef::Introduced(v),
                    TAG_FIXED => EventRef::Fixed(v),
                    TAG_LAST_AFFECTED => EventRef::LastAffected(v),
                    TAG_LIMIT => EventRef::Limit(v),
                    _ => return err("unknown range event"),
                });
            }
            ranges.push(RangeView { kind, events });
        }
        let versions = c.bytes()?;
        let extra = c.bytes()?;
        affected.push(AffectedView {
            ecosystem,
            name,
            ranges,
            versions,
            extra,
        });
    }
    c.end()?;
    Ok(RecordView {
        id,
        details,
        affected,
    })
}

impl<'a> AffectedView<'a> {
    /// Whether `version` is in the entry's `versions` list (compared as
    /// bytes, without decoding the list).
    pub fn lists(&self, version: &str) -> Result<bool> {
        let mut c = Cur { b: self.versions };
        while !c.b.is_empty() {
            if c.bytes()? == version.as_bytes() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The entry as an owned [`Affected`]; `versions` only when asked for
    /// (matching reports never need the list).
    pub fn to_affected(&self, with_versions: bool) -> Result<Affected> {
        let mut versions = Vec::new();
        if with_versions {
            let mut c = Cur { b: self.versions };
            while !c.b.is_empty() {
                versions.push(c.str()?.to_string());
            }
        }
        let mut c = Cur { b: self.extra };
        let severity = c.vlist()?;
        let urgency = c.opt()?;
        let entry_severity = c.opt()?;
        let informational = c.opt()?;
        c.end()?;
        Ok(Affected {
            ecosystem: self.ecosystem.to_string(),
            name: self.name.to_string(),
            ranges: self
                .ranges
                .iter()
                .map(|r| Range {
                    kind: r.kind.to_string(),
                    events: r.events.iter().map(|e| e.to_event()).collect(),
                })
                .collect(),
            versions,
            severity,
            urgency,
            entry_severity,
            informational,
        })
    }
}

impl<'a> RecordView<'a> {
    /// The record with its details decoded and the given affected entries
    /// (all of them when `only` is `None`).
    pub fn to_record(
        &self,
        only: Option<&AffectedView<'a>>,
        with_versions: bool,
    ) -> Result<Record> {
        let mut c = Cur { b: self.details };
        let aliases = c.list()?;
        let upstream = c.list()?;
        let summary = c.opt()?;
        let severity = c.vlist()?;
        let database_severity = c.opt()?;
        let modified = c.opt()?;
        let published = c.opt()?;
        c.end()?;
        let affected = match only {
            Some(a) => vec![a.to_affected(with_versions)?],
            None => self
                .affected
                .iter()
                .map(|a| a.to_affected(with_versions))
                .collect::<Result<_>>()?,
        };
        Ok(Record {
            id: self.id.to_string(),
            aliases,
            upstream,
            summary,
            severity,
            database_severity,
            modified,
            published,
            affected,
        })
    }
}

/// Every record of a package, fully decoded.
pub fn decode(data: &[u8]) -> Result<Vec<Record>> {
    records(data)?
        .iter()
        .map(|r| r.to_record(None, true))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        vec![Record {
            id: "GHSA-x".into(),
            aliases: vec!["CVE-1".into()],
            upstream: vec!["CVE-0".into()],
            summary: Some("é summary".into()),
            severity: vec![SeverityVector {
                kind: "CVSS_V3".into(),
                score: "CVSS:3.1/AV:N".into(),
            }],
            database_severity: Some("HIGH".into()),
            modified: Some("2024".into()),
            published: None,
            affected: vec![Affected {
                ecosystem: "PyPI".into(),
                name: "Foo".into(),
                ranges: vec![Range {
                    kind: "ECOSYSTEM".into(),
                    events: vec![
                        Event::Introduced("0".into()),
                        Event::Fixed("2".into()),
                        Event::LastAffected("3".into()),
                        Event::Limit("4".into()),
                    ],
                }],
                versions: vec!["1.0".into(), "1.1".into()],
                severity: vec![],
                urgency: Some("low".into()),
                entry_severity: None,
                informational: Some("unsound".into()),
            }],
        }]
    }

    #[test]
    fn round_trip() {
        let recs = sample();
        let data = encode(&recs);
        assert_eq!(decode(&data).unwrap(), recs);
        let views = records(&data).unwrap();
        let a = &views[0].affected[0];
        assert!(a.lists("1.1").unwrap());
        assert!(!a.lists("1.").unwrap());
        let owned = views[0].to_record(Some(a), false).unwrap();
        assert!(owned.affected[0].versions.is_empty());
        assert_eq!(owned.aliases, ["CVE-1"]);
    }

    #[test]
    fn every_truncation_and_garbage_is_an_error() {
        let data = encode(&sample());
        for cut in 0..data.len() {
            assert!(decode(&data[..cut]).is_err(), "cut {cut}");
        }
        let mut huge = data.clone();
        huge[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).is_err());
        assert!(decode(&[0xff; 64]).is_err());
    }
}
