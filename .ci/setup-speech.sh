#!/usr/bin/env bash
# espeak-ng, the offline engine of --speak (issue K): its tests run the real one. Idempotent.
set -euo pipefail
if command -v espeak-ng >/dev/null && espeak-ng --voices=cmn | grep -q cmn; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3 4 5; do  # another installer may hold apt's lock for a while
    if apt-get install -y -qq espeak-ng; then
        exit 0
    fi
    if [ "$attempt" = 1 ]; then apt-get update -qq || true; fi
    sleep 10
done
exit 1
