//! The one-pass layer walk: each layer blob is read exactly once, as a
//! stream (never extracted), verified against its digest and diff-id while
//! it is decompressed and its tar entries are listed. Layers are walked in
//! parallel. Files that an analyzer asked for are handed to it as they pass.

use crate::analyzer::{Analysis, Analyzer, CompiledAnalyzers, FileRef};
use crate::digest::{Algorithm, Digest, Hasher, HashingReader, VerifyingReader};
use crate::error::{ImageError, Result};
use crate::fs::{Filesystem, LayerChanges};
use crate::image::Image;
use crate::manifest::Compression;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Bounds that keep a hostile layer from exhausting memory or time.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest uncompressed layer (decompression bombs stop here).
    pub max_layer_bytes: u64,
    /// Most tar entries in one layer.
    pub max_entries: usize,
    /// Longest path, in bytes.
    pub max_path_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 64 << 30,
            max_entries: 10_000_000,
            max_path_len: 4096,
        }
    }
}

/// Receives progress of the walk (the CLI draws bars with it).
pub trait Progress: Send + Sync {
    fn layer_started(&self, _index: usize, _blob_size: Option<u64>) {}
    /// `n` more compressed bytes of layer `index` were read.
    fn advance(&self, _index: usize, _n: u64) {}
    fn layer_finished(&self, _index: usize) {}
}

pub struct WalkOptions<'a> {
    pub limits: Limits,
    /// Worker threads; 0 means one per CPU.
    pub threads: usize,
    pub progress: Option<&'a dyn Progress>,
    /// Hash every uncompressed layer and compare it with the config's
    /// diff-id. When off, a compressed layer whose blob digest was verified
    /// is not hashed a second time: that digest already fixes every byte
    /// walked, and the diff-id check would only find an inconsistent config
    /// (which container runtimes refuse at unpack). Layers without a
    /// verified blob digest or a stated diff-id are always hashed.
    pub verify_diff_ids: bool,
}

