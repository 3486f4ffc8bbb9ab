#!/usr/bin/env bash
# bench/dockerfile.sh [CORPUS_DIR] — lints every Dockerfile of the corpus
# (default $PALISADE_CORPUS or /var/tmp/dockerfile-corpus; collect it with
# bench/dockerfile-corpus.sh) with palisade and with hadolint in one run:
# wall time, files/s, and a parity table per hadolint rule (how many
# (file, rule) pairs each tool reported, and how many both did).
set -euo pipefail
corpus=${1:-${PALISADE_CORPUS:-/var/tmp/dockerfile-corpus}}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-${CARGO_TARGET_DIR:-$here/target}/release/palisade}
hadolint=${HADOLINT:-/opt/peers/venv/bin/hadolint}
[[ -d $corpus ]] || { echo "no corpus at $corpus (see bench/dockerfile-corpus.sh)" >&2; exit 2; }
[[ -x $palisade ]] || { echo "build first: cargo build --release -p palisade" >&2; exit 2; }
[[ -x $hadolint ]] || { echo "hadolint missing: run ../shared/tools/peers-install.sh" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# The same file list for both tools.
"$palisade" dockerfile --list-rules > /dev/null
find "$corpus" -type f \( -name 'Dockerfile' -o -name 'Dockerfile.*' -o -name '*.Dockerfile' -o -name '*.dockerfile' -o -name 'Containerfile' -o -name 'Containerfile.*' \) | sort > "$tmp/files"
n=$(wc -l < "$tmp/files")
now() { date +%s.%N; }

t0=$(now)
"$palisade" dockerfile -f json "$corpus" > "$tmp/palisade.json" || true
t1=$(now)
# hadolint takes many files per invocation; one process per 200 files.
# --no-fail: exit 0 with findings; parse errors go to stderr.
tr '\n' '\0' < "$tmp/files" | xargs -0 -n 200 "$hadolint" --no-fail -f json > "$tmp/hadolint.jsonl" 2> "$tmp/hadolint.err" || true
t2=$(now)

python3 - "$tmp" "$n" "$t0" "$t1" "$t2" "$palisade" "$hadolint" <<'PY'
import json, sys, collections, os
tmp, n, t0, t1, t2, palisade, hadolint = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:6]), sys.argv[6], sys.argv[7]
pal = json.load(open(os.path.join(tmp, "palisade.json")))["findings"]
had = []
# One JSON array per hadolint process, not always newline-separated.
text, pos, dec = open(os.path.join(tmp, "hadolint.jsonl")).read(), 0, json.JSONDecoder()
while True:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    arr, pos = dec.raw_decode(text, pos)
    had.extend(arr)
hp = set((h["file"], h["code"]) for h in had if h["code"].startswith("DL"))
pp = set()
for f in pal:
    for ref in f.get("references", []):
        if ref.startswith("DL"):
            pp.add((f["location"]["input"], ref))
parse_fail_pal = sorted(set(f["location"]["input"] for f in pal if f["rule"] == "PAL-DF-000"))
had_err = open(os.path.join(tmp, "hadolint.err")).read().count("\n")
wp, wh = t1 - t0, t2 - t1
print(f"corpus: {n} files; palisade parse failures: {len(parse_fail_pal)}; hadolint stderr lines: {had_err}")
print()
print("| tool | wall s | files/s |")
print("|---|---|---|")
print(f"| palisade dockerfile -f json (one process) | {wp:.2f} | {n/wp:.0f} |")
print(f"| hadolint --no-fail -f json (200 files per process) | {wh:.2f} | {n/wh:.0f} |")
print()
print(f"speed-up: {wh/wp:.1f}x")
print()
print("| hadolint rule | hadolint (file, rule) pairs | palisade | both |")
print("|---|---|---|---|")
codes = sorted(set(c for _, c in hp) | set(c for _, c in pp))
for c in codes:
    a = {f for f, k in hp if k == c}; b = {f for f, k in pp if k == c}
    print(f"| {c} | {len(a)} | {len(b)} | {len(a & b)} |")
for f in parse_fail_pal:
    print(f"palisade parse failure: {f}", file=sys.stderr)
# Keep the raw results for explaining disagreements.
json.dump({"only_hadolint": sorted(hp - pp), "only_palisade": sorted(pp - hp)}, open("/tmp/dockerfile-parity.json", "w"), indent=0)
PY
