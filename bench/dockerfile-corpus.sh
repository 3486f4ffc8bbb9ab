#!/bin/sh
# Collects the Dockerfile corpus named in ../shared/corpus/README.md from
# git clones (bare or not) into one directory, without committing anything:
#   bench/dockerfile-corpus.sh OUT_DIR REPO_GIT_DIR...
# Files collected: Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile,
# Containerfile (at the clone's HEAD). For moby/buildkit only the
# frontend/dockerfile test data is taken, as the README says.
set -eu
out=$1; shift
mkdir -p "$out"
for git_dir in "$@"; do
    name=$(basename "$(dirname "$git_dir")")
    [ "$name" = "." ] && name=$(basename "$git_dir")
    git --git-dir="$git_dir" ls-tree -r --name-only HEAD |
        grep -E '(^|/)(Dockerfile(\.[^/]*)?|[^/]*\.[Dd]ockerfile|Containerfile)$' |
        { if [ "${name#moby+buildkit}" != "$name" ]; then grep '^frontend/dockerfile/'; else cat; fi; } |
        while IFS= read -r path; do
            dest="$out/$name/$path"
            mkdir -p "$(dirname "$dest")"
            # Blobs only: a symlink or submodule entry is skipped.
            git --git-dir="$git_dir" cat-file blob "HEAD:$path" > "$dest" 2>/dev/null || rm -f "$dest"
        done
done
find "$out" -type f | wc -l
