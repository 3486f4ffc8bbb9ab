//! What the image's own start-up needs: the program the entrypoint (or
//! cmd) runs, the interpreter of an entrypoint script (`#!`), the shell of
//! `sh -c` and of a `CMD-SHELL` healthcheck. Removing one of them would
//! break the image, so harden refuses unless `--force`.

use crate::plan::Plan;
use palisade_audit::checks::tools::BIN_DIRS;
use palisade_image::Filesystem;
use palisade_image::walk::normalize;
use serde_json::Value;

/// A program the image needs to start, and what needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needed {
    /// As written: an absolute path or a name looked up in PATH.
    pub program: String,
    pub why: String,
}

/// The argv the container starts with: Entrypoint followed by Cmd.
pub fn argv(config: &Value) -> Vec<String> {
    let list = |key: &str| -> Vec<String> {
        config["config"][key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut argv = list("Entrypoint");
    argv.extend(list("Cmd"));
    argv
}

/// The programs the config runs directly (not yet the script interpreters).
pub fn direct(config: &Value) -> Vec<Needed> {
    let mut out = Vec::new();
    let argv = argv(config);
    if let Some(first) = argv.first() {
        out.push(Needed {
            program: first.clone(),
            why: format!("the entrypoint/cmd runs it ({})", quote(&argv)),
        });
    }
    let test: Vec<String> = config["config"]["Healthcheck"]["Test"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    match test.first().map(String::as_str) {
        Some("CMD-SHELL") => out.push(Needed {
            program: "/bin/sh".into(),
            why: "the healthcheck is CMD-SHELL (it runs /bin/sh -c)".into(),
        }),
        Some("CMD") if test.len() > 1 => out.push(Needed {
            program: test[1].clone(),
            why: "the healthcheck runs it".into(),
        }),
        _ => {}
    }
    out
}

/// The interpreter a script's first line names (`#!/bin/sh -e`,
/// `#!/usr/bin/env bash`): the interpreter and, for env, the program too.
pub fn shebang(head: &[u8], script: &str) -> Vec<Needed> {
    let Some(rest) = head.strip_prefix(b"#!") else {
        return Vec::new();
    };
    let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let Some(interpreter) = words.next() else {
        return Vec::new();
    };
    let why = format!(
        "the entrypoint script {script} starts with #!{}",
        line.trim()
    );
    let mut out = vec![Needed {
        program: interpreter.to_string(),
        why: why.clone(),
    }];
    if interpreter.rsplit('/').next() == Some("env")
        && let Some(program) = words.find(|w| !w.starts_with('-'))
    {
        out.push(Needed {
            program: program.to_string(),
            why,
        });
    }
    out
}

/// The path of a program in the image (through symlinks), if it exists.
pub fn locate(fs: &Filesystem, program: &str) -> Vec<String> {
    if program.contains('/') {
        let path = normalize(program).unwrap_or_default();
        return fs
            .resolve(&path)
            .map(|(real, _)| vec![path, real])
            .unwrap_or_default();
    }
    BIN_DIRS
        .iter()
        .filter_map(|dir| {
            let path = format!("{dir}/{program}");
            fs.resolve(&path).map(|(real, _)| vec![path, real])
        })
        .flatten()
        .collect()
}

/// Why a needed program is removed by the plan: (program, reason), when
/// every place it is found is removed.
pub fn broken(fs: &Filesystem, plan: &Plan, needed: &Needed) -> Option<String> {
    let found = locate(fs, &needed.program);
    if found.is_empty() {
        return None; // not in the image before either: nothing changes
    }
    // A program is gone when each way to it crosses a removed path.
    let gone = found
        .chunks(2)
        .all(|pair| pair.iter().any(|p| plan.removes(p)));
    gone.then(|| format!("{} is removed but {}", needed.program, needed.why))
}

fn quote(argv: &[String]) -> String {
    serde_json::to_string(argv).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_shebangs() {
        let n = shebang(b"#!/usr/bin/env -S python3 -u\nprint()", "/app/run");
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].program, "/usr/bin/env");
        assert_eq!(n[1].program, "python3");
        assert_eq!(shebang(b"#!/bin/sh -e\n", "/x")[0].program, "/bin/sh");
        assert!(shebang(b"\x7fELF", "/x").is_empty());
        assert!(shebang(b"#!", "/x").is_empty());
    }

    #[test]
    fn argv_and_healthcheck() {
        let c = serde_json::json!({"config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["run"],
            "Healthcheck": {"Test": ["CMD-SHELL", "curl -f localhost"]}}});
        let d = direct(&c);
        assert_eq!(d[0].program, "/bin/sh");
        assert!(
            d[0].why.contains(r#"["/bin/sh","-c","run"]"#),
            "{}",
            d[0].why
        );
        assert_eq!(d[1].program, "/bin/sh");
    }
}
