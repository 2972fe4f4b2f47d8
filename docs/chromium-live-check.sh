#!/usr/bin/env bash
# Opens a dashboard page in headless Chromium (Debian's `chromium`) and watches it for SECONDS through the DevTools
# protocol (docs/live-check.mjs, Node 20+): the page must refresh by itself while a search runs, log no console
# error and ask for nothing but its own loopback address. Chromium's own background services are switched off and
# every host name but loopback resolves to nothing, as in docs/chromium-check.sh.
#   Usage: docs/chromium-live-check.sh URL [SECONDS]
set -euo pipefail
url=$1 seconds=${2:-15}
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --no-first-run --no-proxy-server \
  --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
  --disable-domain-reliability --disable-client-side-phishing-detection \
  --disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter,SpellCheck \
  --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
  --user-data-dir="$profile" --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 about:blank \
  >/dev/null 2>&1 &
browser=$!
trap 'kill $browser 2>/dev/null || true; wait $browser 2>/dev/null || true; rm -rf "$profile"' EXIT
for _ in $(seq 100); do [ -s "$profile/DevToolsActivePort" ] && break; sleep 0.1; done
port=$(head -1 "$profile/DevToolsActivePort")
node --experimental-websocket --no-warnings "$(dirname "$0")/live-check.mjs" "$port" "$url" "$seconds"