impl Default for WalkOptions<'_> {
    fn default() -> Self {
        WalkOptions {
            limits: Limits::default(),
            threads: 0,
            progress: None,
            verify_diff_ids: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    HardLink,
    CharDevice,
    BlockDevice,
    Fifo,
}

/// One tar entry of a layer (whiteouts are kept apart, see [`Whiteout`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Normalised path: relative to the root, no leading `/`, no `.`/`..`.
    pub path: String,
    pub kind: EntryKind,
    /// Permission bits including setuid (0o4000), setgid (0o2000), sticky (0o1000).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// Symlink target as written, or hard link target normalised to a path.
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whiteout {
    /// `.wh.NAME`: NAME (and everything under it) from lower layers is deleted.
    Path(String),
    /// `.wh..wh..opq`: everything under this directory from lower layers is hidden.
    Opaque(String),
}

/// What one layer holds. A pure function of the layer's bytes.
pub struct LayerContents {
    pub index: usize,
    /// The blob digest: verified when the source stated it, else computed.
    pub digest: Digest,
    pub digest_verified: bool,
    /// The uncompressed tar's digest: computed and checked against the
    /// config, or the config's value when `diff_id_verified` is false (see
    /// [`WalkOptions::verify_diff_ids`]).
    pub diff_id: Digest,
    pub diff_id_verified: bool,
    pub compression: Compression,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub entries: Vec<Entry>,
    pub whiteouts: Vec<Whiteout>,
    /// Analyzer outputs by path: (analyzer index, output).
    pub analyses: HashMap<String, Vec<(usize, Analysis)>>,
    /// Problems that did not stop the walk (an analyzer failing on a file).
    pub warnings: Vec<String>,
}

/// The result of walking every layer of an image.
pub struct Scan {
    pub layers: Vec<LayerContents>,
    pub fs: Filesystem,
    pub changes: Vec<LayerChanges>,
}

impl Scan {
    /// The output of analyzer `analyzer` for the version of `path` that is
    /// visible in the final filesystem.
    pub fn analysis(&self, path: &str, analyzer: usize) -> Option<&Analysis> {
        // Like `Filesystem::get`, accept the path with or without a leading `/`.
        let path = path.trim_start_matches('/');
        let node = self.fs.get(path)?;
        self.layers[node.layer]
            .analyses
            .get(path)?
            .iter()
            .find(|(a, _)| *a == analyzer)
            .map(|(_, out)| out)
    }
}

/// Walks every layer (in parallel) and merges them into the final filesystem.
pub fn walk(image: &Image, analyzers: &[&dyn Analyzer], options: &WalkOptions<'_>) -> Result<Scan> {
    let compiled =
        CompiledAnalyzers::new(analyzers).map_err(|e| ImageError::format(&image.reference, e))?;
    let n = image.layers.len();
    let threads = match options.threads {
        0 => std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(1),
        t => t,
    }
    .clamp(1, n.max(1));
    // Largest layers first, so the longest job does not start last.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(image.layers[i].size.unwrap_or(0)));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<LayerContents>>>> =
        Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= n || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let index = order[k];
                    let result = walk_layer(image, index, &compiled, options, &stop);
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    results.lock().unwrap_or_else(|p| p.into_inner())[index] = Some(result);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut layers = Vec::with_capacity(n);
    let mut first_error = None;
    for r in results {
        match r {
            Some(Ok(l)) => layers.push(l),
            Some(Err(e)) => {
                // Report the first real error, not the "stopped" of a sibling.
                let stopped = matches!(&e, ImageError::Layer { reason, .. } if reason == STOPPED);
                if first_error.is_none() || (!stopped && is_stopped(first_error.as_ref())) {
                    first_error = Some(e);
                }
            }
            None => {}
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let (fs, changes) = Filesystem::merge(&mut layers);
    Ok(Scan {
        layers,
        fs,
        changes,
    })
}

const STOPPED: &str = "stopped after an error in another layer";

fn is_stopped(e: Option<&ImageError>) -> bool {
    matches!(e, Some(ImageError::Layer { reason, .. }) if reason == STOPPED)
}

/// Counts bytes for the progress display.
struct ProgressReader<'a, R> {
    inner: R,
    index: usize,
    progress: Option<&'a dyn Progress>,
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = self.progress {
            p.advance(self.index, n as u64);
        }
        Ok(n)
    }
}

/// The compressed stream, verified against a stated digest or just hashed.
enum BlobReader<R> {
    Verified(VerifyingReader<R>),
    Hashed(HashingReader<R>),
}

impl<R: Read> Read for BlobReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            BlobReader::Verified(r) => r.read(buf),
            BlobReader::Hashed(r) => r.read(buf),
        }
    }
}

/// Fails reading once more than `limit` bytes came through.
struct LimitReader<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for LimitReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "uncompressed layer is larger than the {}-byte limit",
                    self.limit
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn drain(mut r: impl Read) -> io::Result<u64> {
    io::copy(&mut r, &mut io::sink())
}

fn walk_layer(
    image: &Image,
    index: usize,
    analyzers: &CompiledAnalyzers<'_>,
    options: &WalkOptions<'_>,
    stop: &AtomicBool,
) -> Result<LayerContents> {
    let desc = &image.layers[index];
    let layer_name = desc
        .digest
        .as_ref()
        .map(|d| d.to_string())
        .unwrap_or_else(|| format!("#{}", index + 1));
    let fail = |reason: String| ImageError::Layer {
        input: image.reference.clone(),
        layer: layer_name.clone(),
        reason,
    };
    if let Some(p) = options.progress {
        p.layer_started(index, desc.size);
    }
    let raw = image.open_layer(index)?;
    let layer = walk_stream(raw, desc, index, analyzers, options, stop).map_err(fail)?;
    if let Some(p) = options.progress {
        p.layer_finished(index);
    }
    Ok(layer)
}

