#!/usr/bin/env bash
# make-demo.sh — rebuilds the bundled demo image in demo/image (OCI layout,
# tag `latest`) from real Debian packages, with umoci. The result is
# committed, so `palisade inspect oci:demo/image:latest` works on a fresh
# clone without network; run this only to change the demo.
#
# The image is small (about 1 MB) and shows what palisade reports:
#   layer 1  busybox-static from Debian 12 (/bin/busybox with sh, nc, wget
#            applet links), os-release, passwd/group
#   layer 2  an application: a start script, FAKE AWS keys in config.env,
#            a 256 kB cache file
#   layer 3  "cleanup": the cache file deleted (a whiteout) and /bin/busybox
#            made setuid root (the whole binary is stored again: waste)
#   layer 4  the application's dependencies, real package metadata of
#            known-vulnerable versions: Python requests 2.19.1 and urllib3
#            1.24.1 (dist-info), npm lodash 4.17.4 and minimist 0.0.8
#            (package-lock.json), Rust smallvec 1.6.0 (Cargo.lock); with the
#            bundled database demo/vuln-demo.db (demo/make-demo-db.sh) the
#            vulnerability scanner finds their CVEs offline
# Config: runs as root, ENV with a FAKE password, mutable tag.
#
# Needs: root, umoci, apt-get (for `apt-get download busybox-static`), dpkg-deb.
set -euo pipefail
cd "$(dirname "$0")"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$PWD/image

# layer 4 (also run alone by `make-demo.sh --deps-layer-only` on the committed image)
add_dependencies_layer() {
  local out=$1 work=$2
  rm -rf "$work/bundle4"
  umoci unpack --image "$out:latest" "$work/bundle4" >/dev/null
  local root=$work/bundle4/rootfs site=$work/bundle4/rootfs/usr/local/lib/python3.11/site-packages
  for dist in requests:2.19.1 urllib3:1.24.1; do
    mkdir -p "$site/${dist%%:*}-${dist##*:}.dist-info"
    printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "${dist%%:*}" "${dist##*:}" \
      > "$site/${dist%%:*}-${dist##*:}.dist-info/METADATA"
  done
  cat > "$root/app/package-lock.json" <<'LOCK'
{
  "name": "demo-app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": { "name": "demo-app", "version": "1.0.0", "dependencies": { "lodash": "4.17.4", "minimist": "0.0.8" } },
    "node_modules/lodash": { "version": "4.17.4", "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.4.tgz" },
    "node_modules/minimist": { "version": "0.0.8", "resolved": "https://registry.npmjs.org/minimist/-/minimist-0.0.8.tgz" }
  }
}
LOCK
  cat > "$root/app/Cargo.lock" <<'LOCK'
version = 3

[[package]]
name = "demo-app"
version = "0.1.0"
dependencies = ["smallvec"]

[[package]]
name = "smallvec"
version = "1.6.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
LOCK
  # Only what this layer adds: touching the rest would store it again.
  find "$root/app" "$root/usr/local" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  touch -h -d "@$SOURCE_DATE_EPOCH" "$root/usr"
  umoci repack --refresh-bundle --image "$out:latest" --history.created_by "COPY requirements, package-lock.json, Cargo.lock (application dependencies)" \
    --history.created "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)" "$work/bundle4"
}

if [[ ${1:-} == --deps-layer-only ]]; then
  add_dependencies_layer "$out" "$work"
  umoci gc --layout "$out"
  du -sh "$out"
  exit 0
fi
rm -rf "$out"

(cd "$work" && chmod 777 . && apt-get download busybox-static >/dev/null 2>&1)
deb=$(ls "$work"/busybox-static_*.deb)

umoci init --layout "$out"
umoci new --image "$out:latest"
umoci unpack --image "$out:latest" "$work/bundle" >/dev/null
root=$work/bundle/rootfs

# layer 1: base
dpkg-deb -x "$deb" "$work/deb"
mkdir -p "$root"/{bin,etc,tmp,root,usr/lib}
cp "$work/deb/bin/busybox" "$root/bin/busybox"
for applet in sh ash nc wget ls cat; do ln -s busybox "$root/bin/$applet"; done
chmod 1777 "$root/tmp"
cat > "$root/usr/lib/os-release" <<'OSR'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
OSR
ln -s ../usr/lib/os-release "$root/etc/os-release"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
umoci repack --refresh-bundle --image "$out:latest" --history.created_by "COPY busybox-static (Debian 12) /bin/busybox; sh, nc, wget applets" \
  --history.created "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)" "$work/bundle"

# layer 2: application
mkdir -p "$root/app"
printf '#!/bin/sh\nexec nc -l -p 8080 -e /bin/cat\n' > "$root/app/start.sh"
chmod 755 "$root/app/start.sh"
# FAKE credentials, shaped like real ones so that the secret scanner finds them.
printf 'DB_HOST=db.internal\nAWS_ACCESS_KEY_ID=AKIAZ7P3QX2LWN5RT4HM\nAWS_SECRET_ACCESS_KEY=q8Vd3Jt/Rm2xLw9KpZ7eHs4NcYb1UfGaT6oXiE0n\n' > "$root/app/config.env"
head -c 262144 /dev/zero | tr '\0' 'x' > "$root/app/cache.bin"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
umoci repack --refresh-bundle --image "$out:latest" --history.created_by "COPY app/ /app/" \
  --history.created "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)" "$work/bundle"

# layer 3: cleanup that wastes space
rm "$root/app/cache.bin"
chmod 4755 "$root/bin/busybox"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
umoci repack --refresh-bundle --image "$out:latest" --history.created_by "RUN rm /app/cache.bin && chmod u+s /bin/busybox" \
  --history.created "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)" "$work/bundle"

umoci config --image "$out:latest" --config.cmd /app/start.sh --config.workingdir /app \
  --config.env PATH=/bin --config.env DB_PASSWORD=FAKE-demo-password-not-real \
  --config.exposedports 8080/tcp --config.label org.opencontainers.image.title=palisade-demo \
  --author "palisade demo/make-demo.sh" --created "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)" \
  --history.created_by "CMD /app/start.sh (ENV, EXPOSE, WORKDIR)" \
  --history.created "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
add_dependencies_layer "$out" "$work"
umoci gc --layout "$out"
du -sh "$out"
