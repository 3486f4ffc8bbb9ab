#![no_main]
//! An `rpmdb.sqlite` and its `-wal` from a (possibly hostile) image, read
//! together by SQLite from a temporary copy: the input's first two bytes
//! say where the database ends and the log begins.
use libfuzzer_sys::fuzz_target;
use palisade_catalog::rpm::read_sqlite_with_wal;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let split = (usize::from(u16::from_le_bytes([data[0], data[1]])) + 2).min(data.len());
    let _ = read_sqlite_with_wal(&data[2..split], &data[split..]);
});
