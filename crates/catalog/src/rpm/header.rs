//! rpm header blobs, as the rpm database stores them: a header without the
//! 8-byte magic/reserved prefix of a `.rpm` file.
//!
//! Layout (all integers big-endian): `il` (u32, index entry count), `dl`
//! (u32, data length), `il` 16-byte index entries (tag, type, offset,
//! count), then `dl` bytes of data. The input is hostile (it comes from an
//! image): every length, offset and count is checked before use, and any
//! violation is an [`HeaderError`] naming the problem, never a panic.
//! Alignment is not required for reading.

use std::fmt;

/// rpm's own limit on the index entry count (`HEADER_TAGS_MAX`).
pub const MAX_INDEX: u32 = 0x10000;
/// Largest data section accepted (rpm's `HEADER_DATA_MAX`).
pub const MAX_DATA: u32 = 256 << 20;
/// Most owned files kept per package.
pub const MAX_FILES: usize = 1 << 20;
/// Longest string value kept (bytes).
const MAX_FIELD: usize = 4096;

pub const TYPE_CHAR: u32 = 1;
pub const TYPE_INT8: u32 = 2;
pub const TYPE_INT16: u32 = 3;
pub const TYPE_INT32: u32 = 4;
pub const TYPE_INT64: u32 = 5;
pub const TYPE_STRING: u32 = 6;
pub const TYPE_BIN: u32 = 7;
pub const TYPE_STRING_ARRAY: u32 = 8;
pub const TYPE_I18NSTRING: u32 = 9;

pub const TAG_NAME: u32 = 1000;
pub const TAG_VERSION: u32 = 1001;
pub const TAG_RELEASE: u32 = 1002;
pub const TAG_EPOCH: u32 = 1003;
pub const TAG_LICENSE: u32 = 1014;
pub const TAG_ARCH: u32 = 1022;
pub const TAG_SOURCERPM: u32 = 1044;
pub const TAG_DIRINDEXES: u32 = 1116;
pub const TAG_BASENAMES: u32 = 1117;
pub const TAG_DIRNAMES: u32 = 1118;

/// Why a header blob was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderError(pub String);

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HeaderError {}

fn err<T>(msg: impl Into<String>) -> Result<T, HeaderError> {
    Err(HeaderError(msg.into()))
}

/// One index entry, checked against the data section.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    kind: u32,
    offset: usize,
    count: usize,
}

/// The fields of an installed package that the cataloger uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmHeader {
    pub name: String,
    pub version: String,
    pub release: String,
    /// `EPOCH`, absent when the package has none (the same as 0).
    pub epoch: Option<u32>,
    pub license: Option<String>,
    pub arch: Option<String>,
    /// `SOURCERPM`, e.g. `openssl-1.1.1k-5.el8_5.src.rpm`.
    pub source_rpm: Option<String>,
    /// `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`, at most [`MAX_FILES`].
    pub files: Vec<String>,
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn type_name(kind: u32) -> &'static str {
    match kind {
        TYPE_CHAR => "CHAR",
        TYPE_INT8 => "INT8",
        TYPE_INT16 => "INT16",
        TYPE_INT32 => "INT32",
        TYPE_INT64 => "INT64",
        TYPE_STRING => "STRING",
        TYPE_BIN => "BIN",
        TYPE_STRING_ARRAY => "STRING_ARRAY",
        TYPE_I18NSTRING => "I18NSTRING",
        _ => "unknown",
    }
}

/// A parsed, bounds-checked header.
struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

