#!/usr/bin/env bash
# git for clone_repository's tests (issue K): a real bare repository, served over HTTP and cloned
# with the system's git (2.37 or newer: http.curloptResolve pins the checked address).
# Idempotent: installs only when git is missing. Run as root (by .ci/run).
set -euo pipefail

if command -v git >/dev/null 2>&1; then
    echo "setup-git: $(git --version) present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "setup-git: need root to install git" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null
echo "setup-git: $(git --version)"
