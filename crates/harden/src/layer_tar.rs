//! Reading source layers again (verified against their digests) and writing
//! new ones deterministically: GNU tar headers built field by field (no
//! host uid/user names, no atime), gzip with a fixed level, no file name and
//! mtime 0 in its header; the blob digest and the diff-id computed while the
//! bytes are written.

use crate::HardenError;
use palisade_image::Image;
use palisade_image::digest::{Algorithm, Digest, Hasher, VerifyingReader};
use palisade_image::walk::LayerContents;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// The decompressed tar stream of source layer `index`, verified against
/// the digest the walk established.
pub fn open_source_tar<'a>(
    image: &'a Image,
    layer: &LayerContents,
) -> Result<Box<dyn Read + 'a>, HardenError> {
    let raw = image.open_layer(layer.index)?;
    let verified = VerifyingReader::new(raw, layer.digest.clone(), Some(layer.compressed_size));
    let mut buffered = BufReader::with_capacity(1 << 18, verified);
    let head = buffered.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?)
    } else {
        Box::new(buffered)
    })
}

/// The metadata of a tar entry that a rewritten entry keeps.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    pub uname: Vec<u8>,
    pub gname: Vec<u8>,
    pub device: Option<(u32, u32)>,
    /// Extended attributes (`SCHILY.xattr.*` PAX records: file capabilities, ACLs).
    pub xattrs: Vec<(String, Vec<u8>)>,
}

impl Meta {
    pub fn of<R: Read>(entry: &mut tar::Entry<'_, R>) -> io::Result<Meta> {
        let h = entry.header();
        let mut meta = Meta {
            mode: h.mode().unwrap_or(0o644),
            uid: h.uid().unwrap_or(0),
            gid: h.gid().unwrap_or(0),
            mtime: h.mtime().unwrap_or(0),
            uname: h.username_bytes().unwrap_or_default().to_vec(),
            gname: h.groupname_bytes().unwrap_or_default().to_vec(),
            device: match (h.device_major(), h.device_minor()) {
                (Ok(Some(a)), Ok(Some(b))) => Some((a, b)),
                _ => None,
            },
            xattrs: Vec::new(),
        };
        if let Some(exts) = entry.pax_extensions()? {
            for ext in exts {
                let ext = ext?;
                if let Ok(key) = ext.key()
                    && key.starts_with("SCHILY.xattr.")
                {
                    meta.xattrs
                        .push((key.to_string(), ext.value_bytes().to_vec()));
                }
            }
        }
        Ok(meta)
    }
}

/// A new layer being written to a file.
pub struct LayerWriter {
    gz: flate2::write::GzEncoder<HashingFile>,
    uncompressed: Hasher,
    uncompressed_size: u64,
    path: PathBuf,
}

/// A finished new layer.
#[derive(Debug, Clone)]
pub struct NewLayer {
    pub path: PathBuf,
    pub digest: Digest,
    pub size: u64,
    pub diff_id: Digest,
    pub uncompressed_size: u64,
}

struct HashingFile {
    file: io::BufWriter<std::fs::File>,
    hasher: Hasher,
    count: u64,
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Counts and hashes the uncompressed tar on its way into gzip.
struct TarSink<'a> {
    inner: &'a mut flate2::write::GzEncoder<HashingFile>,
    hasher: &'a mut Hasher,
    count: &'a mut u64,
}

impl Write for TarSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        *self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl LayerWriter {
    pub fn create(path: &Path) -> Result<LayerWriter, HardenError> {
        let file = std::fs::File::create(path)?;
        let hashing = HashingFile {
            file: io::BufWriter::with_capacity(1 << 20, file),
            hasher: Hasher::new(Algorithm::Sha256),
            count: 0,
        };
        let gz = flate2::GzBuilder::new()
            .mtime(0)
            .write(hashing, flate2::Compression::new(6));
        Ok(LayerWriter {
            gz,
            uncompressed: Hasher::new(Algorithm::Sha256),
            uncompressed_size: 0,
            path: path.to_path_buf(),
        })
    }