/// Walks one layer blob given as bytes, as if it were layer 0 of an image
/// with no stated digest or diff-id (both are computed). For tools and fuzzing.
pub fn walk_blob(name: &str, blob: &[u8], limits: &Limits) -> Result<LayerContents> {
    let desc = crate::image::LayerDesc {
        digest: None,
        size: None,
        media_type: None,
        diff_id: None,
    };
    let options = WalkOptions {
        limits: limits.clone(),
        threads: 1,
        ..WalkOptions::default()
    };
    let no_analyzers = CompiledAnalyzers::new(&[]).expect("no patterns to compile");
    walk_stream(
        blob,
        &desc,
        0,
        &no_analyzers,
        &options,
        &AtomicBool::new(false),
    )
    .map_err(|reason| ImageError::Layer {
        input: name.to_string(),
        layer: "#1".to_string(),
        reason,
    })
}

/// Verifies, decompresses and lists one layer stream. Errors are the reason
/// only; the caller names the image and layer.
fn walk_stream(
    raw: impl Read,
    desc: &crate::image::LayerDesc,
    index: usize,
    analyzers: &CompiledAnalyzers<'_>,
    options: &WalkOptions<'_>,
    stop: &AtomicBool,
) -> std::result::Result<LayerContents, String> {
    let raw = ProgressReader {
        inner: raw,
        index,
        progress: options.progress,
    };
    let blob = match &desc.digest {
        Some(d) => BlobReader::Verified(VerifyingReader::new(raw, d.clone(), desc.size)),
        None => BlobReader::Hashed(HashingReader::new(raw, Algorithm::Sha256)),
    };
    let mut buffered = BufReader::with_capacity(1 << 18, blob);
    let head = buffered
        .fill_buf()
        .map_err(|e| format!("cannot read: {e}"))?;
    let compression = if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    };
    let limits = &options.limits;
    let ctx = TarContext {
        analyzers,
        limits,
        stop,
        index,
    };
    // An uncompressed layer's diff-id is its blob digest, so its check costs
    // nothing more than the blob check: keep it.
    let skip_diff_id =
        !options.verify_diff_ids && desc.digest.is_some() && compression != Compression::None;
    let claimed_diff_id = desc.diff_id.clone().filter(|_| skip_diff_id);
    let hash_diff_id = claimed_diff_id.is_none();
    let (tar, diff_id, uncompressed_size, buffered) = match compression {
        Compression::Gzip => {
            let (tar, d, n, dec) = read_layer(
                flate2::read::MultiGzDecoder::new(buffered),
                &ctx,
                limits,
                hash_diff_id,
            )
            .map_err(|e| e.with_codec("gzip"))?;
            (tar, d, n, dec.into_inner())
        }
        Compression::Zstd => {
            let dec = zstd::stream::read::Decoder::with_buffer(buffered)
                .map_err(|e| format!("zstd: {e}"))?;
            let (tar, d, n, dec) =
                read_layer(dec, &ctx, limits, hash_diff_id).map_err(|e| e.with_codec("zstd"))?;
            (tar, d, n, dec.finish())
        }
        Compression::None => {
            let (tar, d, n, r) = read_layer(buffered, &ctx, limits, hash_diff_id)
                .map_err(|e| e.with_codec("tar"))?;
            (tar, d, n, r)
        }
    };
    // Whatever follows the compressed stream is still part of the blob.
    let mut blob = buffered.into_inner();
    drain(&mut blob).map_err(|e| format!("cannot read: {e}"))?;
    let (digest, compressed_size, digest_verified) = match blob {
        BlobReader::Verified(r) => {
            let count = r.count();
            (
                desc.digest.clone().expect("verified blobs have a digest"),
                count,
                true,
            )
        }
        BlobReader::Hashed(r) => {
            let (d, n) = r.finish();
            (d, n, false)
        }
    };
    let (diff_id, diff_id_verified) = match (diff_id, claimed_diff_id) {
        (Some(computed), _) => {
            if let Some(expected) = &desc.diff_id
                && expected != &computed
            {
                return Err(format!(
                    "diff-id mismatch: the config says {expected}, the layer's content is {computed}"
                ));
            }
            (computed, true)
        }
        (None, claimed) => (
            claimed.ok_or("internal: the diff-id was neither hashed nor stated")?,
            false,
        ),
    };
    Ok(LayerContents {
        index,
        digest,
        digest_verified,
        diff_id,
        diff_id_verified,
        compression,
        compressed_size,
        uncompressed_size,
        entries: tar.entries,
        whiteouts: tar.whiteouts,
        analyses: tar.analyses,
        warnings: tar.warnings,
    })
}

