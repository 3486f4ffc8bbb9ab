//! Go 1.13–1.17 build information (ELF only): the 32-byte `.go.buildinfo`
//! header holds, after the magic, the pointer size (byte 14), the byte
//! order (byte 15: 0 little, 1 big endian) and two virtual addresses: of
//! the Go string headers (pointer, length) of `runtime.buildVersion` and
//! `runtime.modinfo`. Those headers lie in `.data`, after the build
//! information in the file; the bytes they point to lie in `.rodata`,
//! before it. Addresses become file offsets through the `PT_LOAD` program
//! headers at the start of the file ([`crate::elf::layout`]).
//!
//! The file is read once, as a stream, so the bytes a pointer leads back
//! to must have been kept when they went past: [`Windows`] keeps a few
//! bytes after every `go1.`/`devel` (a version string) and every module
//! information start sentinel, up to its end sentinel. A pointer is only
//! followed to the exact offset it names; when that offset was not kept
//! (a binary laid out otherwise), the build information is reported as
//! not read. Everything is bounded: window counts and sizes, string
//! lengths (never trusted beyond the bounds), program header counts.

use crate::elf::Layout;

/// The `runtime.modinfo` framing that `cmd/go` writes around the module
/// lines (its `infoStart` and `infoEnd`).
const MODINFO_START: &[u8] = b"\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
const MODINFO_END: &[u8] = b"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";
/// Bytes kept after a possible Go version string; a longer version is not
/// read.
const VERSION_WINDOW: usize = 128;
/// Most windows of each kind kept per file.
const MAX_VERSION_WINDOWS: usize = 256;
const MAX_MODINFO_WINDOWS: usize = 16;

/// The pointer-format header, from the magic on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub ptr_size: usize,
    pub big: bool,
    pub version_addr: u64,
    pub modinfo_addr: u64,
}

/// Reads the header from the 32 bytes at the magic (flag bit 2 clear).
pub fn header(data: &[u8]) -> Result<Header, String> {
    let data = data.get(..32).ok_or("truncated Go build information")?;
    let ptr_size = usize::from(data[14]);
    let big = match data[15] {
        0 => false,
        1 => true,
        f => return Err(format!("Go build information with unknown flags {f:#x}")),
    };
    if ptr_size != 4 && ptr_size != 8 {
        return Err(format!("Go build information with pointer size {ptr_size}"));
    }
    Ok(Header {
        ptr_size,
        big,
        version_addr: uint(&data[16..16 + ptr_size], big),
        modinfo_addr: uint(&data[16 + ptr_size..16 + 2 * ptr_size], big),
    })
}

fn uint(b: &[u8], big: bool) -> u64 {
    let fold = |acc: u64, &x: &u8| (acc << 8) | u64::from(x);
    if big {
        b.iter().fold(0, fold)
    } else {
        b.iter().rev().fold(0, fold)
    }
}

/// Bytes that a needle starts, kept from the stream.
struct Window {
    offset: u64,
    bytes: Vec<u8>,
    limit: usize,
    /// No more bytes will be added (limit or end sentinel reached).
    closed: bool,
}

/// Every occurrence of one needle, wherever the chunks cut it.
struct Watch {
    needle: &'static [u8],
    /// Closes a window when it appears in it (after the needle).
    end: Option<&'static [u8]>,
    limit: usize,
    max: usize,
    /// The stream's last `needle.len() - 1` bytes and the offset of the first.
    carry: Vec<u8>,
    carry_offset: u64,
    windows: Vec<Window>,
}

impl Watch {
    fn new(needle: &'static [u8], end: Option<&'static [u8]>, limit: usize, max: usize) -> Self {
        Watch {
            needle,
            end,
            limit,
            max,
            carry: Vec::new(),
            carry_offset: 0,
            windows: Vec::new(),
        }
    }

    fn grow(&self, w: &mut Window, data: &[u8]) {
        if w.closed {
            return;
        }
        let before = w.bytes.len();
        let room = w.limit - before;
        w.bytes.extend_from_slice(&data[..room.min(data.len())]);
        if let Some(end) = self.end {
            // Search the new bytes and the sentinel's length before them,
            // never the needle itself.
            let from = before.saturating_sub(end.len()).max(self.needle.len());
            if let Some(at) = memchr::memmem::find(&w.bytes[from.min(w.bytes.len())..], end) {
                w.bytes.truncate(from + at + end.len());
                w.closed = true;
            }
        }
        if w.bytes.len() >= w.limit {
            w.closed = true;
        }
    }

    fn open(&mut self, offset: u64, first: &[u8]) {
        if self.windows.len() < self.max {
            let mut w = Window {
                offset,
                bytes: Vec::new(),
                limit: self.limit,
                closed: false,
            };
            self.grow(&mut w, first);
            self.windows.push(w);
        }
    }

