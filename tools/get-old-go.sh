#!/usr/bin/env bash
# Go 1.15 (Debian 11 "bullseye"'s golang-1.15), for the tests of Go < 1.18
# build information (crates/catalog/tests/golang.rs): its binaries store
# pointers, not strings. Bookworm has no Go older than 1.19, so the two
# bullseye .deb files are downloaded from deb.debian.org, checked against
# the SHA-256 sums of bullseye's Packages index, and unpacked (dpkg -x,
# not installed) into DEST. Prints the path to `go`; the tests read it
# from PALISADE_OLD_GO.
#
#   tools/get-old-go.sh [DEST]        # default /var/tmp/palisade-go1.15
set -euo pipefail
dest=${1:-/var/tmp/palisade-go1.15}
go=$dest/usr/lib/go-1.15/bin/go
if [[ -x $go ]]; then echo "$go"; exit 0; fi
pool=http://deb.debian.org/debian/pool/main/g/golang-1.15
debs=(
  "golang-1.15-go_1.15.15-1~deb11u4_amd64.deb 33f6680406698b60370322aa5710be199006b3d66fbb0974b44da012de3aa82a"
  "golang-1.15-src_1.15.15-1~deb11u4_amd64.deb e580f570f706d801191f9a17e55156736fc5979a6a878bab9304ca007ae29941"
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"
for entry in "${debs[@]}"; do
  read -r file sum <<<"$entry"
  curl -fsS --retry 3 -o "$tmp/$file" "$pool/$file"
  echo "$sum  $tmp/$file" | sha256sum -c --quiet -
  dpkg -x "$tmp/$file" "$dest"
done
"$go" version >&2
echo "$go"