struct TarContext<'a, 'b> {
    analyzers: &'a CompiledAnalyzers<'b>,
    limits: &'a Limits,
    stop: &'a AtomicBool,
    index: usize,
}

#[derive(Default)]
struct TarContents {
    entries: Vec<Entry>,
    whiteouts: Vec<Whiteout>,
    analyses: HashMap<String, Vec<(usize, Analysis)>>,
    warnings: Vec<String>,
}

/// A failure while reading a layer, before it is named. `stream` is set
/// for errors of reading the (decompressed) stream, which may be a
/// corrupt or truncated blob; problems with the tar's content (a path
/// escaping the root, an invalid whiteout or header field) are not.
struct LayerFailure {
    msg: String,
    stream: bool,
}

impl LayerFailure {
    /// A problem with what the layer holds, not with how it is encoded.
    fn new(msg: String) -> Self {
        LayerFailure { msg, stream: false }
    }

    fn with_codec(self, codec: &str) -> String {
        let msg = self.msg;
        if !self.stream
            || msg.contains("digest mismatch")
            || msg.contains("descriptor")
            || msg.contains("escapes")
            || msg.contains("limit")
            || msg.contains(STOPPED)
        {
            msg
        } else {
            format!("corrupt or truncated {codec} stream: {msg}")
        }
    }
}

impl From<io::Error> for LayerFailure {
    fn from(e: io::Error) -> Self {
        LayerFailure {
            msg: describe_io_error(&e),
            stream: true,
        }
    }
}

/// An I/O or tar error as one short line. The tar crate quotes the raw
/// header bytes it could not parse ("... when getting cksum for <512 bytes>"),
/// which may be anyone's file content: keep only the cause.
pub(crate) fn describe_io_error(e: &io::Error) -> String {
    let full = e.to_string();
    let cause = full.split(" when getting ").next().unwrap_or(&full);
    let cause = match cause.split_once(": ") {
        Some((what, _quoted))
            if what.starts_with("numeric field") || what.ends_with("not valid") =>
        {
            what
        }
        _ => cause,
    };
    let mut short: String = cause
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if cause.chars().count() > 200 {
        short.push('…');
    }
    short
}

/// Read size between the decompressed stream and the tar reader.
const TAR_BUFFER: usize = 1 << 18;

/// Counts the uncompressed stream and, when asked, hashes it for the diff-id.
struct DiffIdReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    count: u64,
}

impl<R: Read> Read for DiffIdReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        self.count += n as u64;
        Ok(n)
    }
}

/// Lists the tar inside a (decompressed) stream and hashes it for the
/// diff-id if `hash` is set. Returns the decoder so the caller can finish
/// the compressed stream.
fn read_layer<D: Read>(
    decoder: D,
    ctx: &TarContext<'_, '_>,
    limits: &Limits,
    hash: bool,
) -> std::result::Result<(TarContents, Option<Digest>, u64, D), LayerFailure> {
    let hashed = DiffIdReader {
        inner: LimitReader {
            inner: decoder,
            left: limits.max_layer_bytes,
            limit: limits.max_layer_bytes,
        },
        hasher: hash.then(|| Hasher::new(Algorithm::Sha256)),
        count: 0,
    };
    // tar reads 512-byte headers and small bodies; a large buffer lets the
    // decoder inflate and the hasher hash in big runs (their fast paths).
    let buffered = BufReader::with_capacity(TAR_BUFFER, hashed);
    let mut archive = tar::Archive::new(buffered);
    let contents = list_tar(&mut archive, ctx)?;
    let mut buffered = archive.into_inner();
    // The end-of-archive blocks and padding count towards the diff-id.
    drain(&mut buffered)?;
    let reader = buffered.into_inner();
    let diff_id = reader.hasher.map(Hasher::finish);
    Ok((contents, diff_id, reader.count, reader.inner.inner))
}