    fn chunk(&mut self, offset: u64, data: &[u8]) {
        let mut windows = std::mem::take(&mut self.windows);
        for w in &mut windows {
            self.grow(w, data);
        }
        self.windows = windows;
        let keep = self.needle.len() - 1;
        // A needle that starts in the previous chunk's last bytes.
        if !self.carry.is_empty() {
            let mut splice = self.carry.clone();
            let from_carry = splice.len();
            splice.extend_from_slice(&data[..keep.min(data.len())]);
            let starts: Vec<usize> = memchr::memmem::find_iter(&splice, self.needle)
                .filter(|&at| at < from_carry)
                .collect();
            for at in starts {
                let mut first = splice[at..from_carry].to_vec();
                first.extend_from_slice(data);
                self.open(self.carry_offset + at as u64, &first);
            }
        }
        let starts: Vec<usize> = memchr::memmem::find_iter(data, self.needle).collect();
        for at in starts {
            self.open(offset + at as u64, &data[at..]);
        }
        let mut carry = std::mem::take(&mut self.carry);
        carry.extend_from_slice(&data[data.len().saturating_sub(keep)..]);
        let cut = carry.len().saturating_sub(keep);
        self.carry = carry.split_off(cut);
        self.carry_offset = offset + data.len() as u64 - self.carry.len() as u64;
    }
}

/// The bytes a pointer may lead back to, kept as the stream passes.
pub struct Windows {
    watches: [Watch; 3],
}

impl Default for Windows {
    fn default() -> Self {
        Windows {
            watches: [
                Watch::new(b"go1.", None, VERSION_WINDOW, MAX_VERSION_WINDOWS),
                Watch::new(b"devel", None, VERSION_WINDOW, MAX_VERSION_WINDOWS),
                Watch::new(
                    MODINFO_START,
                    Some(MODINFO_END),
                    crate::golang::MAX_CAPTURE,
                    MAX_MODINFO_WINDOWS,
                ),
            ],
        }
    }
}

impl Windows {
    pub fn chunk(&mut self, offset: u64, data: &[u8]) {
        for w in &mut self.watches {
            w.chunk(offset, data);
        }
    }

    fn all(&self) -> impl Iterator<Item = &Window> {
        self.watches.iter().flat_map(|w| &w.windows)
    }
}

/// What the stream has shown so far, for [`Resolver::advance`].
pub struct Seen<'a> {
    /// The bytes from the build information's magic on (kept by the
    /// scanner, up to its capture limit), and their file offset.
    pub candidate: &'a [u8],
    pub candidate_offset: u64,
    /// Whether `candidate` may still grow.
    pub candidate_open: bool,
    pub windows: &'a Windows,
    /// The offset of the first byte the stream can still deliver (the
    /// current chunk's: a resolver is fed it again after it settles).
    pub position: u64,
    pub at_end: bool,
}

/// A range of the file the resolver needs.
enum Slot {
    /// Not yet seen; where to look is decided on the next advance.
    Want {
        offset: u64,
        len: usize,
    },
    /// Lies ahead in the stream: filled by [`Resolver::feed`].
    Stream {
        offset: u64,
        len: usize,
        bytes: Vec<u8>,
    },
    Ready(Vec<u8>),
}

impl Slot {
    fn want(layout: &Layout, addr: u64, len: u64, what: &str) -> Result<Slot, String> {
        if len == 0 {
            return Ok(Slot::Ready(Vec::new()));
        }
        let offset = layout.file_offset(addr, len).ok_or_else(|| {
            format!("Go build information: {what} at {addr:#x} is not in the file")
        })?;
        let len =
            usize::try_from(len).map_err(|_| format!("Go build information: {what} too long"))?;
        Ok(Slot::Want { offset, len })
    }

    /// Tries to fill the slot from what was seen: `Err` when its bytes went
    /// past without being kept.
    fn advance(&mut self, seen: &Seen, what: &str) -> Result<(), String> {
        let Slot::Want { offset, len } = *self else {
            return Ok(());
        };
        let end = offset + len as u64;
        let covers = |start: u64, bytes: &[u8]| -> Option<Vec<u8>> {
            let from = usize::try_from(offset.checked_sub(start)?).ok()?;
            bytes.get(from..from.checked_add(len)?).map(<[u8]>::to_vec)
        };
        if let Some(b) = covers(seen.candidate_offset, seen.candidate)
            .or_else(|| seen.windows.all().find_map(|w| covers(w.offset, &w.bytes)))
        {
            *self = Slot::Ready(b);
            return Ok(());
        }
        if offset >= seen.position {
            *self = Slot::Stream {
                offset,
                len,
                bytes: Vec::new(),
            };
            return Ok(());
        }
        let cap = crate::golang::MAX_CAPTURE as u64;
        let may_grow = (seen.candidate_open
            && seen.candidate_offset <= offset
            && end <= seen.candidate_offset.saturating_add(cap))
            || seen.windows.all().any(|w| {
                !w.closed && w.offset <= offset && end <= w.offset.saturating_add(w.limit as u64)
            });
        if may_grow && !seen.at_end {
            return Ok(());
        }
        Err(format!(
            "Go build information (Go < 1.18 pointer format): the {what} at file offset {offset} was not kept from the stream"
        ))
    }

