#!/usr/bin/env bash
# The CI matrix beyond the host (bookworm: PHP 8.2, libcurl 7.88, OpenSSL 3.0): in each
# Debian chroot (scripts/chroot.sh), the build with --enable-smtp-dev (-Werror), the C
# unit tests and the whole phpt suite.
#
#   scripts/matrix.sh [NAME...]     default: trixie sid experimental
#
# Prints one line per chroot and part, "suite NAME PASSED FAILED SKIPPED" (what
# scripts/test.sh adds to its totals), the failures above it, and ends with
# "N passed, N failed, N skipped". Logs: ARTIFACTS/matrix-NAME/.
#   trixie        PHP 8.4, gcc 14, libcurl 8.14, OpenSSL 3.5
#   sid           PHP 8.5 (experimental's: sid itself has 8.4), libcurl 8.23, OpenSSL 3.6
#   experimental  PHP 8.6 (release candidate) on sid's libraries
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export ARTIFACTS=${ARTIFACTS:-$root/artifacts}
[ $# -eq 0 ] && set -- trixie sid experimental

total_pass=0 total_fail=0 total_skip=0
report() {
	total_pass=$((total_pass + $2)) total_fail=$((total_fail + $3)) total_skip=$((total_skip + $4))
	echo "suite $1 $2 $3 $4"
}

for name in "$@"; do
	logs=$ARTIFACTS/matrix-$name
	mkdir -p "$logs"
	started=$(date +%s)
	if ! scripts/chroot.sh ensure "$name" >"$logs/chroot.log" 2>&1; then
		echo "  FAIL chroot $name could not be made: see $logs/chroot.log"
		tail -n 10 "$logs/chroot.log" | sed 's/^/    /'
		report "$name" 0 1 0
		continue
	fi
	echo "  ($name: chroot ready in $(($(date +%s) - started))s)"
	# Inside, everything stays under the checkout's .build (bind-mounted), then the logs
	# are copied to ARTIFACTS, which may be elsewhere.
	work=.build/matrix/$name
	rm -rf "$work/logs"
	mkdir -p "$work/logs"
	started=$(date +%s)
	scripts/chroot.sh run "$name" -- bash scripts/matrix-inside.sh "$work" >"$logs/run.log" 2>&1
	cp -r "$work/logs/." "$logs/" 2>/dev/null
	echo "  ($name: build and tests in $(($(date +%s) - started))s)"
	for part in build unit phpt; do
		line=$(grep -E "^result $part " "$logs/run.log" | tail -n1)
		if [ -z "$line" ]; then
			echo "  FAIL $name $part did not report: see $logs/run.log"
			tail -n 10 "$logs/run.log" | sed 's/^/    /'
			report "$name-$part" 0 1 0
			continue
		fi
		read -r _ _ p f s <<<"$line"
		grep -E "^  (FAIL|[A-Z]+ tests/)" "$logs/$part.log" 2>/dev/null | sed "s/^  /  $name: /" | head -n 30
		report "$name-$part" "$p" "$f" "$s"
	done
done

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
