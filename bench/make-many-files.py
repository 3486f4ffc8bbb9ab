#!/usr/bin/env python3
"""make-many-files.py OUTDIR [N]: an OCI layout (tag latest) with one gzip layer of N
(default 1,000,000) four-byte files in 1000 directories, for the memory benchmark."""
import sys
import tarfile, io, os, json, hashlib, gzip
OUT = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as t:
    for d in range(1000):
        ti = tarfile.TarInfo(f"data/d{d:04}"); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
        for f in range(N // 1000):
            ti = tarfile.TarInfo(f"data/d{d:04}/file-{f:05}.txt"); ti.size = 4; ti.mode = 0o644
            t.addfile(ti, io.BytesIO(b"abc\n"))
tar = raw.getvalue()
blob = gzip.compress(tar, 1)
os.makedirs(f"{OUT}/blobs/sha256", exist_ok=True)
def put(b):
    h = hashlib.sha256(b).hexdigest(); open(f"{OUT}/blobs/sha256/{h}", "wb").write(b); return h
lh = put(blob)
cfg = json.dumps({"architecture":"amd64","os":"linux","config":{"User":"1000"},"rootfs":{"type":"layers","diff_ids":["sha256:"+hashlib.sha256(tar).hexdigest()]},"history":[{"created_by":"COPY data /data"}]}).encode()
ch = put(cfg)
man = json.dumps({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:"+ch,"size":len(cfg)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:"+lh,"size":len(blob)}]}).encode()
mh = put(man)
open(f"{OUT}/oci-layout","w").write('{"imageLayoutVersion":"1.0.0"}')
open(f"{OUT}/index.json","w").write(json.dumps({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:"+mh,"size":len(man),"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}))
print(len(tar), len(blob))
