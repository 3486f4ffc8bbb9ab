#!/usr/bin/env bash
# bench/go-scanner.sh DIR... — the Go build-information scanner (both
# formats: Go >= 1.18 inline, Go 1.13-1.17 pointers) on every executable
# regular file under DIR..., fed in 64 KiB chunks as the layer walk feeds
# it (crates/catalog/examples/go_scan.rs, release), next to a bare memmem
# pass for the magic over the same chunks (the floor) and to Go's own
# reader, `go version -m` (debug/buildinfo, which seeks instead of
# streaming). Files are read into memory first (warm page cache); three
# runs each. Prints wall and CPU seconds and the Go binaries found.
set -euo pipefail
(($#)) || { echo "usage: bench/go-scanner.sh DIR..." >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}
cargo build -q --release -p palisade-catalog --example go_scan
example=$CARGO_TARGET_DIR/release/examples/go_scan
list=$(mktemp); trap 'rm -f "$list"' EXIT
find "$@" -type f -perm -u+x -size +4k -print0 | xargs -0 file -N -F '|' | grep '| ELF' | cut -d'|' -f1 | sort > "$list"
mapfile -t files < "$list"
echo "files: ${#files[@]}, $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes"
"$example" "${files[@]}"
for i in 1 2 3; do
  /usr/bin/time -f 'go version -m: wall %e s, CPU %U+%S s' go version -m "${files[@]}" 2>&1 >/dev/null \
    | grep -E '^go version -m' || true
done
echo "go version -m finds $(go version -m "${files[@]}" 2>/dev/null | grep -c '^[^[:space:]].*: go') Go binaries"
