//! What the audit reads during the walk: account files and (for the
//! secret scanner) the content of text files.

use crate::secret;
use palisade_image::{Analysis, Analyzer, FileRef};

/// A parsed /etc/passwd.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    /// (name, uid, gid, shell)
    pub users: Vec<(String, u64, u64, String)>,
}

impl Accounts {
    pub fn uid_of(&self, name: &str) -> Option<u64> {
        self.users.iter().find(|u| u.0 == name).map(|u| u.1)
    }
    pub fn name_of(&self, uid: u64) -> Option<&str> {
        self.users.iter().find(|u| u.1 == uid).map(|u| u.0.as_str())
    }
}

/// A parsed /etc/shadow: names with an empty password field.
#[derive(Debug, Clone, Default)]
pub struct Shadow {
    pub empty_password: Vec<String>,
}

#[derive(Debug)]
pub enum AccountFile {
    Passwd(Accounts),
    Shadow(Shadow),
}

pub struct AccountsAnalyzer;

impl Analyzer for AccountsAnalyzer {
    fn name(&self) -> &'static str {
        "accounts"
    }
    fn patterns(&self) -> &[&str] {
        &["etc/passwd", "etc/shadow"]
    }
    fn max_size(&self) -> u64 {
        4 << 20
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        let text = String::from_utf8_lossy(content);
        if file.path == "etc/shadow" {
            let empty_password = text
                .lines()
                .filter_map(|l| {
                    let mut f = l.split(':');
                    let name = f.next()?;
                    let pw = f.next()?;
                    (!name.is_empty() && pw.is_empty()).then(|| name.to_string())
                })
                .collect();
            return Ok(Some(Box::new(AccountFile::Shadow(Shadow {
                empty_password,
            }))));
        }
        let users = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                if f.len() < 7 {
                    return None;
                }
                Some((
                    f[0].to_string(),
                    f[2].parse().ok()?,
                    f[3].parse().ok()?,
                    f[6].to_string(),
                ))
            })
            .collect();
        Ok(Some(Box::new(AccountFile::Passwd(Accounts { users }))))
    }
}

/// Secrets found in one file (values never kept).
#[derive(Debug)]
pub struct FileSecrets(pub Vec<secret::SecretMatch>);

pub struct SecretAnalyzer;

impl Analyzer for SecretAnalyzer {
    fn name(&self) -> &'static str {
        "secret"
    }
    fn patterns(&self) -> &[&str] {
        &["**"]
    }
    fn max_size(&self) -> u64 {
        secret::MAX_SCAN_BYTES
    }
    fn accept(&self, path: &str, _size: u64) -> bool {
        secret::should_scan_path(path)
    }
    fn analyze(&self, file: FileRef<'_>, content: &[u8]) -> Result<Option<Analysis>, String> {
        if secret::is_binary(content) {
            return Ok(None);
        }
        let found = secret::scan_file(file.path, content);
        Ok((!found.is_empty()).then(|| Box::new(FileSecrets(found)) as Analysis))
    }
}
