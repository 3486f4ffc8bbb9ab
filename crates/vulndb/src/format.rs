//! The on-disk database: one file, opened by memory-mapping it, queried by
//! binary search over a sorted index without reading the other packages.
//!
//! ```text
//! MAGIC (16) | format version u32 | header length u32 | header JSON (Meta)
//! blob*       zstd(JSON [Record, ...]) per (ecosystem, name) key
//! index       count u32 | count × entry (24 bytes) | keys ("ecosystem\0name"...)
//!             entry = key offset u32, key length u32, blob offset u64, blob length u32, blob crc32 u32
//! trailer     index offset u64 | index length u64 | total length u64 |
//!             header crc32 u32 | index crc32 u32 | END_MAGIC (16)
//! ```
//! All integers little-endian. The header and index checksums are checked on
//! open, each blob's when it is read; every offset is checked against the
//! file size, so a damaged or hostile file gives an error, never a panic or
//! an unbounded allocation.

use crate::record::Record;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Where a package's blob lies: (offset, length, crc32).
type BlobRef = (usize, usize, u32);

pub const MAGIC: &[u8; 16] = b"PALISADE-VULNDB\n";
pub const END_MAGIC: &[u8; 16] = b"PALISADE-VDB-END";
pub const FORMAT_VERSION: u32 = 1;
const PREFIX_LEN: usize = 16 + 4 + 4;
const TRAILER_LEN: usize = 8 + 8 + 8 + 4 + 4 + 16;
const ENTRY_LEN: usize = 24;
/// Largest header accepted (the source list of a normal database is a few KB).
const MAX_HEADER: usize = 1 << 20;
/// Largest decompressed blob accepted (the largest real package, the Linux
/// kernel in Debian, is a few MB).
pub const MAX_BLOB_DECOMPRESSED: u64 = 256 << 20;

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
        "vulnerability database {path} has format version {found}, this palisade reads version {FORMAT_VERSION}; rebuild it with `palisade db import` or `palisade db update`"
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

/// Writes a database atomically: a temporary file next to `path`, synced,
/// then renamed over it, so readers see the old file or the new one.
pub fn write(
    path: &Path,
    meta: &Meta,
    packages: &BTreeMap<(String, String), Vec<Record>>,
) -> std::io::Result<u64> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".vuln.db.")
        .tempfile_in(dir)?;
    let header = serde_json::to_vec(meta).map_err(std::io::Error::other)?;
    let mut out = std::io::BufWriter::new(tmp.as_file_mut());
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    out.write_all(&(header.len() as u32).to_le_bytes())?;
    out.write_all(&header)?;
    let mut offset = (PREFIX_LEN + header.len()) as u64;
    let mut entries = Vec::with_capacity(packages.len() * ENTRY_LEN);
    let mut keys = Vec::new();
    // BTreeMap order of (String, String) is the byte order of key_bytes.
    for ((eco, name), records) in packages {
        let json = serde_json::to_vec(records).map_err(std::io::Error::other)?;
        let blob = zstd::bulk::compress(&json, 9)?;
        out.write_all(&blob)?;
        let key = key_bytes(eco, name);
        entries.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        entries.extend_from_slice(&(key.len() as u32).to_le_bytes());
        entries.extend_from_slice(&offset.to_le_bytes());
        entries.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        entries.extend_from_slice(&crc32fast::hash(&blob).to_le_bytes());
        keys.extend_from_slice(&key);
        offset += blob.len() as u64;
    }
    let mut index = Vec::with_capacity(4 + entries.len() + keys.len());
    index.extend_from_slice(&(packages.len() as u32).to_le_bytes());
    index.extend_from_slice(&entries);
    index.extend_from_slice(&keys);
    out.write_all(&index)?;
    let total = offset + index.len() as u64 + TRAILER_LEN as u64;
    out.write_all(&offset.to_le_bytes())?;
    out.write_all(&(index.len() as u64).to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(&crc32fast::hash(&header).to_le_bytes())?;
    out.write_all(&crc32fast::hash(&index).to_le_bytes())?;
    out.write_all(END_MAGIC)?;
    out.flush()?;
    drop(out);
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(total)
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
        if &b[t + 32..] != END_MAGIC {
            return Err(corrupt(
                "no end marker: the file was not completely written",
            ));
        }
        let index_at = u64_at(b, t);
        let index_len = u64_at(b, t + 8);
        let total = u64_at(b, t + 16);
        if total != b.len() as u64 {
            return Err(corrupt(&format!(
                "length {} but the trailer says {total}",
                b.len()
            )));
        }
        let header_len = u32_at(b, 20) as usize;
        if header_len > MAX_HEADER || PREFIX_LEN + header_len > t {
            return Err(corrupt("header length out of range"));
        }
        let header = &b[PREFIX_LEN..PREFIX_LEN + header_len];
        if crc32fast::hash(header) != u32_at(b, t + 24) {
            return Err(corrupt("header checksum mismatch"));
        }
        let blobs_at = PREFIX_LEN + header_len;
        if index_at < blobs_at as u64 || index_at.checked_add(index_len) != Some(t as u64) {
            return Err(corrupt("index offset out of range"));
        }
        let (index_at, index_len) = (index_at as usize, index_len as usize);
        let index = &b[index_at..t];
        if crc32fast::hash(index) != u32_at(b, t + 28) {
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
            blobs_at,
            blobs_end: index_at,
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
        Some((key, (blob_at, blob_len, u32_at(b, e + 20))))
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

    /// The records stored for (ecosystem, normalized name); empty when none.
    pub fn query(&self, ecosystem: &str, name: &str) -> Result<Vec<Record>, DbError> {
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
                std::cmp::Ordering::Equal => return self.read_blob(blob, ecosystem, name),
            }
        }
        Ok(Vec::new())
    }

    fn read_blob(
        &self,
        (at, len, crc): (usize, usize, u32),
        ecosystem: &str,
        name: &str,
    ) -> Result<Vec<Record>, DbError> {
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
        let mut json = Vec::new();
        zstd::stream::read::Decoder::new(blob)
            .and_then(|d| d.take(MAX_BLOB_DECOMPRESSED + 1).read_to_end(&mut json))
            .map_err(|e| corrupt(format!("records of {ecosystem}/{name}: {e}")))?;
        if json.len() as u64 > MAX_BLOB_DECOMPRESSED {
            return Err(corrupt(format!(
                "records of {ecosystem}/{name} are too large"
            )));
        }
        serde_json::from_slice(&json)
            .map_err(|e| corrupt(format!("records of {ecosystem}/{name}: {e}")))
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
