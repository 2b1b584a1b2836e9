#!/usr/bin/env bash
# Chromium and its driver for the browser tests (issue C), from Debian's packages.
# Idempotent: installs only what is missing. Run as root (by .ci/run).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromedriver ] \
    || missing+=(chromium-driver)

if [ ${#missing[@]} -eq 0 ]; then
    echo "chromium and chromedriver present: $(chromedriver --version 2>/dev/null | head -1)"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "setup-browser: need root to install ${missing[*]}" >&2
    exit 1
fi

echo "setup-browser: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
chromedriver --version
