//! What the binary catalogers need from an ELF file: a section's bytes by
//! name (`.go.buildinfo`, `.dep-v0`), and the loadable segments that turn a
//! virtual address into a file offset (Go < 1.18 build information holds
//! pointers). Hand-written and bounded: 32/64-bit, either byte order; every
//! offset is checked against the bytes at hand.

/// Most program headers read (real executables have about ten).
const MAX_PROGRAM_HEADERS: usize = 512;

/// A `PT_LOAD` program header: `filesz` bytes at file `offset` are mapped
/// at `vaddr`, followed by zeros up to `memsz` (`.bss`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub offset: u64,
    pub filesz: u64,
    pub memsz: u64,
}

/// The class and byte order of an ELF file and its loadable segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub wide: bool,
    pub big: bool,
    pub segments: Vec<Segment>,
}

/// The loadable segments of the ELF file that `head` starts (its first
/// bytes: the program headers must lie within them).
pub fn layout(head: &[u8]) -> Result<Layout, String> {
    if head.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err("not an ELF file".to_string());
    }
    let wide = match head.get(4) {
        Some(1) => false,
        Some(2) => true,
        _ => return Err("bad ELF class".to_string()),
    };
    let big = match head.get(5) {
        Some(1) => false,
        Some(2) => true,
        _ => return Err("bad ELF byte order".to_string()),
    };
    let r = Reader { file: head, big };
    let short = || "ELF header truncated".to_string();
    let (phoff, entsize, phnum) = if wide {
        (
            r.u64(0x20).ok_or_else(short)?,
            r.u16(0x36).ok_or_else(short)?,
            r.u16(0x38).ok_or_else(short)?,
        )
    } else {
        (
            u64::from(r.u32(0x1c).ok_or_else(short)?),
            r.u16(0x2a).ok_or_else(short)?,
            r.u16(0x2c).ok_or_else(short)?,
        )
    };
    let entsize = usize::from(entsize);
    let phnum = usize::from(phnum);
    if entsize < if wide { 56 } else { 32 } {
        return Err(format!("ELF program header size {entsize} too small"));
    }
    if phnum > MAX_PROGRAM_HEADERS {
        return Err(format!(
            "more than {MAX_PROGRAM_HEADERS} ELF program headers"
        ));
    }
    let outside = || "ELF program headers outside the file's first bytes".to_string();
    let phoff = usize::try_from(phoff).map_err(|_| outside())?;
    let mut segments = Vec::new();
    for i in 0..phnum {
        let at = i
            .checked_mul(entsize)
            .and_then(|o| o.checked_add(phoff))
            .ok_or_else(outside)?;
        let kind = r.u32(at).ok_or_else(outside)?;
        const PT_LOAD: u32 = 1;
        if kind != PT_LOAD {
            continue;
        }
        let (offset, vaddr, filesz, memsz) = if wide {
            (
                r.u64(at + 0x08),
                r.u64(at + 0x10),
                r.u64(at + 0x20),
                r.u64(at + 0x28),
            )
        } else {
            (
                r.u32(at + 0x04).map(u64::from),
                r.u32(at + 0x08).map(u64::from),
                r.u32(at + 0x10).map(u64::from),
                r.u32(at + 0x14).map(u64::from),
            )
        };
        let (Some(offset), Some(vaddr), Some(filesz), Some(memsz)) = (offset, vaddr, filesz, memsz)
        else {
            return Err(outside());
        };
        segments.push(Segment {
            vaddr,
            offset,
            filesz,
            memsz,
        });
    }
    Ok(Layout {
        wide,
        big,
        segments,
    })
}

impl Layout {
    /// The file offset of the `len` bytes at virtual address `addr`, when a
    /// loadable segment holds all of them in the file (not in its
    /// zero-filled tail).
    pub fn file_offset(&self, addr: u64, len: u64) -> Option<u64> {
        self.segments.iter().find_map(|s| {
            let end = addr.checked_add(len)?;
            let seg_end = s.vaddr.checked_add(s.filesz)?;
            (s.vaddr <= addr && end <= seg_end).then(|| s.offset.checked_add(addr - s.vaddr))?
        })
    }

    /// Whether the `len` bytes at `addr` are zero-filled memory: past a
    /// segment's file bytes, within its memory size (`.bss`).
    pub fn zero_filled(&self, addr: u64, len: u64) -> bool {
        self.segments.iter().any(|s| {
            let file_end = s.vaddr.saturating_add(s.filesz);
            let mem_end = s.vaddr.saturating_add(s.memsz);
            addr >= file_end && addr.checked_add(len).is_some_and(|end| end <= mem_end)
        })
    }
}

/// The bytes of section `name`, or `None` when the file is not ELF, has no
/// such section, or its headers point outside the file.
pub fn section<'a>(file: &'a [u8], name: &str) -> Option<&'a [u8]> {
    if file.get(..4)? != b"\x7fELF" {
        return None;
    }
    let wide = match file.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let big = match file.get(5)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let r = Reader { file, big };
    let (shoff, shentsize, shnum, shstrndx) = if wide {
        (r.u64(0x28)?, r.u16(0x3a)?, r.u16(0x3c)?, r.u16(0x3e)?)
    } else {
        (
            r.u32(0x20)? as u64,
            r.u16(0x2e)?,
            r.u16(0x30)?,
            r.u16(0x32)?,
        )
    };
    let shoff = usize::try_from(shoff).ok()?;
    let entsize = usize::from(shentsize);
    if entsize < if wide { 64 } else { 40 } {
        return None;
    }
    // (name offset, file offset, size) of section header `i`.
    let header = |i: usize| -> Option<(usize, usize, usize)> {
        let at = shoff.checked_add(i.checked_mul(entsize)?)?;
        let (name, offset, size) = if wide {
            (r.u32(at)?, r.u64(at + 0x18)?, r.u64(at + 0x20)?)
        } else {
            (
                r.u32(at)?,
                r.u32(at + 0x10)? as u64,
                r.u32(at + 0x14)? as u64,
            )
        };
        Some((
            name as usize,
            usize::try_from(offset).ok()?,
            usize::try_from(size).ok()?,
        ))
    };
    let bytes = |offset: usize, size: usize| file.get(offset..offset.checked_add(size)?);
    let (_, str_off, str_size) = header(usize::from(shstrndx))?;
    let names = bytes(str_off, str_size)?;
    for i in 0..usize::from(shnum) {
        let (name_at, offset, size) = header(i)?;
        let Some(rest) = names.get(name_at..) else {
            continue;
        };
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        if &rest[..end] == name.as_bytes() {
            return bytes(offset, size);
        }
    }
    None
}

struct Reader<'a> {
    file: &'a [u8],
    big: bool,
}

impl Reader<'_> {
    fn take<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.file.get(at..at.checked_add(N)?)?.try_into().ok()
    }
    fn u16(&self, at: usize) -> Option<u16> {
        let b = self.take(at)?;
        Some(if self.big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }
    fn u32(&self, at: usize) -> Option<u32> {
        let b = self.take(at)?;
        Some(if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
    fn u64(&self, at: usize) -> Option<u64> {
        let b = self.take(at)?;
        Some(if self.big {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }
}
