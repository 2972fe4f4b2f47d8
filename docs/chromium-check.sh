#!/usr/bin/env bash
# Renders a page (a report file or a dashboard address) in headless Chromium (Debian's `chromium`) to a PNG, and
# checks that it logged no console errors and asked for nothing but the page itself (file:// or loopback).
# Chromium's own background services are switched off and every host name but loopback resolves to nothing, so
# no request can leave the machine.   Usage: docs/chromium-check.sh URL OUT.png [WIDTHxHEIGHT]
set -euo pipefail
url=$1 out=$2 size=${3:-1280,1600}
log=$(mktemp) net=$(mktemp)
start=$(date +%s.%N)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --no-proxy-server \
  --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
  --disable-domain-reliability --disable-client-side-phishing-detection \
  --disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter,SpellCheck \
  --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
  --enable-logging=stderr --v=0 --log-net-log="$net" \
  --window-size="$size" --screenshot="$out" "$url" 2>"$log" >/dev/null
end=$(date +%s.%N)
printf 'rendered %s in %.2f s (browser start included)\n' "$url" "$(echo "$end - $start" | bc)"
if grep -E 'CONSOLE|Uncaught' "$log"; then echo "console errors above"; status=1; else echo "no console errors"; status=0; fi
python3 - "$net" "$url" <<'PY' || status=1
import json, re, sys
text = open(sys.argv[1]).read()
urls = sorted(set(re.findall(r'"(?:url|original_url)":"([^"]+)"', text)))
page = sys.argv[2]
# Chromium itself (not the page) asks for these at start; the resolver rule above makes them fail unsent.
browser = re.compile(r"^https?://(clients2\.google\.com/time/|update\.googleapis\.com/service/|accounts\.google\.com/ListAccounts|redirector\.gvt1\.com/edgedl/|content-autofill\.googleapis\.com/)")
local = [u for u in urls if u.startswith(("file://", "http://127.0.0.1", "data:"))]
own = [u for u in urls if browser.match(u)]
outside = [u for u in urls if u not in local and u not in own]
print("page requests:", local, "| browser's own background requests (blocked, never resolved):", len(own))
if outside:
    print("the page asked for outside addresses:", outside)
    sys.exit(1)
PY
rm -f "$log" "$net"
exit $status
