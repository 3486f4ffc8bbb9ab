//! PAL-IMG-014: package manager caches and index lists left in the image.

use crate::{Check, Context, Scanner};
use palisade_image::{EntryKind, Node};
use palisade_model::{Finding, Severity};
use palisade_report::RuleDoc;

pub struct PackageCaches;

/// (directory, what it is, files in it that are not cache)
pub const CACHES: &[(&str, &str, &[&str])] = &[
    ("var/lib/apt/lists", "apt package lists", &["lock"]),
    ("var/cache/apt", "apt package cache", &[]),
    ("var/cache/apk", "apk package cache", &[]),
    ("var/cache/yum", "yum cache", &[]),
    ("var/cache/dnf", "dnf cache", &[]),
    ("var/cache/zypp", "zypper cache", &[]),
    ("root/.cache/pip", "pip cache", &[]),
    ("root/.npm/_cacache", "npm cache", &[]),
    ("usr/local/share/.cache/yarn", "yarn cache", &[]),
];

/// Whether `path` is a cache or index file of the cache directory `dir`
/// (`keep` lists the names in it that are not cache: apt's `lock`).
pub fn is_cache_file(dir: &str, keep: &[&str], path: &str, node: &Node) -> bool {
    let Some(rest) = path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) else {
        return false;
    };
    node.kind == EntryKind::File
        && !keep.contains(&rest)
        && !rest.starts_with("partial")
        && node.size != 0
}

static DOC: RuleDoc = RuleDoc {
    id: "PAL-IMG-014",
    title: "package cache or index left behind",
    severity: Severity::Low,
    rationale: "Package indexes and caches add size, go stale, and tell an attacker exactly which \
        repositories and versions the image trusts; removed in a later layer, they still ship.",
    fix: "Clean up in the same RUN step: apt-get install … && rm -rf /var/lib/apt/lists/*; apk add --no-cache; \
        pip install --no-cache-dir; npm ci && npm cache clean --force.",
    peer_ids: &["DKL-DI-0005", "DL3009", "DL3019", "DL3042", "AVD-DS-0017"],
    references: &[],
};

impl Check for PackageCaches {
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn scanner(&self) -> Scanner {
        Scanner::Audit
    }
    fn run(&self, ctx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (dir, what, keep) in CACHES {
            let (mut files, mut bytes, mut layer) = (0u64, 0u64, 0usize);
            for (path, node) in ctx.scan.fs.iter() {
                if !is_cache_file(dir, keep, path, node) {
                    continue;
                }
                files += 1;
                bytes += node.size;
                layer = layer.max(node.layer);
            }
            if files > 0 {
                out.push(ctx.file_finding(
                    &DOC,
                    dir,
                    layer,
                    format!("/{dir}: {what}, {files} files, {bytes} bytes"),
                ));
            }
        }
        out
    }
}
