//! The on-disk database: one file, opened by memory-mapping it, queried by
//! binary search over a sorted index without reading the other packages.
//!
//! ```text
//! MAGIC (16) | format version u32
//! blob*       zstd(package records, crate::blob encoding) per (ecosystem, name) key
//! header      JSON (Meta)
//! index       count u32 | count × entry (28 bytes) | keys ("ecosystem\0name"...)
//!             entry = key offset u32, key length u32, blob offset u64,
//!                     blob length u32, decompressed length u32, blob crc32 u32
//! trailer     header offset u64 | header length u64 | index offset u64 |
//!             index length u64 | total length u64 | header crc32 u32 |
//!             index crc32 u32 | END_MAGIC (16)
//! ```
//! All integers little-endian. The header comes after the blobs so that a
//! database is written in one pass, package by package (import memory stays
//! bounded). The header and index checksums are checked on open, each
//! blob's when it is read; every offset is checked against the file size,
//! so a damaged or hostile file gives an error, never a panic or an
//! unbounded allocation.
//!
//! Version 1 stored each package as zstd-compressed JSON, parsed whole on
//! every lookup; version 2's binary records are read in place
//! (`crate::blob`), about twice as fast to match. Version 3 adds each
//! affected entry's `informational` kind (RustSec warnings); a version-2
//! file lacks it, so it is refused and must be re-imported.

use crate::blob;
use crate::record::Record;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a package's blob lies: (offset, length, decompressed length, crc32).
type BlobRef = (usize, usize, usize, u32);

pub const MAGIC: &[u8; 16] = b"PALISADE-VULNDB\n";
pub const END_MAGIC: &[u8; 16] = b"PALISADE-VDB-END";
pub const FORMAT_VERSION: u32 = 3;
const PREFIX_LEN: usize = 16 + 4;
const TRAILER_LEN: usize = 8 * 5 + 4 + 4 + 16;
const ENTRY_LEN: usize = 28;
/// Largest header accepted (the source list of a normal database is a few KB).
const MAX_HEADER: usize = 1 << 20;
/// Largest decompressed blob accepted (the largest real package, the Linux
/// kernel in Debian, is a few MB).
pub const MAX_BLOB_DECOMPRESSED: u64 = 256 << 20;
/// zstd level of the blobs: 9 is within a few percent of 19's size here
/// and several times faster to write.
const LEVEL: i32 = 9;

/// What the database was built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Build time, seconds since the Unix epoch (UTC).
    pub built: u64,
    pub sources: Vec<Source>,
    /// OSV ecosystem string → counts.
    pub ecosystems: BTreeMap<String, EcosystemCount>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The path or URL imported.
    pub location: String,
    /// OSV documents read.
    pub records: u64,
    /// Withdrawn records dropped.
    pub withdrawn: u64,
    /// Documents that were not valid OSV JSON (skipped).
    pub invalid: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemCount {
    /// Advisories with at least one affected entry in this ecosystem.
    pub records: u64,
    /// Distinct packages.
    pub packages: u64,
}

/// Why a database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot read vulnerability database {path}: {error}")]
    Io {
        path: String,
        #[source]
        error: std::io::Error,
    },
    #[error(
        "vulnerability database {path} is damaged or incomplete ({what}); rebuild it with `palisade db import` or `palisade db update`"
    )]
    Corrupt { path: String, what: String },
    #[error(
        "vulnerability database {path} has format version {found}, this palisade reads version {FORMAT_VERSION} only; re-import it with `palisade db import PATH...` or `palisade db update`"
    )]
    Version { path: String, found: u32 },
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The key bytes of (ecosystem, normalized name): `ecosystem \0 name`, whose
/// byte order is the order of the pair.
pub fn key_bytes(ecosystem: &str, name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(ecosystem.len() + 1 + name.len());
    k.extend_from_slice(ecosystem.as_bytes());
    k.push(0);
    k.extend_from_slice(name.as_bytes());
    k
}

/// Writes a database in one pass, package by package, atomically: a
/// temporary file next to the target, synced, then renamed over it, so
/// readers see the old file or the new one.
pub struct Writer {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
    out: std::io::BufWriter<File>,
    offset: u64,
    count: u32,
    entries: Vec<u8>,
    keys: Vec<u8>,
    last_key: Option<Vec<u8>>,
    compressor: zstd::bulk::Compressor<'static>,
}

