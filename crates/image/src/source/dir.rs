//! `dir:PATH`: a directory holding a root filesystem (an unpacked image,
//! `umoci unpack`'s `rootfs`, a chroot), read as an image of one layer so
//! that the same one-pass walk and analyzers see it.
//!
//! The layer is a tar stream made on the fly by a thread that walks the
//! directory and sends 64 KiB chunks through a bounded channel (memory
//! stays small; nothing is written to disk). Symbolic links are archived
//! as links, never followed, so nothing outside the directory is read; the
//! merged view then resolves them inside the root as for any image.
//! Sockets, FIFOs and devices are skipped. A directory entry that cannot
//! be read ends the stream with that error.

use crate::error::{ImageError, Result};
use crate::image::{BlobSource, Image, LayerDesc};
use crate::reference::ImageRef;
use oci_spec::image::ImageConfiguration;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

const CHUNK: usize = 64 << 10;

pub(crate) fn open(reference: &ImageRef, dir: &Path) -> Result<Image> {
    let input = reference.to_string();
    let meta = fs::metadata(dir).map_err(|e| ImageError::io(input.clone(), e))?;
    if !meta.is_dir() {
        return Err(ImageError::format(input, "not a directory"));
    }
    let config = ImageConfiguration::default();
    let config_raw = serde_json::to_vec(&config).unwrap_or_default();
    Ok(Image {
        reference: input,
        manifest_digest: None,
        manifest_media_type: None,
        config_digest: None,
        config,
        config_raw,
        layers: vec![LayerDesc {
            digest: None,
            size: None,
            media_type: Some("application/vnd.oci.image.layer.v1.tar".to_string()),
            diff_id: None,
        }],
        source: Box::new(DirSource {
            root: dir.to_path_buf(),
        }),
    })
}

struct DirSource {
    root: PathBuf,
}

impl BlobSource for DirSource {
    fn open_layer(&self, _index: usize, _layer: &LayerDesc) -> Result<Box<dyn Read + Send + '_>> {
        let (tx, rx) = sync_channel(4);
        let root = self.root.clone();
        std::thread::spawn(move || {
            let mut builder = tar::Builder::new(ChunkWriter {
                tx: tx.clone(),
                buf: Vec::with_capacity(CHUNK),
            });
            let result = add_tree(&mut builder, &root, Path::new(""))
                .and_then(|()| builder.into_inner())
                .and_then(|mut w| w.flush());
            if let Err(e) = result {
                let _ = tx.send(Err(e));
            }
        });
        Ok(Box::new(ChunkReader {
            rx,
            chunk: Vec::new(),
            at: 0,
        }))
    }
}

/// Archives `root/rel` and, for a directory, everything under it.
fn add_tree<W: Write>(b: &mut tar::Builder<W>, root: &Path, rel: &Path) -> io::Result<()> {
    let path = root.join(rel);
    let with_path = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let mut entries: Vec<_> = fs::read_dir(&path)
        .map_err(with_path)?
        .collect::<io::Result<_>>()
        .map_err(with_path)?;
    // A stable order, so two runs give the same stream.
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = rel.join(entry.file_name());
        let full = root.join(&name);
        let with_full = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", full.display()));
        let meta = fs::symlink_metadata(&full).map_err(with_full)?;
        let kind = meta.file_type();
        let mut header = tar::Header::new_gnu();
        header.set_mode(meta.mode() & 0o7777);
        header.set_uid(u64::from(meta.uid()));
        header.set_gid(u64::from(meta.gid()));
        header.set_mtime(meta.mtime().max(0) as u64);
        if kind.is_dir() {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            b.append_data(&mut header, &name, io::empty())?;
            add_tree(b, root, &name)?;
        } else if kind.is_symlink() {
            let target = fs::read_link(&full).map_err(with_full)?;
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            b.append_link(&mut header, &name, &target)?;
        } else if kind.is_file() {
            let file = fs::File::open(&full).map_err(with_full)?;
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(meta.len());
            // The size is fixed in the header: a file that grows or shrinks
            // while read would corrupt the stream, so read exactly that.
            b.append_data(&mut header, &name, Exact::new(file, meta.len()))
                .map_err(with_full)?;
        }
    }
    Ok(())
}

/// Exactly `len` bytes of `inner`: cut when it grew, an error when it shrank.
struct Exact<R> {
    inner: io::Take<R>,
    left: u64,
}

impl<R: Read> Exact<R> {
    fn new(inner: R, len: u64) -> Self {
        Exact {
            inner: inner.take(len),
            left: len,
        }
    }
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "file shrank while it was read",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

struct ChunkWriter {
    tx: SyncSender<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
            // The reader is gone (the walk stopped): stop writing.
            self.tx
                .send(Ok(chunk))
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "reader gone"))?;
        }
        Ok(())
    }
}

struct ChunkReader {
    rx: Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0), // the writer finished
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
