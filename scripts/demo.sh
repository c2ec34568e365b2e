#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what is needed, build
# the extension, start a capture SMTP server (Debian's aiosmtpd, STARTTLS and
# AUTH required) on a free loopback port, send one real message through the
# extension, and show what arrived.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/deps.sh core
so=$(scripts/build.sh)
echo "Built $so"

work=$(mktemp -d /tmp/php-smtp-demo.XXXXXX)
certs="$work/certs"
scripts/certs.sh "$certs"
mkdir -p "$work/spool"
password="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# The server exits when its stdin closes, so it never outlives this script.
coproc SERVER { exec /usr/bin/python3 tests/server/aiosmtpd_capture.py --watch-stdin \
	--ready-file "$work/port" --spool "$work/spool" --tls starttls \
	--cert "$certs/server.pem" --key "$certs/server.key" --auth "demo@shop.example:$password" 2>"$work/server.log"; }
trap 'exec {SERVER[1]}>&- 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { echo "capture server did not start:"; cat "$work/server.log"; exit 1; }
port=$(cat "$work/port")
echo "Capture server (aiosmtpd) on 127.0.0.1:$port, STARTTLS + AUTH required"
echo

DEMO_PORT=$port DEMO_CAFILE="$certs/ca.pem" DEMO_PASSWORD=$password \
	php -n -d extension="$so" examples/demo.php

for _ in $(seq 1 100); do [ -s "$work/spool/0001.json" ] && break; sleep 0.05; done
echo
echo "What arrived at the capture server:"
/usr/bin/python3 - "$work/spool" <<'PY'
import json, sys, os
spool = sys.argv[1]
meta = json.load(open(os.path.join(spool, "0001.json")))
raw = open(os.path.join(spool, "0001.eml"), "rb").read()
print("  envelope: MAIL FROM:<%s> RCPT TO:%s" % (meta["mail_from"], ", ".join("<%s>" % r for r in meta["rcpt_tos"])))
print("  over TLS: %s, logged in as: %s" % (meta["tls"], meta["auth_user"]))
PY
/usr/bin/python3 tests/inc/parse_check.py "$work/spool/0001.eml" | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)
print("  defects found by Python'"'"'s strict email parser: %d" % len(m["defects"]))
for name, value in m["headers"]:
    print("  %s: %s" % (name, value))
def walk(part, depth):
    line = "  " + "  " * depth + part["content_type"]
    if part.get("filename"): line += " (%s, %d bytes)" % (part["filename"], part["size"])
    print(line)
    for child in part.get("parts") or []: walk(child, depth + 1)
print("  structure:")
walk(m["structure"], 1)
'
echo
echo "Raw message (first 25 lines):"
head -n 25 "$work/spool/0001.eml" | sed 's/^/  | /'