impl Writer {
    pub fn create(path: &Path) -> std::io::Result<Writer> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = tempfile::Builder::new()
            .prefix(".vuln.db.")
            .tempfile_in(dir)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file().try_clone()?);
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT_VERSION.to_le_bytes())?;
        Ok(Writer {
            path: path.to_path_buf(),
            tmp,
            out,
            offset: PREFIX_LEN as u64,
            count: 0,
            entries: Vec::new(),
            keys: Vec::new(),
            last_key: None,
            compressor: zstd::bulk::Compressor::new(LEVEL)?,
        })
    }

    /// Adds a package's records; keys must come in increasing order.
    pub fn add(&mut self, ecosystem: &str, name: &str, records: &[Record]) -> std::io::Result<()> {
        self.add_encoded(ecosystem, name, &blob::encode(records))
    }

    /// Adds a package already in the `crate::blob` encoding.
    pub fn add_encoded(&mut self, ecosystem: &str, name: &str, data: &[u8]) -> std::io::Result<()> {
        let key = key_bytes(ecosystem, name);
        if self.last_key.as_ref().is_some_and(|k| *k >= key) {
            return Err(std::io::Error::other(format!(
                "database keys out of order at {ecosystem}/{name}"
            )));
        }
        if data.len() as u64 > MAX_BLOB_DECOMPRESSED || self.count == u32::MAX {
            return Err(std::io::Error::other(format!(
                "the records of {ecosystem}/{name} are too large"
            )));
        }
        let compressed = self.compressor.compress(data)?;
        self.out.write_all(&compressed)?;
        self.entries
            .extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        self.entries
            .extend_from_slice(&(key.len() as u32).to_le_bytes());
        self.entries.extend_from_slice(&self.offset.to_le_bytes());
        self.entries
            .extend_from_slice(&(compressed.len() as u32).to_le_bytes());
        self.entries
            .extend_from_slice(&(data.len() as u32).to_le_bytes());
        self.entries
            .extend_from_slice(&crc32fast::hash(&compressed).to_le_bytes());
        self.keys.extend_from_slice(&key);
        self.offset += compressed.len() as u64;
        self.count += 1;
        self.last_key = Some(key);
        Ok(())
    }

    /// Writes header, index and trailer, syncs and renames; returns the size.
    pub fn finish(mut self, meta: &Meta) -> std::io::Result<u64> {
        let header = serde_json::to_vec(meta).map_err(std::io::Error::other)?;
        let header_at = self.offset;
        self.out.write_all(&header)?;
        let index_at = header_at + header.len() as u64;
        let mut index = Vec::with_capacity(4 + self.entries.len() + self.keys.len());
        index.extend_from_slice(&self.count.to_le_bytes());
        index.extend_from_slice(&self.entries);
        index.extend_from_slice(&self.keys);
        self.out.write_all(&index)?;
        let total = index_at + index.len() as u64 + TRAILER_LEN as u64;
        for n in [
            header_at,
            header.len() as u64,
            index_at,
            index.len() as u64,
            total,
        ] {
            self.out.write_all(&n.to_le_bytes())?;
        }
        self.out
            .write_all(&crc32fast::hash(&header).to_le_bytes())?;
        self.out.write_all(&crc32fast::hash(&index).to_le_bytes())?;
        self.out.write_all(END_MAGIC)?;
        self.out.flush()?;
        drop(self.out);
        self.tmp.as_file().sync_all()?;
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(total)
    }
}

/// Writes a whole database from memory (tests, small databases).
pub fn write(
    path: &Path,
    meta: &Meta,
    packages: &BTreeMap<(String, String), Vec<Record>>,
) -> std::io::Result<u64> {
    let mut w = Writer::create(path)?;
    // BTreeMap order of (String, String) is the byte order of key_bytes.
    for ((eco, name), records) in packages {
        w.add(eco, name, records)?;
    }
    w.finish(meta)
}

thread_local! {
    /// One zstd decompression context per thread, reused across lookups
    /// (creating one costs more than inflating a small package).
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { RefCell::new(None) };
}

/// A package's records, decompressed; [`Package::records`] walks them in place.
#[derive(Debug, Clone)]
pub struct Package {
    data: Vec<u8>,
    pub ecosystem: String,
    pub name: String,
}

