#!/usr/bin/python3
"""dpkg oracle: libapt's dpkg version comparison (python3-apt apt_pkg).

Protocol (see tests/common/mod.rs): `v\tVERSION` -> 1/0, `c\tA\tB` -> -1/0/1/E.
apt_pkg has no validator, so validity is dpkg's own: `v` lines are checked
by the caller with `dpkg --compare-versions` spot checks; here every
version counts as valid (1).
"""
import sys
import apt_pkg

apt_pkg.init_system()
out = []
for line in sys.stdin:
    parts = line.rstrip("\n").split("\t")
    if parts[0] == "v":
        out.append("1")
    else:
        r = apt_pkg.version_compare(parts[1], parts[2])
        out.append("-1" if r < 0 else "1" if r > 0 else "0")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
