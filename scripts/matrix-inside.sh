#!/usr/bin/env bash
# Runs inside a matrix chroot (scripts/matrix.sh), from the checkout: the build with
# --enable-smtp-dev (-Werror), the C unit tests, the phpt suite. Prints one line per part,
# "result PART PASSED FAILED SKIPPED"; the output of each part goes to WORK/logs/PART.log.
#   scripts/matrix-inside.sh WORK
set -uo pipefail
work=${1:?usage: matrix-inside.sh WORK}
mkdir -p "$work/logs"
work=$(cd "$work" && pwd)
logs=$work/logs

# What this chroot proves, for the README's matrix and the report.
{
	php -r 'echo "PHP ", PHP_VERSION, PHP_ZTS ? " ZTS" : " NTS", PHP_DEBUG ? " debug" : "", "\n";'
	echo "gcc $(gcc -dumpfullversion)"
	echo "libcurl $(pkg-config --modversion libcurl)"
	echo "OpenSSL $(pkg-config --modversion openssl)"
} >"$logs/versions.txt" 2>&1
sed 's/^/  /' "$logs/versions.txt"

if so=$(BUILD_DIR=$work/build scripts/build.sh 2>"$logs/build.log"); then
	echo "result build 1 0 0"
else
	echo "  FAIL build: see build.log" >>"$logs/build.log"
	tail -n 30 "$logs/build.log"
	echo "result build 0 1 0"
	exit 1
fi

make -C tests/lib check OUT="$work/lib" >"$logs/unit.log" 2>&1
status=$?
ok=$(grep -cE '^ok [0-9]+' "$logs/unit.log")
notok=$(grep -cE '^not ok [0-9]+' "$logs/unit.log")
grep -E '^not ok [0-9]+' "$logs/unit.log" | sed 's/^/  FAIL /' >>"$logs/unit.log"
if [ "$status" -ne 0 ] && [ "$notok" -eq 0 ]; then
	echo "  FAIL make -C tests/lib check exited $status" >>"$logs/unit.log"
	notok=1
fi
echo "result unit $ok $notok 0"

# tests/bridge is left out: it tests the bridges' PHP code against Debian 12's Symfony
# Mailer 5.4 / PHPMailer 6.6 and sid's 7.x, which the host's suite runs; a chroot's own
# library versions are neither. The OAuth server's node_modules and the sid libraries
# are in the mounted checkout already (the host's test.sh fetched them).
ARTIFACTS=$logs SMTP_TEST_CERTS=$work/certs PHPT_LOG=$logs/phpt-run.log PHPT_SKIP_DIRS=bridge PHPT_DEPS=0 \
	scripts/test.sh --phpt "$so" >"$logs/phpt.log" 2>&1
last=$(tail -n1 "$logs/phpt.log")
if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
	echo "result phpt ${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
else
	tail -n 20 "$logs/phpt.log"
	echo "result phpt 0 1 0"
fi
