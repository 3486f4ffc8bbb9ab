#!/usr/bin/env bash
# bench/aws-policy.sh [N] — `palisade aws policy check` vs parliament
# (Duo Labs' IAM linter, PyPI `parliament`) on the same N generated identity
# policies (default 2000: team namespace push/pull, broad ecr:*, typos,
# conditions), one run each, warm cache. Prints wall time, peak RSS and the
# number of findings each tool reports. Needs: parliament in
# $PEERS_VENV (default /opt/palisade-venv), palisade built (PALISADE=…).
set -euo pipefail
n=${1:-2000}
here=$(cd "$(dirname "$0")/.." && pwd)
palisade=${PALISADE:-$here/target/release/palisade}
venv=${PEERS_VENV:-/opt/palisade-venv}
parliament=$venv/bin/parliament
[ -x "$parliament" ] || { echo "parliament missing: $venv/bin/pip install parliament==1.6.4" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/policies"
python3 - "$tmp/policies" "$n" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    team = f"team-{i % 50}"
    stmts = [{"Sid": "PushPull", "Effect": "Allow",
              "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability",
                         "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"],
              "Resource": f"arn:aws:ecr:us-west-2:111122223333:repository/{team}/*"},
             {"Sid": "Login", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]
    if i % 7 == 0:
        stmts.append({"Sid": "Broad", "Effect": "Allow", "Action": "ecr:*", "Resource": "*"})
    if i % 11 == 0:
        stmts.append({"Sid": "Typo", "Effect": "Allow", "Action": "ecr:PushImage", "Resource": "*"})
    if i % 5 == 0:
        stmts.append({"Sid": "Org", "Effect": "Allow", "Action": "ecr:DescribeImages",
                      "Resource": "arn:aws:ecr:us-west-2:111122223333:repository/*",
                      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}})
    json.dump({"Version": "2012-10-17", "Statement": stmts}, open(f"{out}/p{i:05}.json", "w"), indent=2)
PY
run() { # name, count-command, command...
  local name=$1 count=$2; shift 2
  /usr/bin/time -o "$tmp/time" -f '%e %M' "$@" > "$tmp/out" 2> "$tmp/err" || true
  read -r t m < <(tail -n 1 "$tmp/time")
  printf '| %s | %s | %s | %s |\n' "$name" "$t" "$((m / 1024))" "$(eval "$count" < "$tmp/out")"
}
echo "$n generated identity policies, $(nproc) CPUs, one run each"
echo
echo "| command | wall s | peak RSS MB | findings |"
echo "|---|---|---|---|"
run "palisade aws policy check --format json" "python3 -c 'import json,sys;print(len(json.load(sys.stdin)[\"findings\"]))'" \
  "$palisade" aws policy check --kind identity --namespace team-0 --format json "$tmp"/policies/*.json
run "parliament --directory --json" "grep -c ." "$parliament" --directory "$tmp/policies" --json
