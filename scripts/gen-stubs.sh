#!/usr/bin/env bash
# Regenerates src/*_arginfo.h from src/*.stub.php with php-dev's gen_stub.php,
# using Debian's php-parser instead of the copy gen_stub.php would download.
#   scripts/gen-stubs.sh           regenerate
#   scripts/gen-stubs.sh --check   fail if a committed arginfo is stale
set -euo pipefail
cd "$(dirname "$0")/.."

gen_stub=$(php-config --extension-dir 2>/dev/null | sed 's|$|/build/gen_stub.php|')
[ -f "$gen_stub" ] || gen_stub=$(ls /usr/lib/php/*/build/gen_stub.php 2>/dev/null | head -n1)
[ -f "$gen_stub" ] || { echo "gen_stub.php not found: apt-get install php-dev" >&2; exit 1; }
[ -d /usr/share/php/PhpParser ] || { echo "PHP-Parser not found: apt-get install php-parser" >&2; exit 1; }

# gen_stub.php looks for PHP-Parser-<version>/lib/PhpParser beside itself.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$gen_stub" "$work/gen_stub.php"
version=$(sed -n 's/^ *\$version = "\([0-9.]*\)";/\1/p' "$work/gen_stub.php" | head -n1)
mkdir -p "$work/PHP-Parser-$version/lib"
ln -s /usr/share/php/PhpParser "$work/PHP-Parser-$version/lib/PhpParser"

mode=${1:-}
stale=0
for stub in src/*.stub.php; do
	arginfo=${stub%.stub.php}_arginfo.h
	if [ "$mode" = "--check" ]; then
		cp "$stub" "$work/check.stub.php"
		php "$work/gen_stub.php" -f "$work/check.stub.php" >/dev/null
		if ! cmp -s <(sed 1,3d "$work/check_arginfo.h") <(sed 1,3d "$arginfo" 2>/dev/null); then
			echo "stale: $arginfo (run scripts/gen-stubs.sh)" >&2
			stale=1
		fi
		rm -f "$work/check_arginfo.h"
	else
		php "$work/gen_stub.php" -f "$stub"
	fi
done
exit $stale
