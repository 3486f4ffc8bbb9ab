#!/usr/bin/env bash
# bench/versions.sh [VULNDATA_DIR] — sort every version string of the OSV
# data under its scheme: palisade (crates/versions/examples/sort_versions,
# release build) vs the ecosystem's own comparison used as a sort key
# (python3-apt for Debian, `packaging` for PyPI, npm `semver` for npm).
# Prints wall time (the whole process: start-up, parse, sort) per tool.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-${PALISADE_VULNDATA:-$here/../shared/vulndata}}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/t-versions}
node_modules=${PALISADE_ORACLES_NODE:-/var/tmp/palisade-oracles/node}/node_modules
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cargo build -q --release -p palisade-versions --example sort_versions
sorter=$CARGO_TARGET_DIR/release/examples/sort_versions

# Every version string of one ecosystem's all.zip (affected entries of that
# ecosystem only: Debian's zip also holds Alpine entries), one a line.
extract() { # ecosystem
  python3 - "$data/$1/all.zip" "$1" <<'PY' > "$tmp/$1.txt"
import json, sys, zipfile
seen = set()
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        rec = json.loads(z.read(name))
        for aff in rec.get("affected", []):
            if aff.get("package", {}).get("ecosystem", "").split(":")[0] != sys.argv[2]:
                continue
            for r in aff.get("ranges", []):
                if r.get("type") == "GIT":
                    continue
                for ev in r.get("events", []):
                    seen.update(v for k, v in ev.items() if k in ("introduced", "fixed", "last_affected", "limit"))
            seen.update(aff.get("versions", []))
print("\n".join(sorted(v for v in seen if "\n" not in v)))
PY
}

timed() { # label, command...
  local label=$1; shift
  /usr/bin/time -o "$tmp/time" -f '%e %M' "$@" > /dev/null 2> "$tmp/err" || { echo "| $label | failed: $(head -c 80 "$tmp/err") | |"; return; }
  read -r t m < "$tmp/time"
  printf '| %s | %s | %s |\n' "$label" "$t" "$((m / 1024))"
}

echo "$(date -u +%F), $(nproc) CPUs (shared), warm cache, one run each"
echo
echo "| ecosystem: tool | wall s | peak RSS MB |"
echo "|---|---|---|"
for eco in Debian PyPI npm; do
  extract "$eco"
  n=$(wc -l < "$tmp/$eco.txt")
  timed "$eco ($n versions): palisade sort_versions" "$sorter" "$eco" < "$tmp/$eco.txt"
  grep -m1 . "$tmp/err" | sed 's/^/    /' >&2 || true
  case $eco in
    Debian) timed "$eco: python3-apt version_compare" /usr/bin/python3 -c '
import sys, functools, apt_pkg
apt_pkg.init_system()
v = sys.stdin.read().split("\n")
v.sort(key=functools.cmp_to_key(apt_pkg.version_compare))' < "$tmp/$eco.txt" ;;
    PyPI) timed "$eco: packaging.version.Version" /opt/palisade-venv/bin/python -c '
import sys
from packaging.version import Version, InvalidVersion
def ok(s):
    try: return Version(s)
    except InvalidVersion: return None
v = [x for x in map(ok, sys.stdin.read().split("\n")) if x is not None]
v.sort()' < "$tmp/$eco.txt" ;;
    npm) timed "$eco: npm semver.compare" node -e '
const semver = require(process.argv[1] + "/semver");
const v = require("fs").readFileSync(0, "utf8").split("\n").filter(s => semver.valid(s));
v.sort(semver.compare);' "$node_modules" < "$tmp/$eco.txt" ;;
  esac
done