impl Package {
    /// Borrowed views of the records (checked: a damaged blob is an error).
    pub fn records(&self) -> Result<Vec<blob::RecordView<'_>>, blob::BlobError> {
        blob::records(&self.data)
    }
}

/// An open database.
pub struct Db {
    path: PathBuf,
    map: memmap2::Mmap,
    pub meta: Meta,
    /// Byte range of the entry table and of the key area inside `map`.
    entries_at: usize,
    count: usize,
    keys_at: usize,
    keys_len: usize,
    /// Blobs must lie in `blobs_at..blobs_end`.
    blobs_at: usize,
    blobs_end: usize,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .field("packages", &self.count)
            .finish()
    }
}

impl Db {
    /// Opens and validates `path` (header, trailer, index checksum, index
    /// bounds and order). Blobs are checked when read.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let p = path.display().to_string();
        let io = |error| DbError::Io {
            path: p.clone(),
            error,
        };
        let corrupt = |what: &str| DbError::Corrupt {
            path: p.clone(),
            what: what.to_string(),
        };
        let file = File::open(path).map_err(io)?;
        // SAFETY: the map is read-only; palisade replaces databases by
        // rename, never by writing in place, so the mapped file does not
        // change under us (a user truncating it by hand could, as with any mmap).
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        let b: &[u8] = &map;
        if b.len() < PREFIX_LEN + TRAILER_LEN {
            return Err(corrupt("file too short"));
        }
        if &b[..16] != MAGIC {
            return Err(corrupt(
                "not a palisade vulnerability database: wrong magic",
            ));
        }
        let version = u32_at(b, 16);
        if version != FORMAT_VERSION {
            return Err(DbError::Version {
                path: p.clone(),
                found: version,
            });
        }
        let t = b.len() - TRAILER_LEN;
        if &b[t + 48..] != END_MAGIC {
            return Err(corrupt(
                "no end marker: the file was not completely written",
            ));
        }
        let header_at = u64_at(b, t);
        let header_len = u64_at(b, t + 8);
        let index_at = u64_at(b, t + 16);
        let index_len = u64_at(b, t + 24);
        let total = u64_at(b, t + 32);
        if total != b.len() as u64 {
            return Err(corrupt(&format!(
                "length {} but the trailer says {total}",
                b.len()
            )));
        }
        // blobs | header | index | trailer, each inside the file.
        if header_len > MAX_HEADER as u64
            || header_at < PREFIX_LEN as u64
            || header_at.checked_add(header_len) != Some(index_at)
            || index_at.checked_add(index_len) != Some(t as u64)
        {
            return Err(corrupt("header or index offset out of range"));
        }
        let (header_at, index_at) = (header_at as usize, index_at as usize);
        let index_len = index_len as usize;
        let header = &b[header_at..index_at];
        if crc32fast::hash(header) != u32_at(b, t + 40) {
            return Err(corrupt("header checksum mismatch"));
        }
        let index = &b[index_at..t];
        if crc32fast::hash(index) != u32_at(b, t + 44) {
            return Err(corrupt("index checksum mismatch"));
        }
        if index_len < 4 {
            return Err(corrupt("index too short"));
        }
        let count = u32_at(index, 0) as usize;
        let table_len = count
            .checked_mul(ENTRY_LEN)
            .filter(|n| n + 4 <= index_len)
            .ok_or_else(|| corrupt("index entry count out of range"))?;
        let meta: Meta = serde_json::from_slice(header)
            .map_err(|e| corrupt(&format!("header is not valid: {e}")))?;
        let db = Db {
            path: path.to_path_buf(),
            entries_at: index_at + 4,
            count,
            keys_at: index_at + 4 + table_len,
            keys_len: index_len - 4 - table_len,
            blobs_at: PREFIX_LEN,
            blobs_end: header_at,
            meta,
            map,
        };
        db.validate_index().map_err(|what| corrupt(&what))?;
        Ok(db)
    }

    /// Every entry's key and blob lie inside their areas, and keys are
    /// strictly increasing (binary search depends on it).
    fn validate_index(&self) -> Result<(), String> {
        let mut prev: Option<&[u8]> = None;
        for i in 0..self.count {
            let (key, blob) = self
                .entry(i)
                .ok_or_else(|| format!("index entry {i} out of range"))?;
            if blob.0 < self.blobs_at || blob.0 + blob.1 > self.blobs_end {
                return Err(format!("index entry {i}: blob out of range"));
            }
            if blob.2 as u64 > MAX_BLOB_DECOMPRESSED {
                return Err(format!("index entry {i}: records too large"));
            }
            if prev.is_some_and(|p| p >= key) {
                return Err(format!("index entry {i}: keys out of order"));
            }
            prev = Some(key);
        }
        Ok(())
    }

    /// Entry `i`: its key and where its blob is.
    fn entry(&self, i: usize) -> Option<(&[u8], BlobRef)> {
        let b: &[u8] = &self.map;
        let e = self.entries_at + i * ENTRY_LEN;
        let key_off = u32_at(b, e) as usize;
        let key_len = u32_at(b, e + 4) as usize;
        if key_off.checked_add(key_len)? > self.keys_len {
            return None;
        }
        let key = &b[self.keys_at + key_off..self.keys_at + key_off + key_len];
        let blob_at = usize::try_from(u64_at(b, e + 8)).ok()?;
        let blob_len = u32_at(b, e + 16) as usize;
        blob_at.checked_add(blob_len)?;
        let raw_len = u32_at(b, e + 20) as usize;
        Some((key, (blob_at, blob_len, raw_len, u32_at(b, e + 24))))
    }

    /// Number of (ecosystem, package) keys.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The records stored for (ecosystem, normalized name), fully decoded;
    /// empty when none.
    pub fn query(&self, ecosystem: &str, name: &str) -> Result<Vec<Record>, DbError> {
        match self.package(ecosystem, name)? {
            Some(p) => blob::decode(&p.data).map_err(|e| self.damaged(ecosystem, name, e)),
            None => Ok(Vec::new()),
        }
    }

    /// The package's records, decompressed and checksum-checked, for
    /// reading in place; `None` when the database has none.
    pub fn package(&self, ecosystem: &str, name: &str) -> Result<Option<Package>, DbError> {
        let want = key_bytes(ecosystem, name);
        let (mut lo, mut hi) = (0usize, self.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            // validate_index made every entry readable.
            let Some((key, blob)) = self.entry(mid) else {
                break;
            };
            match key.cmp(&want[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return Ok(Some(Package {
                        data: self.read_blob(blob, ecosystem, name)?,
                        ecosystem: ecosystem.to_string(),
                        name: name.to_string(),
                    }));
                }
            }
        }
        Ok(None)
    }

    /// The error for a package whose records do not decode.
    pub fn damaged(&self, ecosystem: &str, name: &str, e: blob::BlobError) -> DbError {
        DbError::Corrupt {
            path: self.path.display().to_string(),
            what: format!("records of {ecosystem}/{name}: {}", e.0),
        }
    }

    fn read_blob(
        &self,
        (at, len, raw_len, crc): BlobRef,
        ecosystem: &str,
        name: &str,
    ) -> Result<Vec<u8>, DbError> {
        let corrupt = |what: String| DbError::Corrupt {
            path: self.path.display().to_string(),
            what,
        };
        let blob = &self.map[at..at + len];
        if crc32fast::hash(blob) != crc {
            return Err(corrupt(format!(
                "checksum mismatch in the records of {ecosystem}/{name}"
            )));
        }
        // raw_len was bounded by validate_index; the decompressor writes no
        // more than the capacity it is given.
        let mut data = Vec::with_capacity(raw_len);
        let inflated = DECOMPRESSOR.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                *slot = Some(zstd::bulk::Decompressor::new()?);
            }
            let d = slot.as_mut().expect("just set");
            d.decompress_to_buffer(blob, &mut data)
        });
        match inflated {
            Ok(n) if n == raw_len => Ok(data),
            Ok(n) => Err(corrupt(format!(
                "records of {ecosystem}/{name}: {n} bytes, the index says {raw_len}"
            ))),
            Err(e) => Err(corrupt(format!("records of {ecosystem}/{name}: {e}"))),
        }
    }

    /// Every key, in order (for `db info` and tests).
    pub fn keys(&self) -> impl Iterator<Item = (String, String)> + '_ {
        (0..self.count).filter_map(|i| {
            let (key, _) = self.entry(i)?;
            let s = String::from_utf8_lossy(key);
            let (e, n) = s.split_once('\0')?;
            Some((e.to_string(), n.to_string()))
        })
    }
}
