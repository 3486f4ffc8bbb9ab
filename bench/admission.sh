#!/usr/bin/env bash
# bench/admission.sh [IMAGES_DIR] — palisade serve admission on loopback:
#  1. warm path: one cached AdmissionReview (Pod, 1 image; rules registries,
#     mutable_refs, vulnerabilities, run_as_root) at a fixed 1,000 req/s for
#     20 s with the open-loop Rust client (crates/admission/examples/load.rs):
#     p50/p90/p99/max latency from each request's scheduled time;
#  2. saturation: wrk (Debian) with 2 threads and 16 connections, 10 s;
#  3. cold path: the first review of an image after the caches were dropped
#     (policy touched): registry resolve + full palisade scan, median of 5,
#     for scratch-static, the demo image and debian12-minbase;
#  4. burst: 16 concurrent first reviews of one image (single flight).
# Needs: docker-registry, skopeo, openssl, wrk, curl; a release build
# (cargo build --release -p palisade && cargo build --release -p
# palisade-admission --example load); images from tools/make-images.sh
# (default $PALISADE_IMAGES or /var/tmp/palisade-images); a vulnerability DB
# ($PALISADE_DB, default demo/vuln-demo.db).
set -euo pipefail
images=${1:-${PALISADE_IMAGES:-/var/tmp/palisade-images}}
here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
palisade=${PALISADE:-$target/release/palisade}
load=$target/release/examples/load
signer=$target/release/examples/sign_image
db=${PALISADE_DB:-$here/demo/vuln-demo.db}
for t in docker-registry skopeo openssl wrk curl bc; do command -v $t >/dev/null || { echo "missing $t (apt-get install -y docker-registry skopeo openssl wrk curl bc)" >&2; exit 2; }; done
[[ -x $palisade && -x $load && -x $signer ]] || { echo "build first: cargo build --release -p palisade && cargo build --release -p palisade-admission --examples" >&2; exit 2; }
tmp=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Registry with the images.
rport=$(port); reg=127.0.0.1:$rport
printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s/storage}}\nhttp: {addr: "%s"}\n' "$tmp" "$reg" > "$tmp/registry.yml"
docker-registry serve "$tmp/registry.yml" > "$tmp/registry.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do curl -fs "http://$reg/v2/" >/dev/null && break; sleep 0.1; done
push() { skopeo --insecure-policy copy --quiet --dest-tls-verify=false "$1" "docker://$reg/$2"; }
push "oci:$images/oci/scratch-static:latest" scratch-static:1
push "oci:$here/demo/image:latest" demo:1
[[ -d $images/oci/debian12-minbase ]] && push "oci:$images/oci/debian12-minbase:latest" debian12-minbase:1
# Signed and attested (an empty vuln report): the cold path without a scan.
push "oci:$images/oci/debian12-minbase:latest" attested:1 2>/dev/null || push "oci:$here/demo/image:latest" attested:1
"$signer" "$reg/attested:1" "$tmp/cosign.pub" >/dev/null

# Certificates (CA + serving certificate), policy, server.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=bench CA" -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bench" -keyout "$tmp/tls.key" -out "$tmp/tls.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > "$tmp/ext"
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -days 1 -extfile "$tmp/ext" -out "$tmp/tls.crt" 2>/dev/null
cat > "$tmp/policy.yaml" <<POL
admission:
  cache: {ttl: 10m, size: 1000}
  rules:
    registries: {allowed: ['$reg']}
    mutable_refs: enforce
    vulnerabilities: {max_severity: CRITICAL}
    run_as_root: warn
  namespaces:
    signed:
      signature: {keys: ['$tmp/cosign.pub']}
      vulnerabilities: {trust_attestations: true}
POL
wport=$(port)
"$palisade" serve admission --listen 127.0.0.1:$wport --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" \
  --config "$tmp/policy.yaml" --db "$db" --poll 0.5 --request-timeout 30 2> "$tmp/webhook.log" & pids+=($!)
