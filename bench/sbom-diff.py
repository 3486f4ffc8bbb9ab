#!/usr/bin/env python3
"""bench/sbom-diff.py PALISADE_TSV SYFT_JSON [TRIVY_JSON]: package-by-package
differences between palisade's inventory (crates/catalog/examples/inventory
output: ECOSYSTEM NAME VERSION PURL LOCATION) and syft's native JSON /
trivy's `--format json --list-all-pkgs` output, keyed by (kind, name,
version). Kinds: deb, apk, rpm, pypi, npm, cargo, golang, maven, gem,
nuget, composer (from the purl type, which all three tools write)."""
import json, sys
from urllib.parse import unquote


def kind_name_of_purl(purl):
    # pkg:TYPE/NAMESPACE/NAME@VERSION?...  ->  (TYPE, NAME incl. namespace for scoped types)
    body = purl[4:].split("?")[0].split("#")[0]
    typ, _, rest = body.partition("/")
    path = rest.rsplit("@", 1)[0]
    parts = [unquote(p) for p in path.split("/")]
    if typ in ("deb", "apk", "rpm"):
        name = parts[-1]
    elif typ == "maven":
        name = ":".join(parts[-2:]) if len(parts) > 1 else parts[-1]
    else:
        name = "/".join(parts)
    if typ == "pypi":
        name = name.lower().replace("_", "-").replace(".", "-")
    return typ, name


def palisade(path):
    out = set()
    for line in open(path):
        eco, name, version, purl, loc = line.rstrip("\n").split("\t")
        typ, _ = kind_name_of_purl(purl)
        if typ == "pypi":
            name = name.lower().replace("_", "-").replace(".", "-")
        out.add((typ, name, version))
    return out


def syft(path):
    out = set()
    for a in json.load(open(path)).get("artifacts", []):
        purl = a.get("purl") or ""
        if not purl.startswith("pkg:"):
            out.add((a.get("type", "?"), a["name"], a["version"]))
            continue
        typ, name = kind_name_of_purl(purl)
        version = a["version"]
        if typ == "maven" and ":" not in name:
            name = a["name"]
        out.add((typ, name, version))
    return out


def trivy(path):
    out = set()
    for r in json.load(open(path)).get("Results", []):
        for p in r.get("Packages", []) or []:
            purl = (p.get("Identifier") or {}).get("PURL") or ""
            if purl.startswith("pkg:"):
                typ, name = kind_name_of_purl(purl)
            else:
                typ, name = r.get("Type", "?"), p["Name"]
            version = p.get("Version", "")
            if p.get("Release"):
                version += "-" + p["Release"]
            if p.get("Epoch"):
                version = "%s:%s" % (p["Epoch"], version)
            out.add((typ, name, version))
    return out


def main():
    mine = palisade(sys.argv[1])
    peers = [("syft", syft(sys.argv[2]))]
    if len(sys.argv) > 3:
        peers.append(("trivy", trivy(sys.argv[3])))
    print("palisade %d" % len(mine) + "".join(", %s %d" % (n, len(p)) for n, p in peers))
    for n, p in peers:
        for k in sorted(mine - p):
            print("  only palisade (not %s): %s %s %s" % (n, *k))
        for k in sorted(p - mine):
            print("  only %s: %s %s %s" % (n, *k))


main()