    /// Writes one entry: `kind` with `meta`; a link with its target, a
    /// regular file with `size` bytes of `data`.
    pub fn append(
        &mut self,
        path: &str,
        kind: tar::EntryType,
        meta: &Meta,
        link: Option<&str>,
        size: u64,
        data: impl Read,
    ) -> Result<(), HardenError> {
        let size = if kind == tar::EntryType::Regular && link.is_none() {
            size
        } else {
            0
        };
        self.write_raw(&header_bytes(path, kind, meta, link, size)?)?;
        if size > 0 {
            let mut sink = TarSink {
                inner: &mut self.gz,
                hasher: &mut self.uncompressed,
                count: &mut self.uncompressed_size,
            };
            let copied = io::copy(&mut data.take(size), &mut sink)?;
            if copied != size {
                return Err(HardenError::Input(format!(
                    "/{path}: expected {size} bytes of content, got {copied}"
                )));
            }
            let pad = (512 - (size % 512)) % 512;
            sink.write_all(&[0u8; 512][..pad as usize])?;
        }
        Ok(())
    }

    fn write_raw(&mut self, bytes: &[u8]) -> Result<(), HardenError> {
        let mut sink = TarSink {
            inner: &mut self.gz,
            hasher: &mut self.uncompressed,
            count: &mut self.uncompressed_size,
        };
        sink.write_all(bytes)?;
        Ok(())
    }

    /// Writes the end-of-archive blocks, finishes gzip and syncs the file.
    pub fn finish(mut self) -> Result<NewLayer, HardenError> {
        self.write_raw(&[0u8; 1024])?;
        let mut hashing = self.gz.finish()?;
        hashing.file.flush()?;
        hashing.file.get_ref().sync_all()?;
        Ok(NewLayer {
            path: self.path,
            digest: hashing.hasher.finish(),
            size: hashing.count,
            diff_id: self.uncompressed.finish(),
            uncompressed_size: self.uncompressed_size,
        })
    }
}

/// The header blocks of an entry (PAX xattrs, GNU long name and long
/// link records, the header itself), without its data.
fn header_bytes(
    path: &str,
    kind: tar::EntryType,
    meta: &Meta,
    link: Option<&str>,
    size: u64,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut b = tar::Builder::new(&mut out);
    b.mode(tar::HeaderMode::Complete);
    if !meta.xattrs.is_empty() {
        b.append_pax_extensions(meta.xattrs.iter().map(|(k, v)| (k.as_str(), v.as_slice())))?;
    }
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(meta.mode & 0o7777);
    h.set_uid(meta.uid);
    h.set_gid(meta.gid);
    h.set_mtime(meta.mtime);
    // Names are kept when they are text that fits; ids are what counts.
    if let Ok(u) = std::str::from_utf8(&meta.uname) {
        let _ = h.set_username(u);
    }
    if let Ok(g) = std::str::from_utf8(&meta.gname) {
        let _ = h.set_groupname(g);
    }
    if let Some((major, minor)) = meta.device {
        h.set_device_major(major)?;
        h.set_device_minor(minor)?;
    }
    let name = if kind == tar::EntryType::Directory {
        format!("{path}/")
    } else {
        path.to_string()
    };
    // Size 0 so that no data or padding is written here; the real size is
    // patched into the last header block below.
    h.set_size(0);
    match link {
        Some(target) => b.append_link(&mut h, &name, target)?,
        None => b.append_data(&mut h, &name, io::empty())?,
    }
    b.into_inner()?;
    // into_inner wrote the two end-of-archive blocks: drop them.
    out.truncate(out.len() - 1024);
    let last = out.len() - 512;
    let mut header = tar::Header::new_old();
    header.as_mut_bytes().copy_from_slice(&out[last..]);
    header.set_size(size);
    header.set_cksum();
    out[last..].copy_from_slice(header.as_bytes());
    Ok(out)
}