impl<'a> Header<'a> {
    fn parse(blob: &'a [u8]) -> Result<Self, HeaderError> {
        if blob.len() < 8 {
            return err(format!(
                "header blob of {} bytes is shorter than its 8-byte preamble",
                blob.len()
            ));
        }
        let il = be32(blob, 0);
        let dl = be32(blob, 4);
        if il > MAX_INDEX {
            return err(format!(
                "header index count {il} exceeds the limit of {MAX_INDEX}"
            ));
        }
        if dl > MAX_DATA {
            return err(format!(
                "header data length {dl} exceeds the limit of {MAX_DATA}"
            ));
        }
        let index_len = il as usize * 16;
        let needed = 8 + index_len + dl as usize;
        if needed > blob.len() {
            return err(format!(
                "header declares {il} index entries and {dl} data bytes ({needed} bytes) but the blob has only {}",
                blob.len()
            ));
        }
        let data = &blob[8 + index_len..needed];
        let mut entries = Vec::with_capacity(il as usize);
        for i in 0..il as usize {
            let at = 8 + i * 16;
            let tag = be32(blob, at);
            let kind = be32(blob, at + 4);
            let offset = be32(blob, at + 8) as usize;
            let count = be32(blob, at + 12) as usize;
            let what = || format!("index entry {i} (tag {tag}, type {})", type_name(kind));
            if offset > data.len() {
                return err(format!(
                    "{}: offset {offset} is outside the {} data bytes",
                    what(),
                    data.len()
                ));
            }
            let room = data.len() - offset;
            let fits = match kind {
                TYPE_CHAR | TYPE_INT8 | TYPE_BIN => count <= room,
                TYPE_INT16 => count.checked_mul(2).is_some_and(|n| n <= room),
                TYPE_INT32 => count.checked_mul(4).is_some_and(|n| n <= room),
                TYPE_INT64 => count.checked_mul(8).is_some_and(|n| n <= room),
                // Every string takes at least its NUL byte.
                TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING => count <= room,
                _ => return err(format!("{}: unknown type {kind}", what())),
            };
            if !fits {
                return err(format!(
                    "{}: count {count} at offset {offset} runs past the {} data bytes",
                    what(),
                    data.len()
                ));
            }
            if kind == TYPE_STRING && count != 1 {
                return err(format!("{}: STRING with count {count}, not 1", what()));
            }
            entries.push(Entry {
                tag,
                kind,
                offset,
                count,
            });
        }
        Ok(Header { entries, data })
    }

    fn find(&self, tag: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }

    /// `count` NUL-terminated strings from `offset`.
    fn strings(&self, e: &Entry, limit: usize) -> Result<Vec<String>, HeaderError> {
        let mut out = Vec::with_capacity(e.count.min(limit).min(4096));
        let mut at = e.offset;
        for n in 0..e.count {
            let rest = &self.data[at..];
            let Some(len) = rest.iter().position(|&b| b == 0) else {
                return err(format!(
                    "tag {}: string {n} at data offset {at} has no terminating NUL",
                    e.tag
                ));
            };
            if out.len() < limit {
                out.push(bounded(&rest[..len]));
            }
            at += len + 1;
        }
        Ok(out)
    }

    /// A STRING (or the first string of an I18NSTRING) tag.
    fn string(&self, tag: u32) -> Result<Option<String>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        if e.kind != TYPE_STRING && e.kind != TYPE_I18NSTRING {
            return err(format!(
                "tag {tag}: type {} where STRING was expected",
                type_name(e.kind)
            ));
        }
        if e.count == 0 {
            return err(format!("tag {tag}: string with count 0"));
        }
        Ok(self.strings(e, 1)?.pop())
    }

    fn string_array(&self, tag: u32, limit: usize) -> Result<Option<Vec<String>>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        if e.kind != TYPE_STRING_ARRAY {
            return err(format!(
                "tag {tag}: type {} where STRING_ARRAY was expected",
                type_name(e.kind)
            ));
        }
        self.strings(e, limit).map(Some)
    }

    fn int32s(&self, tag: u32) -> Result<Option<Vec<u32>>, HeaderError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        if e.kind != TYPE_INT32 {
            return err(format!(
                "tag {tag}: type {} where INT32 was expected",
                type_name(e.kind)
            ));
        }
        // Parse checked offset + 4 * count <= data length.
        Ok(Some(
            (0..e.count)
                .map(|i| be32(self.data, e.offset + 4 * i))
                .collect(),
        ))
    }
}

fn bounded(b: &[u8]) -> String {
    let b = &b[..b.len().min(MAX_FIELD)];
    String::from_utf8_lossy(b).into_owned()
}

/// Parses one header blob of the rpm database.
pub fn parse(blob: &[u8]) -> Result<RpmHeader, HeaderError> {
    let h = Header::parse(blob)?;
    let required = |tag: u32, what: &str| -> Result<String, HeaderError> {
        match h.string(tag)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => err(format!("no {what} (tag {tag})")),
        }
    };
    let name = required(TAG_NAME, "NAME")?;
    let version = required(TAG_VERSION, "VERSION")?;
    let release = required(TAG_RELEASE, "RELEASE")?;
    let epoch = match h.int32s(TAG_EPOCH)? {
        None => None,
        Some(v) => match v.first() {
            Some(&e) => Some(e),
            None => return err(format!("tag {TAG_EPOCH} (EPOCH): INT32 with count 0")),
        },
    };
    let license = h.string(TAG_LICENSE)?;
    let arch = h.string(TAG_ARCH)?;
    let source_rpm = h.string(TAG_SOURCERPM)?;
    let files = files(&h)?;
    Ok(RpmHeader {
        name,
        version,
        release,
        epoch,
        license,
        arch,
        source_rpm,
        files,
    })
}

