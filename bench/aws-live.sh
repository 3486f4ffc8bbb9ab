#!/usr/bin/env bash
# bench/aws-live.sh [N] — `palisade aws ecr audit` live (aws-sdk-ecr) vs
# collecting the same API answers with boto3 (the Python SDK: what the
# offline path needs, one GetRepositoryPolicy and GetLifecyclePolicy per
# repository) and auditing them offline. Both talk to the same moto ECR
# server on 127.0.0.1 holding N repositories (default 200: every other one
# with a repository policy, every third with a lifecycle policy). One run
# each after a warm-up. The figures are dominated by moto's answer time;
# they show the cost of the live path, not ECR's. Needs moto[server] in
# $PEERS_VENV (default /opt/palisade-venv), palisade built (PALISADE=…).
set -euo pipefail
n=${1:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-$here/target/release/palisade}
venv=${PEERS_VENV:-/opt/palisade-venv}
[ -x "$venv/bin/moto_server" ] || { echo "moto missing: $venv/bin/pip install 'moto[server]'" >&2; exit 1; }
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" > "$tmp/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; wait $moto 2>/dev/null; rm -rf "$tmp"' EXIT
export AWS_ACCESS_KEY_ID=AKIABENCH0000000000 AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-west-2 \
  AWS_DEFAULT_REGION=us-west-2 AWS_EC2_METADATA_DISABLED=true \
  AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
url=http://127.0.0.1:$port
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
"$venv/bin/python" - "$url" "$n" <<'PY'
import json, sys, boto3
url, n = sys.argv[1], int(sys.argv[2])
c = boto3.client("ecr", endpoint_url=url)
lifecycle = json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged",
    "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]})
for i in range(n):
    name = f"team-{i % 20}/app-{i}"
    c.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE" if i % 2 else "MUTABLE")
    if i % 2 == 0:
        c.set_repository_policy(repositoryName=name, policyText=json.dumps({"Version": "2012-10-17",
            "Statement": [{"Sid": "Pull", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}))
    if i % 3 == 0:
        c.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=lifecycle)
PY
cat > "$tmp/collect.py" <<'PY'
import json, sys, boto3
url, out = sys.argv[1], sys.argv[2]
c = boto3.client("ecr", endpoint_url=url)
repos = []
for page in c.get_paginator("describe_repositories").paginate():
    repos += page["repositories"]
def save(name, resp):
    resp.pop("ResponseMetadata", None)
    json.dump(resp, open(f"{out}/{name}.json", "w"), default=str)
save("describe-repositories", {"repositories": repos})
for i, r in enumerate(repos):
    name = r["repositoryName"]
    for call, fn in (("policy", c.get_repository_policy), ("lifecycle", c.get_lifecycle_policy)):
        try:
            save(f"{call}-{i}", fn(repositoryName=name))
        except c.exceptions.RepositoryPolicyNotFoundException:
            pass
        except c.exceptions.LifecyclePolicyNotFoundException:
            pass
save("registry-scanning", c.get_registry_scanning_configuration())
PY
run() { # name, command...
  local name=$1; shift
  /usr/bin/time -o "$tmp/time" -f '%e %M' "$@" > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err" >&2; true; }
  read -r t m < <(tail -n 1 "$tmp/time")
  local f; f=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$tmp/out" 2>/dev/null || echo -)
  printf '| %s | %s | %s | %s |\n' "$name" "$t" "$((m / 1024))" "$f"
}
"$palisade" aws ecr audit --endpoint-url "$url" --format json > /dev/null   # warm-up
mkdir "$tmp/saved"
echo "$n repositories in moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)'), $(nproc) CPUs, one run each"
echo
echo "| command | wall s | peak RSS MB | findings |"
echo "|---|---|---|---|"
run "palisade aws ecr audit --endpoint-url (live)" "$palisade" aws ecr audit --endpoint-url "$url" --format json
run "boto3: collect the same answers" "$venv/bin/python" "$tmp/collect.py" "$url" "$tmp/saved"
run "palisade aws ecr audit FILE… (offline, on them)" "$palisade" aws ecr audit --format json "$tmp"/saved/*.json
