"""PEP 440 oracle: Python `packaging` (run with /opt/palisade-venv/bin/python).

Protocol (see tests/common/mod.rs): `v\tVERSION` -> 1/0, `c\tA\tB` -> -1/0/1/E.
"""
import sys
from packaging.version import InvalidVersion, Version

out = []
for line in sys.stdin:
    parts = line.rstrip("\n").split("\t")
    try:
        if parts[0] == "v":
            Version(parts[1])
            out.append("1")
        else:
            a, b = Version(parts[1]), Version(parts[2])
            out.append("-1" if a < b else "1" if a > b else "0")
    except InvalidVersion:
        out.append("0" if parts[0] == "v" else "E")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