fn files(h: &Header<'_>) -> Result<Vec<String>, HeaderError> {
    let Some(basenames) = h.string_array(TAG_BASENAMES, MAX_FILES)? else {
        return Ok(Vec::new());
    };
    let Some(indexes) = h.int32s(TAG_DIRINDEXES)? else {
        return err("BASENAMES (tag 1117) without DIRINDEXES (tag 1116)");
    };
    let Some(dirnames) = h.string_array(TAG_DIRNAMES, usize::MAX)? else {
        return err("BASENAMES (tag 1117) without DIRNAMES (tag 1118)");
    };
    let total = h.find(TAG_BASENAMES).map_or(0, |e| e.count);
    if indexes.len() != total {
        return err(format!(
            "{} DIRINDEXES for {total} BASENAMES",
            indexes.len()
        ));
    }
    let mut out = Vec::with_capacity(basenames.len());
    for (i, (base, &dir)) in basenames.iter().zip(&indexes).enumerate() {
        let Some(dir) = dirnames.get(dir as usize) else {
            return err(format!(
                "file {i}: DIRINDEXES value {dir} but only {} DIRNAMES",
                dirnames.len()
            ));
        };
        out.push(format!("{dir}{base}"));
    }
    Ok(out)
}

/// Splits a `SOURCERPM` value, `NAME-VERSION-RELEASE.src.rpm` (or
/// `.nosrc.rpm`), into (NAME, VERSION-RELEASE).
pub fn split_source_rpm(s: &str) -> Option<(String, String)> {
    let stem = s
        .strip_suffix(".src.rpm")
        .or_else(|| s.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some((name.to_string(), format!("{version}-{release}")))
}

/// Builds header blobs, for tests and fuzz seeds.
#[doc(hidden)]
pub mod builder {
    use super::*;

    /// Tags and their raw values; [`Builder::build`] lays them out.
    #[derive(Default)]
    pub struct Builder {
        entries: Vec<(u32, u32, u32, Vec<u8>)>,
    }

    impl Builder {
        pub fn new() -> Self {
            Self::default()
        }
        /// A raw entry: tag, type, count and the data bytes it points at.
        pub fn raw(mut self, tag: u32, kind: u32, count: u32, bytes: Vec<u8>) -> Self {
            self.entries.push((tag, kind, count, bytes));
            self
        }
        pub fn string(self, tag: u32, s: &str) -> Self {
            let mut b = s.as_bytes().to_vec();
            b.push(0);
            self.raw(tag, TYPE_STRING, 1, b)
        }
        pub fn strings(self, tag: u32, v: &[&str]) -> Self {
            let mut b = Vec::new();
            for s in v {
                b.extend_from_slice(s.as_bytes());
                b.push(0);
            }
            self.raw(tag, TYPE_STRING_ARRAY, v.len() as u32, b)
        }
        pub fn int32s(self, tag: u32, v: &[u32]) -> Self {
            let b = v.iter().flat_map(|x| x.to_be_bytes()).collect();
            self.raw(tag, TYPE_INT32, v.len() as u32, b)
        }
        /// The blob: `il`, `dl`, the index, the data (no alignment padding).
        pub fn build(&self) -> Vec<u8> {
            let mut index = Vec::new();
            let mut data = Vec::new();
            for (tag, kind, count, bytes) in &self.entries {
                index.extend_from_slice(&tag.to_be_bytes());
                index.extend_from_slice(&kind.to_be_bytes());
                index.extend_from_slice(&(data.len() as u32).to_be_bytes());
                index.extend_from_slice(&count.to_be_bytes());
                data.extend_from_slice(bytes);
            }
            let mut out = Vec::new();
            out.extend_from_slice(&(self.entries.len() as u32).to_be_bytes());
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(&index);
            out.extend_from_slice(&data);
            out
        }
    }

    /// A header with the usual package tags.
    pub fn package(name: &str, epoch: Option<u32>, version: &str, release: &str) -> Builder {
        let mut b = Builder::new()
            .string(TAG_NAME, name)
            .string(TAG_VERSION, version)
            .string(TAG_RELEASE, release);
        if let Some(e) = epoch {
            b = b.int32s(TAG_EPOCH, &[e]);
        }
        b.string(TAG_LICENSE, "MIT")
            .string(TAG_ARCH, "x86_64")
            .string(
                TAG_SOURCERPM,
                &format!("{name}-{version}-{release}.src.rpm"),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::builder::{Builder, package};
    use super::*;

    fn set_u32(blob: &mut [u8], at: usize, v: u32) {
        blob[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }

    fn error(blob: &[u8]) -> String {
        parse(blob).expect_err("should be rejected").0
    }

    #[test]
    fn reads_a_package() {
        let blob = package("openssl-libs", Some(1), "1.1.1k", "5.el8_5")
            .int32s(TAG_DIRINDEXES, &[0, 1, 1])
            .strings(TAG_BASENAMES, &["libssl.so.1.1", "openssl-libs", "LICENSE"])
            .strings(TAG_DIRNAMES, &["/usr/lib64/", "/usr/share/licenses/"])
            .build();
        let h = parse(&blob).unwrap();
        assert_eq!(h.name, "openssl-libs");
        assert_eq!(h.version, "1.1.1k");
        assert_eq!(h.release, "5.el8_5");
        assert_eq!(h.epoch, Some(1));
        assert_eq!(h.license.as_deref(), Some("MIT"));
        assert_eq!(h.arch.as_deref(), Some("x86_64"));
        assert_eq!(
            h.source_rpm.as_deref(),
            Some("openssl-libs-1.1.1k-5.el8_5.src.rpm")
        );
        assert_eq!(
            h.files,
            [
                "/usr/lib64/libssl.so.1.1",
                "/usr/share/licenses/openssl-libs",
                "/usr/share/licenses/LICENSE"
            ]
        );
    }

    #[test]
    fn no_epoch_no_files() {
        let h = parse(&package("bash", None, "4.4.20", "1.el8_4").build()).unwrap();
        assert_eq!(h.epoch, None);
        assert!(h.files.is_empty());
    }

    #[test]
    fn i18n_string_takes_the_first() {
        let blob = package("a", None, "1", "1")
            .raw(TAG_LICENSE - 10, TYPE_I18NSTRING, 2, b"C\0de\0".to_vec())
            .build();
        parse(&blob).unwrap();
        let blob = Builder::new()
            .raw(TAG_NAME, TYPE_I18NSTRING, 2, b"name\0Name\0".to_vec())
            .string(TAG_VERSION, "1")
            .string(TAG_RELEASE, "1")
            .build();
        assert_eq!(parse(&blob).unwrap().name, "name");
    }

    #[test]
    fn rejects_short_and_oversized_preambles() {
        assert!(error(&[0, 0, 0]).contains("shorter than its 8-byte preamble"));
        let mut blob = package("a", None, "1", "1").build();
        set_u32(&mut blob, 0, 0x10001);
        assert!(error(&blob).contains("index count 65537 exceeds"));
        set_u32(&mut blob, 0, u32::MAX);
        assert!(error(&blob).contains("exceeds"));
        let mut blob = package("a", None, "1", "1").build();
        set_u32(&mut blob, 4, u32::MAX);
        assert!(error(&blob).contains("data length 4294967295 exceeds"));
        let mut blob = package("a", None, "1", "1").build();
        set_u32(&mut blob, 4, 1000);
        assert!(error(&blob).contains("but the blob has only"));
        set_u32(&mut blob, 0, 0x10000);
        set_u32(&mut blob, 4, 0);
        assert!(error(&blob).contains("but the blob has only"));
    }

    #[test]
    fn rejects_offsets_and_counts_out_of_range() {
        // Entry 0 is NAME; its offset is at 8 + 8, its count at 8 + 12.
        let mut blob = package("a", None, "1", "1").build();
        set_u32(&mut blob, 16, 0xFFFF_FFF0);
        assert!(error(&blob).contains("index entry 0 (tag 1000, type STRING): offset"));
        let blob = package("a", None, "1", "1")
            .raw(TAG_DIRINDEXES, TYPE_INT32, u32::MAX, vec![0; 8])
            .build();
        assert!(error(&blob).contains("count 4294967295 at offset"));
        let blob = package("a", None, "1", "1")
            .raw(TAG_DIRINDEXES, TYPE_INT64, 1 << 30, vec![0; 8])
            .build();
        assert!(error(&blob).contains("runs past"));
        let blob = package("a", None, "1", "1")
            .raw(TAG_BASENAMES, TYPE_STRING_ARRAY, 1000, b"x\0".to_vec())
            .build();
        assert!(error(&blob).contains("runs past"));
        let blob = package("a", None, "1", "1")
            .raw(5000, 42, 1, vec![0])
            .build();
        assert!(error(&blob).contains("unknown type 42"));
    }

    #[test]
    fn rejects_missing_nul() {
        let blob = Builder::new()
            .string(TAG_VERSION, "1")
            .string(TAG_RELEASE, "1")
            .raw(TAG_NAME, TYPE_STRING, 1, b"unterminated".to_vec())
            .build();
        assert!(
            error(&blob).contains("tag 1000: string 0 at data offset 4 has no terminating NUL")
        );
        let blob = package("a", None, "1", "1")
            .int32s(TAG_DIRINDEXES, &[0, 0])
            .strings(TAG_DIRNAMES, &["/"])
            .raw(TAG_BASENAMES, TYPE_STRING_ARRAY, 2, b"a\0b".to_vec())
            .build();
        assert!(error(&blob).contains("tag 1117: string 1"));
    }

    #[test]
    fn rejects_wrong_types() {
        let blob = Builder::new()
            .int32s(TAG_NAME, &[1])
            .string(TAG_VERSION, "1")
            .string(TAG_RELEASE, "1")
            .build();
        assert!(error(&blob).contains("tag 1000: type INT32 where STRING was expected"));
        let blob = package("a", None, "1", "1")
            .raw(TAG_ARCH + 1000, TYPE_STRING, 2, b"a\0b\0".to_vec())
            .build();
        assert!(error(&blob).contains("STRING with count 2"));
        let mut b = Builder::new()
            .string(TAG_NAME, "a")
            .string(TAG_VERSION, "1")
            .string(TAG_RELEASE, "1");
        b = b.string(TAG_EPOCH, "1");
        assert!(error(&b.build()).contains("tag 1003: type STRING where INT32 was expected"));
        let blob = package("a", None, "1", "1")
            .string(TAG_DIRINDEXES, "0")
            .strings(TAG_BASENAMES, &["x"])
            .strings(TAG_DIRNAMES, &["/"])
            .build();
        assert!(error(&blob).contains("where INT32 was expected"));
        let blob = package("a", None, "1", "1")
            .int32s(TAG_DIRINDEXES, &[0])
            .string(TAG_BASENAMES, "x")
            .strings(TAG_DIRNAMES, &["/"])
            .build();
        assert!(error(&blob).contains("where STRING_ARRAY was expected"));
    }

    #[test]
    fn rejects_inconsistent_file_lists() {
        let blob = package("a", None, "1", "1")
            .int32s(TAG_DIRINDEXES, &[0, 5])
            .strings(TAG_BASENAMES, &["x", "y"])
            .strings(TAG_DIRNAMES, &["/"])
            .build();
        assert!(error(&blob).contains("file 1: DIRINDEXES value 5 but only 1 DIRNAMES"));
        let blob = package("a", None, "1", "1")
            .int32s(TAG_DIRINDEXES, &[0])
            .strings(TAG_BASENAMES, &["x", "y"])
            .strings(TAG_DIRNAMES, &["/"])
            .build();
        assert!(error(&blob).contains("1 DIRINDEXES for 2 BASENAMES"));
        let blob = package("a", None, "1", "1")
            .strings(TAG_BASENAMES, &["x"])
            .strings(TAG_DIRNAMES, &["/"])
            .build();
        assert!(error(&blob).contains("without DIRINDEXES"));
    }

    #[test]
    fn requires_name_version_release() {
        let blob = Builder::new()
            .string(TAG_NAME, "a")
            .string(TAG_VERSION, "1")
            .build();
        assert!(error(&blob).contains("no RELEASE"));
        assert!(error(&Builder::new().build()).contains("no NAME"));
    }

    #[test]
    fn splits_source_rpms() {
        assert_eq!(
            split_source_rpm("openssl-1.1.1k-5.el8_5.src.rpm"),
            Some(("openssl".into(), "1.1.1k-5.el8_5".into()))
        );
        assert_eq!(
            split_source_rpm("rocky-release-8.5-3.el8.src.rpm"),
            Some(("rocky-release".into(), "8.5-3.el8".into()))
        );
        assert_eq!(split_source_rpm("(none)"), None);
        assert_eq!(split_source_rpm("x-1.src.rpm"), None);
    }
}
