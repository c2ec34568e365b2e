#!/usr/bin/env bash
# Installs the OAuth 2.0 test server the OAuth phpt tests run against:
# node (Debian's nodejs) and oidc-provider, pinned in tests/oauth-server/package-lock.json,
# with npm ci (only when node_modules is missing or older than the lock file).
#   scripts/oauth-deps.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" oauth
dir=$root/tests/oauth-server
if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
