//! Run as a non-root user: set the config's `User` to `UID[:GID]` and, when
//! /etc/passwd has no account with that uid (or /etc/group no group with
//! that gid), append one named `nonroot` (or `palisade` if that name is
//! taken), so tools that look the user up (`id`, `ps`, sshd-style checks)
//! find it.

use crate::HardenError;
use crate::plan::{NewFile, Plan};

/// `--user UID[:GID]`: numeric ids (a name would need an existing entry
/// to mean anything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserSpec {
    pub uid: u32,
    pub gid: u32,
}

impl std::str::FromStr for UserSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (uid, gid) = match s.split_once(':') {
            Some((u, g)) => (u, Some(g)),
            None => (s, None),
        };
        let num = |v: &str, what: &str| {
            v.parse::<u32>().map_err(|_| {
                format!("--user {s:?}: {what} must be a number (UID[:GID], e.g. 65532:65532)")
            })
        };
        let uid = num(uid, "the uid")?;
        let gid = match gid {
            Some(g) => num(g, "the gid")?,
            None => uid,
        };
        if uid == 0 {
            return Err(format!("--user {s:?}: uid 0 is root; give a non-root uid"));
        }
        Ok(UserSpec { uid, gid })
    }
}

/// An account file as found in the image: its real path and content
/// (`None` when the image has none).
pub struct AccountFile {
    pub path: String,
    pub content: Option<Vec<u8>>,
    pub mode: u32,
}

pub fn apply(
    spec: UserSpec,
    passwd: &AccountFile,
    group: &AccountFile,
    plan: &mut Plan,
) -> Result<(), HardenError> {
    plan.user = Some(format!("{}:{}", spec.uid, spec.gid));
    let passwd_text = text(passwd)?;
    let group_text = text(group)?;
    if !has_id(&passwd_text, 2, spec.uid) {
        let name = free_name(&passwd_text);
        let line = format!(
            "{name}:x:{}:{}:{name}:/nonexistent:/usr/sbin/nologin\n",
            spec.uid, spec.gid
        );
        plan.writes.insert(
            passwd.path.clone(),
            appended(&passwd_text, &line, passwd.mode),
        );
    }
    if !has_id(&group_text, 2, spec.gid) {
        let name = free_name(&group_text);
        let line = format!("{name}:x:{}:\n", spec.gid);
        plan.writes
            .insert(group.path.clone(), appended(&group_text, &line, group.mode));
    }
    Ok(())
}

fn text(file: &AccountFile) -> Result<String, HardenError> {
    match &file.content {
        None => Ok(String::new()),
        Some(bytes) => String::from_utf8(bytes.clone()).map_err(|_| {
            HardenError::Input(format!(
                "/{}: not UTF-8 text; refusing to edit it",
                file.path
            ))
        }),
    }
}

/// Whether a line's field `field` (0-based, `:`-separated) is `id`.
fn has_id(text: &str, field: usize, id: u32) -> bool {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.split(':').nth(field).and_then(|f| f.parse::<u32>().ok()) == Some(id))
}

fn free_name(text: &str) -> &'static str {
    let taken = |n: &str| text.lines().any(|l| l.split(':').next() == Some(n));
    if taken("nonroot") {
        "palisade"
    } else {
        "nonroot"
    }
}

fn appended(text: &str, line: &str, mode: u32) -> NewFile {
    let mut content = text.to_string();
    if !content.is_empty() && !content.ends_with('\n') {
        content.push('\n');
    }
    content.push_str(line);
    NewFile {
        content: content.into_bytes(),
        mode: if mode == 0 { 0o644 } else { mode & 0o7777 },
        uid: 0,
        gid: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, content: Option<&str>) -> AccountFile {
        AccountFile {
            path: path.into(),
            content: content.map(|c| c.as_bytes().to_vec()),
            mode: 0o644,
        }
    }

    #[test]
    fn parses_user_specs() {
        assert_eq!(
            "65532:65532".parse(),
            Ok(UserSpec {
                uid: 65532,
                gid: 65532
            })
        );
        assert_eq!(
            "1000".parse(),
            Ok(UserSpec {
                uid: 1000,
                gid: 1000
            })
        );
        assert!("0".parse::<UserSpec>().is_err());
        assert!("nobody".parse::<UserSpec>().is_err());
        assert!("1:x".parse::<UserSpec>().is_err());
    }

    #[test]
    fn adds_missing_entries_only() {
        let mut plan = Plan::default();
        let passwd = file(
            "etc/passwd",
            Some("root:x:0:0:root:/root:/bin/bash\nnonroot:x:1:1::/:/bin/false"),
        );
        let group = file("etc/group", Some("root:x:0:\nstaff:x:65532:\n"));
        apply(
            UserSpec {
                uid: 65532,
                gid: 65532,
            },
            &passwd,
            &group,
            &mut plan,
        )
        .unwrap();
        assert_eq!(plan.user.as_deref(), Some("65532:65532"));
        let p = String::from_utf8(plan.writes["etc/passwd"].content.clone()).unwrap();
        assert!(
            p.ends_with(
                "/bin/false\npalisade:x:65532:65532:palisade:/nonexistent:/usr/sbin/nologin\n"
            ),
            "{p}"
        );
        assert!(!plan.writes.contains_key("etc/group"), "gid 65532 exists");
    }

    #[test]
    fn creates_files_in_scratch_images() {
        let mut plan = Plan::default();
        apply(
            UserSpec { uid: 10, gid: 20 },
            &file("etc/passwd", None),
            &file("etc/group", None),
            &mut plan,
        )
        .unwrap();
        assert_eq!(plan.writes["etc/group"].content, b"nonroot:x:20:\n");
    }
}