fn list_tar<R: Read>(
    archive: &mut tar::Archive<R>,
    ctx: &TarContext<'_, '_>,
) -> std::result::Result<TarContents, LayerFailure> {
    let mut out = TarContents::default();
    let entries = archive.entries()?;
    for (count, entry) in entries.enumerate() {
        let mut entry = entry?;
        if count >= ctx.limits.max_entries {
            return Err(LayerFailure::new(format!(
                "more than the limit of {} entries",
                ctx.limits.max_entries
            )));
        }
        if count % 1024 == 0 && ctx.stop.load(Ordering::Relaxed) {
            return Err(LayerFailure::new(STOPPED.to_string()));
        }
        let raw_path = entry.path_bytes();
        if raw_path.len() > ctx.limits.max_path_len {
            return Err(LayerFailure::new(format!(
                "a path is longer than {} bytes",
                ctx.limits.max_path_len
            )));
        }
        let raw_path = String::from_utf8_lossy(&raw_path).into_owned();
        let path = normalize(&raw_path).ok_or_else(|| {
            LayerFailure::new(format!("tar entry {raw_path:?} escapes the image root"))
        })?;
        let header = entry.header();
        let kind = match header.entry_type() {
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::HardLink,
            tar::EntryType::Char => EntryKind::CharDevice,
            tar::EntryType::Block => EntryKind::BlockDevice,
            tar::EntryType::Fifo => EntryKind::Fifo,
            tar::EntryType::XGlobalHeader => continue,
            _ => EntryKind::File,
        };
        if path.is_empty() {
            continue; // the root directory itself
        }
        let (parent, name) = match path.rsplit_once('/') {
            Some((p, n)) => (p, n),
            None => ("", path.as_str()),
        };
        if name == ".wh..wh..opq" {
            out.whiteouts.push(Whiteout::Opaque(parent.to_string()));
            continue;
        }
        if name.starts_with(".wh..wh.") {
            continue; // other aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs)
        }
        if let Some(target) = name.strip_prefix(".wh.") {
            if target.is_empty() || target == "." || target == ".." {
                return Err(LayerFailure::new(format!("invalid whiteout {raw_path:?}")));
            }
            let target = if parent.is_empty() {
                target.to_string()
            } else {
                format!("{parent}/{target}")
            };
            out.whiteouts.push(Whiteout::Path(target));
            continue;
        }
        let bad_header = |what: &str, e: io::Error| {
            LayerFailure::new(format!("tar entry {raw_path:?}: invalid {what}: {e}"))
        };
        let old = header.as_old();
        let mode = blank_is_zero(header.mode(), &old.mode).map_err(|e| bad_header("mode", e))?;
        let uid = blank_is_zero(header.uid(), &old.uid).map_err(|e| bad_header("uid", e))?;
        let gid = blank_is_zero(header.gid(), &old.gid).map_err(|e| bad_header("gid", e))?;
        let size = if kind == EntryKind::File {
            entry.size()
        } else {
            0
        };
        let link = match kind {
            EntryKind::Symlink => entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            EntryKind::HardLink => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                Some(
                    normalize(&target)
                        .filter(|t| !t.is_empty())
                        .ok_or_else(|| {
                            LayerFailure::new(format!(
                                "hard link {raw_path:?} points outside the image root ({target:?})"
                            ))
                        })?,
                )
            }
            _ => None,
        };
        // A path written twice in one tar: only the last version counts, so
        // an earlier version's analysis must not stand in for it.
        if !out.analyses.is_empty() {
            out.analyses.remove(&path);
        }
        if kind == EntryKind::File && !ctx.analyzers.is_empty() {
            let wanted = ctx.analyzers.interested(&path, size, mode);
            if !wanted.is_empty() {
                analyze_file(&mut entry, &path, mode, size, &wanted, ctx, &mut out)?;
            }
        }
        out.entries.push(Entry {
            path,
            kind,
            mode,
            uid,
            gid,
            size,
            link,
        });
    }
    Ok(out)
}

