#!/usr/bin/env bash
# bench/many-files.sh [N] — peak memory and time of palisade on an image
# with N (default 1,000,000) small files in one layer, and the layer walk
# alone (examples/walk). Memory grows with the number of paths (the merged
# view keeps metadata per path), never with file sizes.
set -euo pipefail
n=${1:-1000000}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-$here/target/release/palisade}
walk=$here/target/release/examples/walk
[[ -x $palisade && -x $walk ]] || { echo "build first: cargo build --release && cargo build --release -p palisade-image --example walk" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 "$here/bench/make-many-files.py" "$tmp/oci" "$n" > /dev/null
echo "image: $n files of 4 bytes in one gzip layer"
echo
echo "| command | wall s | peak RSS MB | bytes per path |"
echo "|---|---|---|---|"
for cmd in "walk" "inspect" "image"; do
  case $cmd in
    walk) argv=("$walk" "oci:$tmp/oci:latest") ;;
    *) argv=("$palisade" "$cmd" -q --format json "oci:$tmp/oci:latest") ;;
  esac
  /usr/bin/time -o "$tmp/time" -f '%e %M' "${argv[@]}" > /dev/null
  read -r t m < "$tmp/time"
  printf '| %s | %s | %s | %s |\n' "$cmd" "$t" "$((m / 1024))" "$((m * 1024 / n))"
done
# The peer, on the same image as a docker-archive (what dive reads).
dive=${DIVE:-/opt/peers/venv/bin/dive}
if [[ -x $dive ]] && command -v skopeo >/dev/null; then
  skopeo copy -q "oci:$tmp/oci:latest" "docker-archive:$tmp/many.tar:many:latest"
  /usr/bin/time -o "$tmp/time" -f '%e %M' "$palisade" inspect -q --format json "docker-archive:$tmp/many.tar" > /dev/null
  read -r t m < "$tmp/time"
  printf '| %s | %s | %s | %s |\n' "inspect docker-archive" "$t" "$((m / 1024))" "$((m * 1024 / n))"
  CI=true /usr/bin/time -o "$tmp/time" -f '%e %M' "$dive" --ci --source docker-archive "$tmp/many.tar" > /dev/null 2>&1 || true
  read -r t m < "$tmp/time"
  printf '| %s | %s | %s | %s |\n' "dive --ci docker-archive" "$t" "$((m / 1024))" "$((m * 1024 / n))"
fi
