#!/usr/bin/env bash
# Real proxies for the proxy tests (issue F), from Debian's packages: tinyproxy (HTTP), squid
# (HTTP with basic auth, for the 407 case), microsocks (SOCKS5 with a password); openssl hashes
# squid's test password; iproute2 makes the network namespace that plays "a proxy on another
# host". Binaries only: no proxy service is started or left running (tinyproxy-bin has none;
# squid's is kept from starting during the install) - the tests start their own instances, with
# their own config files on free ports, and stop them.
# Idempotent: installs only what is missing. Run as root (by .ci/run).
set -euo pipefail

missing=()
command -v tinyproxy >/dev/null 2>&1 || missing+=(tinyproxy-bin)
command -v microsocks >/dev/null 2>&1 || missing+=(microsocks)
{ command -v squid >/dev/null 2>&1 || [ -x /usr/sbin/squid ]; } \
    && [ -x /usr/lib/squid/basic_ncsa_auth ] || missing+=(squid)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
{ command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ]; } \
    && { command -v ss >/dev/null 2>&1 || [ -x /usr/bin/ss ]; } || missing+=(iproute2)

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-proxies: tinyproxy, squid, microsocks, openssl and iproute2 present"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "setup-proxies: need root to install ${missing[*]}" >&2
    exit 1
fi

echo "setup-proxies: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep package scripts from starting squid's system service (exit 101: "not allowed").
policy=/usr/sbin/policy-rc.d
added_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    added_policy=1
fi
trap '[ -z "$added_policy" ] || rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-proxies: $(command -v tinyproxy microsocks openssl | tr '\n' ' ')/usr/sbin/squid"
