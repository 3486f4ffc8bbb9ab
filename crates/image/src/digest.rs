//! Content digests (`sha256:<hex>`, `sha512:<hex>`) and a reader that
//! verifies one while the bytes stream past.

use crate::error::{ImageError, Result};
use sha2::{Digest as _, Sha256, Sha512};
use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }
}

/// A validated content digest. Only lowercase hex of the right length is
/// accepted, so a digest is always safe to use as a file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

impl Digest {
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    pub fn hex(&self) -> &str {
        &self.hex
    }
    /// sha256 of a byte slice.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            hex: hex::encode(Sha256::digest(bytes)),
        }
    }
    /// The digest of `bytes` computed with this digest's algorithm.
    pub fn compute_like(&self, bytes: &[u8]) -> Digest {
        let mut h = Hasher::new(self.algorithm);
        h.update(bytes);
        h.finish()
    }
    /// Checks `bytes` against this digest.
    pub fn verify(&self, input: &str, bytes: &[u8]) -> Result<()> {
        let actual = self.compute_like(bytes);
        if &actual != self {
            return Err(ImageError::DigestMismatch {
                input: input.to_string(),
                expected: self.to_string(),
                actual: actual.to_string(),
            });
        }
        Ok(())
    }
    /// The first 12 hex digits, as `docker images` shows ids.
    pub fn short(&self) -> &str {
        &self.hex[..12]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl FromStr for Digest {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (algo, hex) = s.split_once(':').ok_or_else(|| {
            format!("digest {s:?} has no algorithm prefix (expected sha256:<hex>)")
        })?;
        let algorithm = match algo {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => return Err(format!("unsupported digest algorithm {other:?}")),
        };
        if hex.len() != algorithm.hex_len()
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(format!(
                "digest {s:?} is not {} lowercase hex digits",
                algorithm.hex_len()
            ));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An incremental hasher for either algorithm.
#[derive(Clone)]
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }
    pub fn finish(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest {
                algorithm: Algorithm::Sha256,
                hex: hex::encode(h.finalize()),
            },
            Hasher::Sha512(h) => Digest {
                algorithm: Algorithm::Sha512,
                hex: hex::encode(h.finalize()),
            },
        }
    }
}

/// Hashes and counts everything read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Hasher,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R, algorithm: Algorithm) -> Self {
        HashingReader {
            inner,
            hasher: Hasher::new(algorithm),
            count: 0,
        }
    }
    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }
    pub fn finish(self) -> (Digest, u64) {
        (self.hasher.finish(), self.count)
    }
    /// Like [`HashingReader::finish`], also giving back the wrapped reader.
    pub fn finish_with_inner(self) -> (Digest, u64, R) {
        (self.hasher.finish(), self.count, self.inner)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// Reads a blob of a declared size and digest, failing with an `InvalidData`
/// error (never returning unverified bytes as a clean EOF) if the stream is
/// longer or shorter than declared or hashes differently. The check runs
/// when the declared size has been reached, so a consumer that reads to EOF
/// sees the mismatch as a read error.
pub struct VerifyingReader<R> {
    inner: HashingReader<R>,
    expected: Digest,
    expected_size: Option<u64>,
    done: bool,
}

impl<R: Read> VerifyingReader<R> {
    pub fn new(inner: R, expected: Digest, expected_size: Option<u64>) -> Self {
        let algorithm = expected.algorithm();
        VerifyingReader {
            inner: HashingReader::new(inner, algorithm),
            expected,
            expected_size,
            done: false,
        }
    }

    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.inner.count()
    }

    fn check_end(&mut self) -> io::Result<()> {
        self.done = true;
        let hasher = std::mem::replace(
            &mut self.inner.hasher,
            Hasher::new(self.expected.algorithm()),
        );
        let actual = hasher.finish();
        if let Some(size) = self.expected_size
            && self.inner.count != size
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "blob {} is {} bytes, descriptor says {size}",
                    self.expected, self.inner.count
                ),
            ));
        }
        if actual != self.expected {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("digest mismatch: expected {}, got {actual}", self.expected),
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        // Never read past the declared size: a hostile source could stream forever.
        let want = match self.expected_size {
            Some(size) => {
                let left = size.saturating_sub(self.inner.count);
                if left == 0 {
                    // Probe for one extra byte to catch an over-long blob.
                    let mut probe = [0u8; 1];
                    let extra = self.inner.inner.read(&mut probe)?;
                    if extra > 0 {
                        self.done = true;
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!(
                                "blob {} is longer than its descriptor's {size} bytes",
                                self.expected
                            ),
                        ));
                    }
                    self.check_end()?;
                    return Ok(0);
                }
                buf.len().min(usize::try_from(left).unwrap_or(usize::MAX))
            }
            None => buf.len(),
        };
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            self.check_end()?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        let d: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            .parse()
            .unwrap();
        assert_eq!(d, Digest::sha256_of(b""));
        assert_eq!(d.short(), "e3b0c44298fc");
        for bad in [
            "sha256:abc",
            "md5:00",
            "e3b0",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "sha256:../../../../etc/passwdxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ] {
            assert!(bad.parse::<Digest>().is_err(), "{bad}");
        }
    }

    fn read_all(r: impl Read) -> io::Result<Vec<u8>> {
        let mut r = r;
        let mut v = Vec::new();
        r.read_to_end(&mut v)?;
        Ok(v)
    }

    #[test]
    fn verifying_reader() {
        let data = b"hello world".to_vec();
        let d = Digest::sha256_of(&data);
        assert_eq!(
            read_all(VerifyingReader::new(&data[..], d.clone(), Some(11))).unwrap(),
            data
        );
        assert_eq!(
            read_all(VerifyingReader::new(&data[..], d.clone(), None)).unwrap(),
            data
        );
        // wrong content
        let err = read_all(VerifyingReader::new(
            &b"hello worle"[..],
            d.clone(),
            Some(11),
        ))
        .unwrap_err();
        assert!(err.to_string().contains("digest mismatch"), "{err}");
        // too short
        let err = read_all(VerifyingReader::new(&b"hello"[..], d.clone(), Some(11))).unwrap_err();
        assert!(err.to_string().contains("5 bytes"), "{err}");
        // too long
        let err = read_all(VerifyingReader::new(&b"hello world!!"[..], d, Some(11))).unwrap_err();
        assert!(err.to_string().contains("longer"), "{err}");
    }
}
