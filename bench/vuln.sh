#!/usr/bin/env bash
# bench/vuln.sh VULNDATA IMAGES_DIR [IMAGE] — the vulnerability database and
# scanner (issue 6):
#   1. `palisade db import` time and database size per ecosystem, and for all
#      of VULNDATA in one database;
#   2. open + match 1,000 packages against the full database
#      (crates/vulndb/examples/match_bench.rs), 5 runs;
#   3. `palisade image --scanners vuln` cold (database and image evicted from
#      the page cache with posix_fadvise) and warm, next to `palisade sbom` on
#      the same image (default: the largest in IMAGES_DIR).
# PALISADE (default target/release/palisade) and MATCH_BENCH (default
# target/release/examples/match_bench) name the binaries. With
# PALISADE_BEFORE and MATCH_BEFORE (binaries of an earlier build, e.g. the
# database format version 1), the full import and open + match also run
# with those, side by side (each with its own database). SECTIONS (default
# "eco all match image") picks the parts to run.
set -euo pipefail
data=${1:?usage: bench/vuln.sh VULNDATA IMAGES_DIR [IMAGE]}
dir=${2:?usage: bench/vuln.sh VULNDATA IMAGES_DIR [IMAGE]}
here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
palisade=${PALISADE:-$target/release/palisade}
match_bench=${MATCH_BENCH:-$target/release/examples/match_bench}
image=${3:-$(du -s "$dir"/oci/* | sort -n | tail -1 | awk '{print $2}' | xargs basename)}
layout=$dir/oci/$image
tmp=$(mktemp -d -p "${BENCH_TMP:-/var/tmp}"); trap 'rm -rf "$tmp"' EXIT
sections=${SECTIONS:-eco all match image}
want() { [[ " $sections " == *" $1 "* ]]; }

evict() { python3 - "$@" <<'PY'
import os, sys
for root in sys.argv[1:]:
    paths = [root] if os.path.isfile(root) else [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)
PY
}
secs() { /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; cat "$tmp/time"; }

echo "## import ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
echo
echo "| ecosystem | all.zip MB | records | import s | peak RSS MB | database MB |"
echo "|---|---|---|---|---|---|"
want eco && for zip in "$data"/*/all.zip; do
  eco=$(basename "$(dirname "$zip")")
  read -r t m < <(secs "$palisade" db import -q "$zip" --db "$tmp/$eco.db")
  n=$(python3 -c 'import zipfile,sys; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' "$zip")
  printf '| %s | %.1f | %s | %s | %s | %.1f |\n' "$eco" "$(echo "$(stat -c %s "$zip") / 1048576" | bc -l)" "$n" "$t" "$((m / 1024))" "$(echo "$(stat -c %s "$tmp/$eco.db") / 1048576" | bc -l)"
done
all_import() { # LABEL PALISADE DB
  read -r t m < <(secs "$2" db import -q "$data"/*/all.zip --db "$3")
  printf '| **all** %s | %.1f | | %s | %s | %.1f |\n' "$1" "$(du -cb "$data"/*/all.zip | tail -1 | awk '{print $1 / 1048576}')" "$t" "$((m / 1024))" "$(echo "$(stat -c %s "$3") / 1048576" | bc -l)"
}
if want all || want match || want image; then
  all_import "" "$palisade" "$tmp/all.db"
  [[ -n ${PALISADE_BEFORE:-} ]] && all_import "(before)" "$PALISADE_BEFORE" "$tmp/before.db"
fi

if want match; then
  echo
  echo "## open + match 1,000 packages (full database, 5 runs, alternating)"
  echo
  for i in 1 2 3 4 5; do
    [[ -n ${MATCH_BEFORE:-} ]] && echo "before: $("$MATCH_BEFORE" "$tmp/before.db" 1000)"
    echo "now: $("$match_bench" "$tmp/all.db" 1000)"
  done
fi
want image || exit 0

echo
echo "## palisade image --scanners vuln vs palisade sbom: $image"
echo
echo "| command | cache | wall s | peak RSS MB |"
echo "|---|---|---|---|"
ref="oci:$layout:latest"
for cache in cold warm; do
  for cmd in "sbom" "image --scanners vuln" "image"; do
    [[ $cache == cold ]] && evict "$layout" "$tmp/all.db"
    db=(--db "$tmp/all.db"); [[ $cmd == sbom ]] && db=()
    read -r t m < <(secs "$palisade" $cmd -q "${db[@]}" "$ref")
    printf '| palisade %s | %s | %s | %s |\n' "$cmd" "$cache" "$t" "$((m / 1024))"
  done
done
