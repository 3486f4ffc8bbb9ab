#!/usr/bin/env bash
# make-demo-db.sh — rebuilds demo/vuln-demo.db, the small vulnerability
# database bundled for the demo image (demo/image, layer 4): the real OSV
# records (from ../shared/vulndata, or $PALISADE_VULNDATA) that affect the
# demo's packages, imported with `palisade db import`. `palisade image` uses
# it only for the demo image and only when no database is configured.
#
# Needs: python3 (to pick the records out of the all.zip files), cargo.
set -euo pipefail
cd "$(dirname "$0")"
data=${PALISADE_VULNDATA:-../../shared/vulndata}
[[ -d $data ]] || data=../shared/vulndata
[[ -d $data/PyPI ]] || { echo "no vulnerability data at $data (set PALISADE_VULNDATA)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$data" "$work" <<'PY'
import json, sys, zipfile, os
data, out = sys.argv[1], sys.argv[2]
want = {"PyPI": {"requests", "urllib3"}, "npm": {"lodash", "minimist"}, "crates.io": {"smallvec"}}
for eco, names in want.items():
    with zipfile.ZipFile(os.path.join(data, eco, "all.zip")) as z:
        for n in z.namelist():
            doc = json.loads(z.read(n))
            if any(a.get("package", {}).get("ecosystem") == eco and a["package"].get("name") in names
                   for a in doc.get("affected", [])):
                with open(os.path.join(out, n), "w") as f:
                    json.dump(doc, f)
PY
echo "$(ls "$work" | wc -l) records"
${PALISADE_BIN:-cargo run -q --release -p palisade --} db import -q "$work" --db vuln-demo.db
du -h vuln-demo.db