fn analyze_file<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    path: &str,
    mode: u32,
    size: u64,
    wanted: &[usize],
    ctx: &TarContext<'_, '_>,
    out: &mut TarContents,
) -> std::result::Result<(), LayerFailure> {
    let file = FileRef {
        path,
        mode,
        size,
        layer: ctx.index,
    };
    let mut results = Vec::with_capacity(wanted.len());
    let mut buffered = Vec::new();
    let mut scanners = Vec::new();
    for &a in wanted {
        let analyzer = ctx.analyzers.analyzers[a];
        if size > analyzer.max_size() {
            results.push((a, Ok(analyzer.too_large(file))));
        } else if let Some(scanner) = analyzer.scanner(file) {
            scanners.push((a, scanner));
        } else {
            buffered.push(a);
        }
    }
    if !buffered.is_empty() {
        let mut content = Vec::with_capacity(size as usize);
        entry.by_ref().take(size).read_to_end(&mut content)?;
        for &a in &buffered {
            results.push((a, ctx.analyzers.analyzers[a].analyze(file, &content)));
        }
        for (a, mut scanner) in scanners {
            if !content.is_empty() {
                scanner.chunk(0, &content);
            }
            results.push((a, scanner.finish()));
        }
    } else if !scanners.is_empty() {
        // Streamed: only one chunk of the file is in memory at a time, and
        // reading stops as soon as no scanner wants more (tar skips the rest).
        let mut chunk = vec![0u8; SCAN_CHUNK.min(size as usize).max(1)];
        let mut active = vec![true; scanners.len()];
        let mut offset = 0u64;
        let mut body = entry.by_ref().take(size);
        while active.iter().any(|&a| a) {
            let n = read_full(&mut body, &mut chunk)?;
            if n == 0 {
                break;
            }
            for ((_, scanner), on) in scanners.iter_mut().zip(active.iter_mut()) {
                if *on {
                    *on = scanner.chunk(offset, &chunk[..n]);
                }
            }
            offset += n as u64;
        }
        for (a, scanner) in scanners {
            results.push((a, scanner.finish()));
        }
    }
    for (a, result) in results {
        match result {
            Ok(Some(output)) => out
                .analyses
                .entry(path.to_string())
                .or_default()
                .push((a, output)),
            Ok(None) => {}
            Err(e) => out.warnings.push(format!(
                "{}: /{path}: {e}",
                ctx.analyzers.analyzers[a].name()
            )),
        }
    }
    Ok(())
}

/// Bytes of a file handed to scanners at a time.
const SCAN_CHUNK: usize = 1 << 16;

/// Reads until `buf` is full or the reader ends; the count read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A blank numeric header field (all NULs or spaces) reads as 0, as GNU
/// tar, Go's archive/tar (containerd, docker, dive) and Python read it;
/// the tar crate refuses it.
fn blank_is_zero<T: Default>(parsed: io::Result<T>, field: &[u8]) -> io::Result<T> {
    match parsed {
        Err(_) if field.iter().all(|&b| b == 0 || b == b' ') => Ok(T::default()),
        other => other,
    }
}

/// Normalises a tar path to a root-relative path; `None` if it climbs out.
pub fn normalize(raw: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize("./etc/passwd").as_deref(), Some("etc/passwd"));
        assert_eq!(normalize("/usr//bin/").as_deref(), Some("usr/bin"));
        assert_eq!(normalize("a/../b").as_deref(), Some("b"));
        assert_eq!(normalize("./").as_deref(), Some(""));
        assert_eq!(normalize("../etc/passwd"), None);
        assert_eq!(normalize("a/../../b"), None);
    }
}
