//! The SQLite rpm database (`rpmdb.sqlite`, rpm ≥ 4.16): one header blob
//! per row of the `Packages` table.
//!
//! The file's bytes are deserialized into a read-only in-memory SQLite
//! connection (nothing is written to disk). rpm keeps the database in WAL
//! mode; an in-memory database cannot be opened in WAL mode, so the copy
//! handed to SQLite has the file-format bytes 18 and 19 set back to 1
//! (rollback journal).
//!
//! Rows written since the last checkpoint live only in `rpmdb.sqlite-wal`
//! (an image built while rpm's database was open, or copied without a
//! checkpoint). [`read_blobs_with_wal`] reads both: SQLite replays a WAL
//! only from a file next to the database, so the pair is copied into a
//! private temporary directory and opened there.

use rusqlite::{Connection, MAIN_DB, OpenFlags};
use std::io::Read;

const MAGIC: &[u8] = b"SQLite format 3\0";

/// Most rows read (a hostile database could hold millions).
pub const MAX_ROWS: usize = 1 << 20;

/// The `blob` column of every `Packages` row, in rowid order.
pub fn read_blobs(content: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if content.len() < 100 || !content.starts_with(MAGIC) {
        return Err("not an SQLite 3 database (no SQLite header)".to_string());
    }
    let mut header = [0u8; 100];
    header.copy_from_slice(&content[..100]);
    if header[18] == 2 || header[19] == 2 {
        header[18] = 1;
        header[19] = 1;
    }
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("sqlite: {e}"))?;
    harden(&conn)?;
    let reader = (&header[..]).chain(&content[100..]);
    conn.deserialize_read_exact(MAIN_DB, reader, content.len(), true)
        .map_err(|e| format!("sqlite: {e}"))?;
    select_blobs(&conn)
}

/// The `blob` column of every `Packages` row of a database in WAL mode
/// together with its write-ahead log (`rpmdb.sqlite-wal`), rows only in
/// the log included.
pub fn read_blobs_with_wal(db: &[u8], wal: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if db.len() < 100 || !db.starts_with(MAGIC) {
        return Err("not an SQLite 3 database (no SQLite header)".to_string());
    }
    // A WAL starts with a magic number (0x377f0682 or 0x377f0683).
    if wal.len() < 32 || !matches!(wal[..4], [0x37, 0x7f, 0x06, 0x82 | 0x83]) {
        return Err("not an SQLite write-ahead log (no WAL header)".to_string());
    }
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let path = dir.path().join("rpmdb.sqlite");
    std::fs::write(&path, db).map_err(|e| format!("temporary copy: {e}"))?;
    std::fs::write(dir.path().join("rpmdb.sqlite-wal"), wal)
        .map_err(|e| format!("temporary copy: {e}"))?;
    // Read-write: replaying the log builds its `-shm` index beside the copy.
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("sqlite: {e}"))?;
    harden(&conn)?;
    conn.execute_batch("PRAGMA query_only = 1")
        .map_err(|e| format!("sqlite: {e}"))?;
    select_blobs(&conn)
}

/// No writes to the schema, no functions from it (the file is untrusted).
fn harden(conn: &Connection) -> Result<(), String> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(|e| format!("sqlite: {e}"))?;
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA,
        false,
    )
    .map_err(|e| format!("sqlite: {e}"))?;
    Ok(())
}

fn select_blobs(conn: &Connection) -> Result<Vec<Vec<u8>>, String> {
    let mut stmt = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .or_else(|_| conn.prepare("SELECT blob FROM Packages"))
        .map_err(|e| format!("sqlite: no readable Packages table: {e}"))?;
    let mut rows = stmt.query([]).map_err(|e| format!("sqlite: {e}"))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| format!("sqlite: {e}"))? {
        if out.len() >= MAX_ROWS {
            return Err(format!("more than {MAX_ROWS} rows in Packages"));
        }
        let blob: Vec<u8> = row.get(0).map_err(|e| format!("sqlite: {e}"))?;
        out.push(blob);
    }
    Ok(out)
}
