#!/usr/bin/env bash
# Make a Docker engine, bubblewrap and a local Python image available for the tests (issue D).
#
# Idempotent; run as root (by .ci/run, or by the test fixture when the image is missing):
#   1. installs docker.io, bubblewrap and debootstrap with apt-get when missing;
#   2. starts `dockerd --bridge=none --iptables=false` in the background if no engine answers
#      (log: $AUTOGPT_DOCKERD_LOG), and waits until `docker info` answers;
#   3. builds the image $AUTOGPT_PYTHON_IMAGE (default autogpt-python:local) if it is absent: a
#      minimal Debian root file system with the full python3 package, made by debootstrap from the
#      mirror apt already uses, loaded with `docker import`. No registry is needed. The root file
#      system tarball is cached in $AUTOGPT_CACHE_DIR, so a re-run only re-imports it.
#
#   .ci/setup-docker.sh            all three steps
#   .ci/setup-docker.sh --image    step 3 only (the engine must be running)
#
# The tests use the image through PYTHON_DOCKER_IMAGE (default there: autogpt-python:local).
set -euo pipefail

IMAGE="${AUTOGPT_PYTHON_IMAGE:-autogpt-python:local}"
CACHE_DIR="${AUTOGPT_CACHE_DIR:-/var/cache/autogpt}"
DOCKERD_LOG="${AUTOGPT_DOCKERD_LOG:-/var/log/autogpt-dockerd.log}"
ONLY_IMAGE=0
[[ "${1:-}" == "--image" ]] && ONLY_IMAGE=1

say() { echo "setup-docker: $*" >&2; }

engine_up() { timeout 5 docker info >/dev/null 2>&1; }

install_packages() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    command -v docker >/dev/null 2>&1 || missing+=(docker.io)
    if ((${#missing[@]})); then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
    fi
}

start_engine() {
    engine_up && return 0
    say "starting dockerd (log: $DOCKERD_LOG)"
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    setsid nohup dockerd --bridge=none --iptables=false >>"$DOCKERD_LOG" 2>&1 </dev/null &
    for _ in $(seq 1 60); do
        engine_up && { say "engine is up"; return 0; }
        sleep 0.5
    done
    say "dockerd did not answer within 30 s; last lines of $DOCKERD_LOG:"
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    return 1
}

# The suite and the mirror apt already uses (deb822 .sources files or one-line sources.list).
apt_suite() {
    . /etc/os-release
    echo "${VERSION_CODENAME:-bookworm}"
}

apt_mirror() {
    local suite="$1" file uri
    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$file" ]] || continue
        uri=$(awk -v suite="$suite" '
            BEGIN { RS=""; FS="\n" }
            {
                uris=""; ok=0; enabled=1
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); uris=$i }
                    if ($i ~ /^Suites:/) { n=split(substr($i, 8), s, /[ \t]+/); for (j = 1; j <= n; j++) if (s[j] == suite) ok=1 }
                    if ($i ~ /^Enabled:[ \t]*no/) enabled=0
                }
                if (ok && enabled && uris != "") { split(uris, u, /[ \t]+/); print u[1]; exit }
            }' "$file")
        [[ -n "$uri" ]] && { echo "$uri"; return; }
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$file" ]] || continue
        uri=$(awk -v suite="$suite" '
            $1 == "deb" {
                i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($(i + 1) == suite) { print $i; exit }
            }' "$file")
        [[ -n "$uri" ]] && { echo "$uri"; return; }
    done
    echo "http://deb.debian.org/debian"
}

build_image() {
    if docker image inspect "$IMAGE" >/dev/null 2>&1; then
        say "image $IMAGE present"
        return 0
    fi
    local suite arch tarball
    suite=$(apt_suite)
    arch=$(dpkg --print-architecture)
    tarball="$CACHE_DIR/python-rootfs-$suite-$arch.tar.gz"
    mkdir -p "$CACHE_DIR"
    if [[ ! -s "$tarball" ]]; then
        local mirror root
        mirror=$(apt_mirror "$suite")
        root=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
        trap 'rm -rf "$root"' EXIT
        say "debootstrap $suite from $mirror (about a minute, once)"
        debootstrap --variant=minbase --include=python3 "$suite" "$root" "$mirror" \
            >"$CACHE_DIR/debootstrap.log" 2>&1 || {
            say "debootstrap failed; see $CACHE_DIR/debootstrap.log"
            tail -n 20 "$CACHE_DIR/debootstrap.log" >&2
            return 1
        }
        # Trim what a sandbox never needs: package caches, docs, man pages, locales.
        rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
            "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/info \
            "$root"/usr/share/locale
        tar -C "$root" -c . | gzip -1 >"$tarball.tmp"
        mv "$tarball.tmp" "$tarball"
        rm -rf "$root"
        trap - EXIT
    fi
    say "importing $tarball as $IMAGE"
    docker import \
        --change 'CMD ["python3"]' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'WORKDIR /workspace' \
        "$tarball" "$IMAGE" >/dev/null
    docker run --rm --network none "$IMAGE" python3 -c 'import json, unittest, sqlite3' || {
        say "the image $IMAGE does not run python3 properly"
        return 1
    }
    say "image $IMAGE ready"
}

if ((ONLY_IMAGE)); then
    build_image
    exit
fi
if [[ $(id -u) -ne 0 ]]; then
    say "run me as root (installs packages and starts dockerd)"
    exit 1
fi
install_packages
start_engine
build_image
