#!/usr/bin/env bash
# bench/sign.sh [N] — `palisade sign`, `verify`, `attest` and
# `verify-attestation` against a local docker-registry (Debian package
# `docker-registry`) on 127.0.0.1: N sequential runs each on the demo image
# (demo/image, pushed with skopeo), then 4 concurrent signers on one image.
# There is no cosign binary on this machine (not in Debian; its releases are
# prebuilt downloads), so there is no side-by-side peer run: the floor shown
# is `skopeo inspect --raw` (one manifest GET, the least a verify must do).
# Needs: docker-registry, skopeo, palisade built (PALISADE=…).
set -euo pipefail
n=${1:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-$here/target/release/palisade}
[ -x "$palisade" ] || { echo "palisade not built: $palisade" >&2; exit 1; }
for t in /usr/bin/docker-registry skopeo; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; }; done
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$tmp/config.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $tmp/storage}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
YML
/usr/bin/docker-registry serve "$tmp/config.yml" > "$tmp/registry.log" 2>&1 &
reg=$!
trap 'kill $reg 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
host=127.0.0.1:$port
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$here/demo/image:latest" "docker://$host/bench/app:v1"
export PALISADE_PASSWORD=bench-password
"$palisade" keygen --output-key-prefix "$tmp/k" 2>/dev/null
for i in 1 2 3 4; do "$palisade" keygen --output-key-prefix "$tmp/c$i" 2>/dev/null; done
echo '{"bench":true}' > "$tmp/pred.json"

each() { # label, command... : N runs, mean wall ms and peak RSS MB of the last
  local label=$1; shift
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; done
  end=$(date +%s%N)
  /usr/bin/time -o "$tmp/time" -f '%M' "$@" > /dev/null 2>&1 || true
  printf '| %s | %d | %s | %s |\n' "$label" "$n" "$(( (end - start) / n / 1000000 ))" "$(( $(tail -n1 "$tmp/time") / 1024 ))"
}
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, registry docker-registry $(dpkg-query -W -f '${Version}' docker-registry 2>/dev/null), N=$n"
echo
echo "| command | runs | mean wall ms | peak RSS MB |"
echo "|---|---:|---:|---:|"
each "skopeo inspect --raw (floor: one manifest GET)" skopeo inspect --raw --tls-verify=false "docker://$host/bench/app:v1"
each "palisade sign (key decryption, scrypt N=32768, included)" "$palisade" sign "$host/bench/app:v1" --key "$tmp/k.key"
each "palisade verify (tag with N+1 signatures)" "$palisade" verify "$host/bench/app:v1" --key "$tmp/k.pub"
each "palisade attest --type custom --predicate" "$palisade" attest "$host/bench/app:v1" --key "$tmp/k.key" --type custom --predicate "$tmp/pred.json"
each "palisade verify-attestation" "$palisade" verify-attestation "$host/bench/app:v1" --key "$tmp/k.pub"
each "palisade attest --type cyclonedx (own SBOM of the demo image)" "$palisade" attest "$host/bench/app:v1" --key "$tmp/k.key" --type cyclonedx -q

# Four signers at once on a fresh image.
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$here/demo/image:latest" "docker://$host/bench/race:v1"
start=$(date +%s%N)
pids=()
for i in 1 2 3 4; do "$palisade" sign "$host/bench/race:v1" --key "$tmp/c$i.key" --format json > "$tmp/race$i.json" 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
end=$(date +%s%N)
writes=$(python3 -c 'import json,sys; print(sum(json.load(open(f))["writes"] for f in sys.argv[1:]))' "$tmp"/race*.json)
ok=0; for i in 1 2 3 4; do "$palisade" verify "$host/bench/race:v1" --key "$tmp/c$i.pub" >/dev/null 2>&1 && ok=$((ok + 1)); done
echo
echo "4 concurrent signers: $(( (end - start) / 1000000 )) ms wall for all, $writes PUTs in total, $ok/4 signatures verify afterwards"
