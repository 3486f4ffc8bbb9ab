#!/usr/bin/env bash
# bench/harden.sh [IMAGES_DIR] [NAME] — wall time and peak RSS of
# `palisade harden` on one image (default transforms, and with --squash)
# next to the reference round trip of the same image through umoci
# (`umoci unpack` + `umoci repack`, which re-tars and re-compresses every
# layer), one run each, on the same machine in the same run.
# Default image: debian12-large from /work/images (the largest of
# tools/make-images.sh).
set -euo pipefail
images=${1:-/work/images}
name=${2:-debian12-large}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-$here/target/release/palisade}
[[ -x $palisade ]] || { echo "build first: cargo build --release -p palisade (or set PALISADE)" >&2; exit 2; }
command -v umoci >/dev/null || { echo "umoci is missing (apt-get install umoci)" >&2; exit 2; }
src=$images/oci/$name
[[ -f $src/index.json ]] || { echo "no OCI layout at $src" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/bench-harden.XXXXXX"); trap 'rm -rf "$tmp"' EXIT

size=$(du -sb "$src" | cut -f1)
echo "image: $name ($((size / 1000000)) MB OCI layout), $(nproc) CPUs, $(date -u +%F), one run each"
echo
echo "| command | wall s | peak RSS MB | output MB |"
echo "|---|---|---|---|"
run() { # label, output dir, command...
  local label=$1 out=$2; shift 2
  /usr/bin/time -o "$tmp/time" -f '%e %M' "$@" > /dev/null 2> "$tmp/err" || { echo "| $label | failed: $(tail -1 "$tmp/err") | | |"; return; }
  read -r t m < "$tmp/time"
  printf '| %s | %s | %s | %s |\n' "$label" "$t" "$((m / 1024))" "$(( $(du -sb "$out" | cut -f1) / 1000000 ))"
}
run "palisade harden (default: strip setuid, remove caches)" "$tmp/h1" \
  "$palisade" harden -q "oci:$src:latest" --output "oci:$tmp/h1:latest" --work-dir "$tmp"
run "palisade harden --squash" "$tmp/h2" \
  "$palisade" harden -q --squash "oci:$src:latest" --output "oci:$tmp/h2:latest" --work-dir "$tmp"
# The reference: umoci works on a layout in place, so copy it first (not timed).
cp -r "$src" "$tmp/u"
run "umoci unpack" "$tmp/bundle" umoci unpack --rootless --image "$tmp/u:latest" "$tmp/bundle"
run "umoci repack" "$tmp/u" umoci repack --image "$tmp/u:latest" "$tmp/bundle"
