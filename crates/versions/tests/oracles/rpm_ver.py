#!/usr/bin/python3
"""rpm oracle (not named rpm.py: it would shadow the rpm module): rpm's own EVR parsing and comparison (python3-rpm, rpm.ver).

Protocol (see tests/common/mod.rs): `v\tVERSION` -> 1/0, `c\tA\tB` -> -1/0/1/E.
"""
import sys
import rpm

out = []
for line in sys.stdin:
    parts = line.rstrip("\n").split("\t")
    try:
        if parts[0] == "v":
            rpm.ver(parts[1])
            out.append("1")
        else:
            a, b = rpm.ver(parts[1]), rpm.ver(parts[2])
            out.append("-1" if a < b else "1" if a > b else "0")
    except Exception:
        out.append("0" if parts[0] == "v" else "E")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
