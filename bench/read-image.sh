#!/usr/bin/env bash
# bench/read-image.sh IMAGES_DIR [RUNS] — `palisade inspect` of the largest
# make-images.sh image, side by side in one run with
#   (a) the floor: `gzip -dc` of all its layer blobs to /dev/null, one after
#       the other on one core (what any single-threaded reader must pay), and
#   (b) the peer: `dive --ci` on the same image's docker-archive.
# palisade is measured with its default threads (one per CPU) and with
# --threads 1. Each command runs RUNS times (default 3); the table gives the
# median wall time and the largest peak RSS (GNU time's %M).
#
# IMAGES_DIR is the output of ../shared/tools/make-images.sh (oci/ and archive/).
# Env: PALISADE (binary, default target/release/palisade), DIVE (default
# /opt/peers/venv/bin/dive), IMAGE (default: the largest OCI image).
set -euo pipefail
dir=${1:?usage: bench/read-image.sh IMAGES_DIR [RUNS]}
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-$here/target/release/palisade}
dive=${DIVE:-/opt/peers/venv/bin/dive}
[[ -x $palisade ]] || { echo "build first: cargo build --release" >&2; exit 2; }
[[ -x $dive ]] || { echo "dive not found at $dive (../shared/tools/peers-install.sh)" >&2; exit 2; }
image=${IMAGE:-$(du -s "$dir"/oci/* | sort -n | tail -1 | awk '{print $2}' | xargs basename)}
layout=$dir/oci/$image
archive=$dir/archive/$image.tar

# The layer blobs of the image, from its manifest.
mapfile -t blobs < <(python3 - "$layout" <<'PY'
import json, sys
d = sys.argv[1]
idx = json.load(open(f"{d}/index.json"))
m = idx["manifests"][0]["digest"].split(":")[1]
man = json.load(open(f"{d}/blobs/sha256/{m}"))
for l in man["layers"]:
    print(f"{d}/blobs/sha256/{l['digest'].split(':')[1]}")
PY
)
compressed=$(du -cb "${blobs[@]}" | tail -1 | cut -f1)
uncompressed=$(cat "${blobs[@]}" | gzip -dc | wc -c)

measure() { # name, command...
  local name=$1; shift
  local times=() rss=0 out t m
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$tmp/time" -f '%e %M' "$@" >/dev/null 2>"$tmp/stderr" || { echo "$name failed:" >&2; cat "$tmp/stderr" >&2; exit 1; }
    out=$(tail -1 "$tmp/time")
    t=${out% *}; m=${out#* }
    times+=("$t"); (( m > rss )) && rss=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  printf '| %s | %s | %s |\n' "$name" "$median" "$((rss / 1024))"
  echo "$name $median" >> "$tmp/medians"
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Warm the page cache so every contender reads from memory.
cat "${blobs[@]}" "$archive" > /dev/null

echo "image: $image, ${#blobs[@]} layers, $((compressed / 1000000)) MB gzip, $((uncompressed / 1000000)) MB uncompressed; $(nproc) CPUs; $runs runs, median wall time"
echo
echo "| command | wall s | peak RSS MB |"
echo "|---|---|---|"
measure "gzip -dc of all layers (floor, 1 core)" sh -c "for b in ${blobs[*]}; do gzip -dc \"\$b\"; done"
measure "palisade inspect (default threads)" "$palisade" inspect -q --format json "oci:$layout:latest"
measure "palisade inspect --threads 1" "$palisade" inspect -q --threads 1 --format json "oci:$layout:latest"
measure "palisade inspect docker-archive" "$palisade" inspect -q --format json "docker-archive:$archive"
measure "palisade image --scanners audit,secret" "$palisade" image -q --scanners audit,secret --format json "oci:$layout:latest"
measure "palisade image --scanners audit,secret --threads 1" "$palisade" image -q --threads 1 --scanners audit,secret --format json "oci:$layout:latest"
measure "dive --ci (docker-archive)" env CI=true "$dive" --ci --source docker-archive "$archive"
floor=$(awk '/^gzip/ {print $NF}' "$tmp/medians")

# Do the efficiency figures agree with dive's?
env CI=true "$dive" --ci --source docker-archive --json "$tmp/dive.json" "$archive" >/dev/null 2>&1 || true
"$palisade" inspect -q --format json "docker-archive:$archive" > "$tmp/palisade.json"
python3 - "$tmp/dive.json" "$tmp/palisade.json" <<'PY'
import json, sys
dive = json.load(open(sys.argv[1]))["image"]
pal = json.load(open(sys.argv[2]))["totals"]
def rel(a, b): return abs(a - b) / b * 100 if b else 0.0
print()
print(f"efficiency: palisade {pal['efficiency']:.6f}, dive {dive['efficiencyScore']:.6f} ({rel(pal['efficiency'], dive['efficiencyScore']):.4f} % apart)")
print(f"wasted bytes: palisade {pal['wasted_bytes']}, dive {dive['inefficientBytes']} ({rel(pal['wasted_bytes'], dive['inefficientBytes']):.4f} % apart)")
PY
echo
awk -v f="$floor" '!/^gzip/ { t = $NF; $NF = ""; printf "%s: %.2fx the gzip floor\n", $0, t / f }' "$tmp/medians"