    fn feed(&mut self, chunk_offset: u64, data: &[u8]) {
        if let Slot::Stream { offset, len, bytes } = self {
            let next = *offset + bytes.len() as u64;
            let Some(skip) = next.checked_sub(chunk_offset) else {
                return;
            };
            if let Some(rest) = usize::try_from(skip).ok().and_then(|s| data.get(s..)) {
                let take = (*len - bytes.len()).min(rest.len());
                bytes.extend_from_slice(&rest[..take]);
            }
            if bytes.len() == *len {
                *self = Slot::Ready(std::mem::take(bytes));
            }
        }
    }

    fn ready(&self) -> Option<&[u8]> {
        match self {
            Slot::Ready(b) => Some(b),
            _ => None,
        }
    }
}

/// Where resolving stands.
pub enum Progress {
    Waiting,
    /// The version and module information strings.
    Done(Vec<u8>, Vec<u8>),
}

/// Follows the header's pointers: string headers first, then strings.
pub struct Resolver {
    header: Header,
    layout: Layout,
    strings: bool,
    version: Slot,
    modinfo: Slot,
}

impl Resolver {
    pub fn new(header: Header, layout: Layout) -> Result<Self, String> {
        if (header.ptr_size == 8) != layout.wide || header.big != layout.big {
            return Err(
                "Go build information header does not match the ELF class or byte order"
                    .to_string(),
            );
        }
        let n = 2 * header.ptr_size as u64;
        // A binary built outside module mode never sets `runtime.modinfo`:
        // it stays in `.bss`, an empty string (as `go version -m` reads it).
        let modinfo = if layout.zero_filled(header.modinfo_addr, n) {
            Slot::Ready(vec![0; 2 * header.ptr_size])
        } else {
            Slot::want(&layout, header.modinfo_addr, n, "module information header")?
        };
        Ok(Resolver {
            version: Slot::want(&layout, header.version_addr, n, "version string header")?,
            modinfo,
            header,
            layout,
            strings: false,
        })
    }

    /// Stream bytes at `offset` (every chunk after the resolver was made).
    pub fn feed(&mut self, offset: u64, data: &[u8]) {
        self.version.feed(offset, data);
        self.modinfo.feed(offset, data);
    }

    pub fn advance(&mut self, seen: &Seen) -> Result<Progress, String> {
        loop {
            let (what_v, what_m) = if self.strings {
                ("version string", "module information")
            } else {
                ("version string header", "module information header")
            };
            self.version.advance(seen, what_v)?;
            self.modinfo.advance(seen, what_m)?;
            let (Some(v), Some(m)) = (self.version.ready(), self.modinfo.ready()) else {
                if seen.at_end {
                    return Err("truncated Go build information".to_string());
                }
                return Ok(Progress::Waiting);
            };
            if self.strings {
                return Ok(Progress::Done(v.to_vec(), m.to_vec()));
            }
            let p = self.header.ptr_size;
            let big = self.header.big;
            let (v_addr, v_len) = (uint(&v[..p], big), uint(&v[p..], big));
            let (m_addr, m_len) = (uint(&m[..p], big), uint(&m[p..], big));
            if v_len == 0 || v_len > VERSION_WINDOW as u64 {
                return Err(format!(
                    "Go build information: version string of {v_len} bytes"
                ));
            }
            if m_len > crate::golang::MAX_CAPTURE as u64 {
                return Err(format!(
                    "Go build information: module information of {m_len} bytes"
                ));
            }
            self.version = Slot::want(&self.layout, v_addr, v_len, "version string")?;
            self.modinfo = Slot::want(&self.layout, m_addr, m_len, "module information")?;
            self.strings = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_do_not_depend_on_chunks() {
        let mut file = vec![b'x'; 300];
        file[10..14].copy_from_slice(b"go1.");
        file[100..116].copy_from_slice(MODINFO_START);
        file[150..166].copy_from_slice(MODINFO_END);
        let whole = {
            let mut w = Windows::default();
            w.chunk(0, &file);
            w.all()
                .map(|w| (w.offset, w.bytes.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[1].1.len(), 66);
        for size in [1, 3, 7, 15, 16, 17, 64] {
            let mut w = Windows::default();
            for (i, c) in file.chunks(size).enumerate() {
                w.chunk((i * size) as u64, c);
            }
            let got: Vec<_> = w.all().map(|w| (w.offset, w.bytes.clone())).collect();
            assert_eq!(got, whole, "chunks of {size}");
        }
    }

    #[test]
    fn header_checks() {
        let mut h = b"\xff Go buildinf:\x08\x00".to_vec();
        h.extend_from_slice(&0x1122u64.to_le_bytes());
        h.extend_from_slice(&0x3344u64.to_le_bytes());
        let got = header(&h).unwrap();
        assert_eq!((got.version_addr, got.modinfo_addr), (0x1122, 0x3344));
        h[14] = 3;
        assert!(header(&h).is_err());
        h[14] = 4;
        h[15] = 7;
        assert!(header(&h).is_err());
        assert!(header(&h[..20]).is_err());
    }
}
