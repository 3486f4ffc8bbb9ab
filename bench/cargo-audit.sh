#!/usr/bin/env bash
# bench/cargo-audit.sh ADVISORY_DB VULN_DB [CARGO_LOCK] — palisade's findings
# for a Cargo.lock next to `cargo audit`'s (cargo-audit in ~/.cargo/bin),
# both offline: cargo audit reads a local clone of the RustSec advisory-db
# (ADVISORY_DB, `--no-fetch`), palisade the OSV database VULN_DB (whose
# crates.io records are the RustSec advisories exported by osv.dev). Without
# CARGO_LOCK a lock file of 22 crates at known-vulnerable versions is
# written. Prints the time of each and the RUSTSEC ids each reports, and
# the differences as (RUSTSEC id, crate, version), vulnerabilities and
# informational warnings apart (palisade reports a CVE or GHSA id when the
# advisory has one, with the RUSTSEC id among its advisories, and marks
# informational advisories `informational`). VULN_DB must be format 3.
# PALISADE names the binary (default target/release/palisade).
set -euo pipefail
adb=${1:?usage: bench/cargo-audit.sh ADVISORY_DB VULN_DB [CARGO_LOCK]}
vdb=${2:?usage: bench/cargo-audit.sh ADVISORY_DB VULN_DB [CARGO_LOCK]}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-${CARGO_TARGET_DIR:-$here/target}/release/palisade}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
if [[ -n ${3:-} ]]; then
  cp "$3" "$tmp/src/Cargo.lock"
else
  python3 - "$tmp/src/Cargo.lock" <<'PY'
import sys
pk = [("smallvec","1.6.0"),("tokio","1.0.0"),("hyper","0.14.0"),("regex","1.5.4"),("time","0.1.43"),
      ("chrono","0.4.19"),("openssl","0.10.30"),("crossbeam-channel","0.5.0"),("tar","0.4.30"),("h2","0.3.0"),
      ("rustls","0.20.0"),("ring","0.16.20"),("serde_yaml","0.8.0"),("idna","0.5.0"),("url","2.5.0"),
      ("shlex","1.1.0"),("zerovec","0.10.0"),("rsa","0.9.6"),("openssl-src","111.0.0+1.1.1"),
      ("libgit2-sys","0.14.0+1.5.0"),("serde","1.0.200"),("anyhow","1.0.80")]
s = "version = 3\n\n"
for n, v in pk:
    s += f'[[package]]\nname = "{n}"\nversion = "{v}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
open(sys.argv[1], "w").write(s)
PY
fi
echo "## cargo audit vs palisade fs ($(date -u +%Y-%m-%dT%H:%MZ), advisory-db $(git -C "$adb" log -1 --format=%h\ %cs), $(grep -c '^\[\[package\]\]' "$tmp/src/Cargo.lock") crates)"
/usr/bin/time -f '%e s %M KB' -o "$tmp/t1" cargo audit --db "$adb" --no-fetch --stale -f "$tmp/src/Cargo.lock" --json > "$tmp/audit.json" 2> "$tmp/audit.err" || true
/usr/bin/time -f '%e s %M KB' -o "$tmp/t2" "$palisade" fs -q --scanners vuln --db "$vdb" -f json "$tmp/src" > "$tmp/pal.json" || true
echo "cargo audit: $(tail -1 "$tmp/t1"); palisade fs: $(tail -1 "$tmp/t2")"
python3 - "$tmp/audit.json" "$tmp/pal.json" <<'PY'
import json, sys
audit = json.load(open(sys.argv[1])); pal = json.load(open(sys.argv[2]))
key = lambda x: (x["advisory"]["id"], x["package"]["name"], x["package"]["version"])
a_vulns = {key(x) for x in audit["vulnerabilities"]["list"]}
# Informational warnings (unmaintained / unsound / notice); yanked ones
# have no advisory and need the crates.io index: not comparable offline.
a_warn = {(kind,) + key(x) for kind, xs in audit.get("warnings", {}).items() for x in xs if x.get("advisory")}
yanked = sum(1 for x in audit.get("warnings", {}).get("yanked", []))
p_vulns, p_warn, other = set(), set(), []
for f in pal["findings"]:
    v = f["vulnerability"]
    ids = {i for i in [v["id"]] + v.get("aliases", []) + v["advisories"] if i.startswith("RUSTSEC-")}
    if not ids:
        other.append(v["id"] + " " + v["package"])
    for i in ids:
        k = (i, v["package"], v["installed_version"])
        if v.get("informational"):
            p_warn.add((v["informational"],) + k)
        else:
            p_vulns.add(k)
print(f"cargo audit: {len(a_vulns)} vulnerabilities, {len(a_warn)} informational warnings (+{yanked} yanked, not compared); "
      f"palisade: {len(pal['findings'])} findings: {len(p_vulns)} vulnerabilities, {len(p_warn)} informational warnings (RUSTSEC ids)")
print(f"vulnerabilities in both: {len(a_vulns & p_vulns)}; warnings in both: {len(a_warn & p_warn)}")
for k in sorted(a_vulns - p_vulns): print("vulnerability only in cargo audit:", *k)
for k in sorted(p_vulns - a_vulns): print("vulnerability only in palisade:", *k)
for k in sorted(a_warn - p_warn): print("warning only in cargo audit:", *k)
for k in sorted(p_warn - a_warn): print("warning only in palisade:", *k)
for o in other: print("palisade finding without a RUSTSEC id:", o)
PY