url=https://127.0.0.1:$wport
for _ in $(seq 100); do curl -fs --cacert "$tmp/ca.crt" "$url/healthz" >/dev/null && break; sleep 0.1; done
review() { # $1 image [$2 namespace]
  printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"bench","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"%s","name":"p","operation":"CREATE","object":{"spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"c","image":"%s"}]}}}}' "${2:-bench}" "$1"
}
post() { curl -fs --cacert "$tmp/ca.crt" -o "$tmp/out.json" -w '%{time_total}' -H 'content-type: application/json' --data-binary @"$1" "$url/validate"; }

echo "## admission bench $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores (load: $(cut -d' ' -f1-3 /proc/loadavg)); palisade $palisade"
echo
echo "### cold path: first review after the caches were dropped, median of 5 (resolve + full scan; for attested: resolve + signature + signed vuln attestation, no scan)"
for img in scratch-static demo debian12-minbase attested; do
  curl -fs "http://$reg/v2/$img/tags/list" >/dev/null || continue
  ns=bench; [[ $img == attested ]] && ns=signed   # signature + trusted attestation, no scan
  review "$reg/$img:1" $ns > "$tmp/$img.json"
  times=()
  for _ in 1 2 3 4 5; do
    touch "$tmp/policy.yaml"; sleep 1.2   # the watcher reloads the policy and drops the caches
    times+=("$(post "$tmp/$img.json")")
  done
  allowed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["response"]["allowed"])' "$tmp/out.json")
  printf '%s\n' "${times[@]}" | sort -n | awk -v img="$img" -v a="$allowed" '{t[NR]=$1} END {printf "- %s: median %.1f ms (min %.1f, max %.1f), allowed=%s\n", img, t[3]*1000, t[1]*1000, t[5]*1000, a}'
done
echo
metric() { curl -fs --cacert "$tmp/ca.crt" "$url/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
echo "### burst: 16 concurrent first reviews of one image after the caches were dropped (single flight: one resolve and one scan expected)"
for img in demo debian12-minbase; do
  curl -fs "http://$reg/v2/$img/tags/list" >/dev/null || continue
  touch "$tmp/policy.yaml"; sleep 1.2
  scans0=$(metric palisade_admission_scans_total); merged0=$(metric palisade_admission_inflight_merged_total)
  start=$(date +%s.%N)
  burst=()
  for i in $(seq 16); do post "$tmp/$img.json" > "$tmp/burst-$i.t" & burst+=($!); done
  wait "${burst[@]}"
  end=$(date +%s.%N)
  slowest=$(awk '{print}' "$tmp"/burst-*.t | sort -n | tail -1)
  printf -- '- %s: 16 answered in %.1f ms (slowest request %.1f ms); scans %d, merged %d\n' "$img" \
    "$(echo "($end - $start) * 1000" | bc -l)" "$(echo "$slowest * 1000" | bc -l)" \
    $(( $(metric palisade_admission_scans_total) - scans0 )) $(( $(metric palisade_admission_inflight_merged_total) - merged0 ))
done
echo
review "$reg/scratch-static:1" > "$tmp/warm.json"
post "$tmp/warm.json" >/dev/null
echo "### warm path: cached verdict, open loop at ${RATE:-1000} req/s for ${DURATION:-20} s, 8 keep-alive connections"
"$load" "$url/validate" "$tmp/ca.crt" "$tmp/warm.json" "${RATE:-1000}" "${DURATION:-20}" 8
echo
echo "### saturation: wrk -t2 -c16 -d${WRK_DURATION:-10}s (same cached review)"
cat > "$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/warm.json", "r"); wrk.body = f:read("*a"); f:close()
LUA
wrk -t2 -c16 -d"${WRK_DURATION:-10}"s --latency -s "$tmp/post.lua" "$url/validate" | grep -E 'Requests/sec|Latency|50%|75%|90%|99%|requests in|Non-2xx'
echo
grep -c '"event":"decision"' "$tmp/webhook.log" | sed 's/^/decisions logged: /'
