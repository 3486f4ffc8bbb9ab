//! The one thing the binary catalogers need from an ELF file: a section's
//! bytes by name (`.go.buildinfo`, `.dep-v0`). Hand-written and bounded:
//! 32/64-bit, either byte order; every offset is checked against the file.

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
