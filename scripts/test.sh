#!/usr/bin/env bash
# THE test command: installs what is missing, builds, makes the test certificates,
# runs every suite and ends with one line "N passed, N failed[, N skipped]".
# Exits non-zero if anything failed.
#
#   scripts/test.sh                 everything (what CI runs)
#   scripts/test.sh --no-asan       skip the ASan suite (quicker while developing)
#   scripts/test.sh --quick         skip the ASan suite, packaging, ZTS and the matrix
#   PACKAGING=0|1 DEB=0|1 ZTS=0|1 MATRIX=0|1 scripts/test.sh
#                                   each part on or off (defaults: below, with_*)
#   scripts/test.sh --all           all of them on, whatever the defaults
#   scripts/test.sh --phpt SO [--] [run-tests.php options]
#                                   only the phpt suite against SO (used by
#                                   test-asan.sh and test-valgrind.sh); SO "installed":
#                                   the extension PHP loads itself (a package's)
#
# Environment:
#   ARTIFACTS=DIR        where the logs go (default: artifacts/ in the checkout)
#   TEST_BUILD_ROOT=DIR  where the builds go (default: .build/ in the checkout);
#                        release in DIR/release, ASan in DIR/asan
#   SMTP_TEST_CERTS=DIR  test certificates (default: ARTIFACTS/certs, made here)
#   PHPT_PHP=PATH        the php binary the phpt tests run with (default: php)
#   PHPT_TARGETS="A B"   with --phpt: only these test files or folders (default: the suite)
#   PHPT_SKIP_DIRS="a b" tests/ folders the phpt suite leaves out (the matrix chroots: bridge)
#   PHPT_DEPS=0          --phpt: the caller has fetched php-libs.sh's libraries and the OAuth
#                        server's node_modules already (a chroot with the checkout mounted)
#
# Suites: stubs fresh (1), C unit tests (tests/lib, TAP lines), harness self-checks
# (tests/harness), phpt (every tests/*/ folder but lib, server, inc, harness, wp; the
# bridge tests load the libraries scripts/php-libs.sh fetches),
# ASan (the phpt suite again, ASan+UBSan build), lint (scripts/lint.sh), fuzz (every
# libFuzzer target for FUZZ_SECONDS, default 10), WordPress (scripts/wp-test.sh),
# packaging (scripts/package-test.sh), zts (the phpt suite under a thread-safe debug PHP,
# scripts/php-zts.sh), matrix (scripts/matrix.sh: build, C unit tests and phpt in the
# trixie, sid and experimental chroots, one line each). --quick skips the last three.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# run_tests_php: PHP's own phpt runner (from php-dev). Looked up when first needed, not at
# start: on a new machine php-dev is only there once deps.sh has run.
run_tests_php() {
	local found
	for found in "$(php-config --extension-dir 2>/dev/null)/../build/run-tests.php" /usr/lib/php/*/build/run-tests.php; do
		[ -f "$found" ] && { echo "$found"; return 0; }
	done
	echo "run-tests.php not found (is php-dev installed?)" >&2
	return 1
}
export ARTIFACTS=${ARTIFACTS:-$root/artifacts}
export TEST_BUILD_ROOT=${TEST_BUILD_ROOT:-$root/.build}
export SMTP_TEST_CERTS=${SMTP_TEST_CERTS:-$ARTIFACTS/certs}
mkdir -p "$ARTIFACTS"

# phpt_dirs: the folders whose *.phpt make up the phpt suite.
phpt_dirs() {
	local dir name
	for dir in tests/*/; do
		name=$(basename "$dir")
		case "$name" in lib | server | inc | harness | wp) continue ;; esac
		[[ " ${PHPT_SKIP_DIRS:-} " == *" $name "* ]] && continue
		compgen -G "$dir*.phpt" >/dev/null && echo "${dir%/}"
	done
}

# run_phpt LOG SO TARGETS... [-- run-tests options]: runs run-tests.php, prints the
# failed test names, and writes "passed failed skipped" to LOG.counts.
run_phpt() {
	local log=$1 so=$2
	shift 2
	local targets=() extra=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do targets+=("$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	extra=("$@")
	local junit=$log.junit.xml
	rm -f "$junit" "$log.counts"
	if [ ${#targets[@]} -eq 0 ]; then
		echo "0 0 0" >"$log.counts"
		echo "(no phpt tests)" >"$log"
		return 0
	fi
	local php=${PHPT_PHP:-$(command -v php)} runner
	runner=$(run_tests_php) || { echo "0 1 0" >"$log.counts"; return 1; }
	local load=(-d "extension=$so")
	[ "$so" = installed ] && load=()
	# -P would use the runner's own binary; -p lets ASan/valgrind wrappers in.
	TEST_PHP_JUNIT=$junit NO_COLOR=1 TEST_PHP_EXECUTABLE=$php \
		php "$runner" -p "$php" -q -j2 --show-diff "${load[@]}" "${extra[@]}" "${targets[@]}" >"$log" 2>&1
	if [ ! -s "$junit" ]; then
		echo "  FAIL run-tests.php produced no results: see $log"
		echo "0 1 0" >"$log.counts"
		return 1
	fi
	# Count every test case: failure, error (BORK, LEAK) and warning are failures.
	count_junit "$junit" "$log.counts" "$log.inconclusive"
	# LeakSanitizer's own tracer sometimes crashes at exit when the machine is
	# busy ("Tracer caught signal 11 ... LeakSanitizer has encountered a fatal
	# error"): then the leak check did not run at all, which says nothing about
	# the test. Those tests run once more, one at a time; the second result counts.
	if [ -s "$log.inconclusive" ]; then
		mapfile -t again <"$log.inconclusive"
		echo "  (LeakSanitizer's tracer crashed in ${#again[@]} test(s): running them again, one at a time)"
		local rerun=$log.rerun
		TEST_PHP_JUNIT=$rerun.junit.xml NO_COLOR=1 TEST_PHP_EXECUTABLE=$php \
			php "$runner" -p "$php" -q -j1 --show-diff "${load[@]}" "${extra[@]}" "${again[@]}" >>"$log" 2>&1
		count_junit "$rerun.junit.xml" "$rerun.counts" /dev/null
		local p f s rp rf rs
		read -r p f s <"$log.counts"
		read -r rp rf rs <"$rerun.counts"
		echo "$((p + rp)) $((f - ${#again[@]} + rf)) $((s + rs))" >"$log.counts"
	fi
}

# count_junit JUNIT COUNTS INCONCLUSIVE: prints failed test names, writes "passed failed
# skipped" to COUNTS and the files of tests whose only trouble was a crashed
# LeakSanitizer tracer to INCONCLUSIVE.
count_junit() {
	/usr/bin/python3 - "$@" <<'JUNIT'
import sys
import xml.etree.ElementTree as ET
passed = failed = skipped = 0
inconclusive = []
for case in ET.parse(sys.argv[1]).iter("testcase"):
    kinds = {child.tag: child for child in case}
    if "skipped" in kinds:
        skipped += 1
    elif kinds.keys() & {"failure", "error", "warning"}:
        failed += 1
        bad = next(kinds[tag] for tag in ("failure", "error", "warning") if tag in kinds)
        kind = "WARN" if bad.tag == "warning" else (bad.get("type") or bad.tag.upper()).removesuffix("ED")
        text = bad.text or ""
        if "LeakSanitizer has encountered a fatal error" in text:
            inconclusive.append(case.get("name").split(" ", 1)[0])
            kind = "RERUN (LSan tracer crashed; run again alone below)"
        print("  %s %s" % (kind, case.get("name")))
    else:
        passed += 1
open(sys.argv[2], "w").write("%d %d %d\n" % (passed, failed, skipped))
with open(sys.argv[3], "w") as out:
    out.write("".join(name + "\n" for name in inconclusive))
JUNIT
}

# php_libs: fetches (once; cached) the newer Symfony Mailer and PHPMailer the bridge tests
# load beside Debian 12's, before the tests run: a first fetch takes longer than a test may.
php_libs() {
	if ! scripts/php-libs.sh >"$ARTIFACTS/php-libs.log" 2>&1; then
		echo "  scripts/php-libs.sh failed (the bridge tests will fail): see $ARTIFACTS/php-libs.log" >&2
		tail -n 5 "$ARTIFACTS/php-libs.log" >&2
	fi
}

if [ "${1:-}" = "--phpt" ]; then
	so=${2:?usage: test.sh --phpt SO [-- run-tests options]}
	shift 2
	[ "${1:-}" = "--" ] && shift
	scripts/certs.sh "$SMTP_TEST_CERTS"
	if [ "${PHPT_DEPS:-1}" != 0 ]; then
		php_libs
		# the OAuth tests' authorization server (oidc-provider, npm ci)
		scripts/oauth-deps.sh >"$ARTIFACTS/oauth-deps.log" 2>&1 ||
			echo "scripts/oauth-deps.sh failed (the OAuth tests will fail): see $ARTIFACTS/oauth-deps.log" >&2
	fi
	# PHPT_TARGETS="tests/mailer/persistent_sessions.phpt tests/oauth": only those
	# (files or folders), e.g. for a slow valgrind run over a few areas.
	if [ -n "${PHPT_TARGETS:-}" ]; then
		read -ra dirs <<<"$PHPT_TARGETS"
	else
		mapfile -t dirs < <(phpt_dirs)
	fi
	log=${PHPT_LOG:-$ARTIFACTS/phpt.log}
	run_phpt "$log" "$so" "${dirs[@]}" -- "$@"
	read -r p f s <"$log.counts"
	echo "phpt log: $log"
	echo "$p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ]
	exit
fi

# The parts beyond the host (issue 16). Defaults: what is proven green on main's tree;
# a part that is not yet stays off here and runs with its switch.
#   PACKAGING  versions, tarball, PIE, plugin zip; with DEB=1 also the .deb built and tested
#              in a clean bookworm chroot (off: not yet green, see README)
#   ZTS        the phpt suite under a ZTS debug PHP 8.2 built from Debian's source
#   MATRIX     build, C unit tests and phpt in the trixie, sid and experimental chroots
with_asan=1 with_packaging=${PACKAGING:-1} with_deb=${DEB:-0} with_zts=${ZTS:-0} with_matrix=${MATRIX:-0}
for arg in "$@"; do
	case "$arg" in
	--no-asan) with_asan=0 ;;
	--quick) with_asan=0 with_packaging=0 with_deb=0 with_zts=0 with_matrix=0 ;;
	--all) with_packaging=1 with_deb=1 with_zts=1 with_matrix=1 ;;
	*) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
	esac
done

total_pass=0 total_fail=0 total_skip=0
started=$(date +%s)
# suite NAME PASSED FAILED [SKIPPED]: adds to the totals and reports one line.
suite() {
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
	total_skip=$((total_skip + ${4:-0}))
	printf '== %-9s %4d passed, %d failed, %d skipped   (%ds so far)\n' "$1" "$2" "$3" "${4:-0}" $(($(date +%s) - started))
}
finish() {
	echo "logs: $ARTIFACTS"
	if [ "$total_skip" -gt 0 ]; then
		echo "$total_pass passed, $total_fail failed, $total_skip skipped"
	else
		echo "$total_pass passed, $total_fail failed"
	fi
	[ "$total_fail" -eq 0 ]
	exit
}

# --- dependencies, build, certificates ----------------------------------------------
groups=(core fuzz lint)
[ -x scripts/wp-test.sh ] && groups+=(wp)
[ "$with_packaging$with_zts$with_matrix" != 000 ] && groups+=(matrix)
if ! scripts/deps.sh "${groups[@]}" >"$ARTIFACTS/deps.log" 2>&1; then
	echo "scripts/deps.sh ${groups[*]} failed: see $ARTIFACTS/deps.log" >&2
	tail -n 20 "$ARTIFACTS/deps.log" >&2
	suite deps 0 1
	finish
fi
if ! so=$(BUILD_DIR=$TEST_BUILD_ROOT/release scripts/build.sh 2>"$ARTIFACTS/build.log"); then
	echo "build failed: see $ARTIFACTS/build.log" >&2
	tail -n 30 "$ARTIFACTS/build.log" >&2
	suite build 0 1
	finish
fi
echo "extension: $so"
# The chroots are made (or found in the cache) in the background while the host's suites
# run: mostly downloading and unpacking, little CPU. The matrix and the .deb check wait for
# them (chroot.sh locks each one while it is being made).
chroots=()
[ "$with_matrix" = 1 ] && chroots+=(trixie sid experimental)
[ "$with_packaging$with_deb" = 11 ] && chroots+=(bookworm)
if [ ${#chroots[@]} -gt 0 ]; then
	(for name in "${chroots[@]}"; do scripts/chroot.sh ensure "$name"; done) \
		>"$ARTIFACTS/chroots.log" 2>&1 &
fi
# The ZTS PHP compiles (once per machine: cached) at low priority while the host's suites
# run, which leave the CPU idle while they wait on servers and timeouts.
if [ "$with_zts" = 1 ]; then
	nice -n 10 scripts/php-zts.sh >/dev/null 2>"$ARTIFACTS/zts-build.log" &
	zts_build=$!
fi
if ! scripts/certs.sh "$SMTP_TEST_CERTS" >"$ARTIFACTS/certs.log" 2>&1; then
	echo "scripts/certs.sh failed: see $ARTIFACTS/certs.log" >&2
	suite certs 0 1
	finish
fi
if ! scripts/oauth-deps.sh >"$ARTIFACTS/oauth-deps.log" 2>&1; then
	echo "scripts/oauth-deps.sh failed: see $ARTIFACTS/oauth-deps.log" >&2
	tail -n 20 "$ARTIFACTS/oauth-deps.log" >&2
	suite deps 0 1
	finish
fi

# --- stubs fresh ------------------------------------------------------------------------------
if scripts/gen-stubs.sh --check >"$ARTIFACTS/stubs.log" 2>&1; then
	suite stubs 1 0
else
	echo "  FAIL arginfo is stale: $(cat "$ARTIFACTS/stubs.log")"
	suite stubs 0 1
fi

# --- C unit tests -----------------------------------------------------------------------------
if [ -f tests/lib/Makefile ]; then
	make -C tests/lib check >"$ARTIFACTS/unit.log" 2>&1
	status=$?
	ok=$(grep -cE '^ok [0-9]+' "$ARTIFACTS/unit.log")
	notok=$(grep -cE '^not ok [0-9]+' "$ARTIFACTS/unit.log")
	grep -E '^not ok [0-9]+' "$ARTIFACTS/unit.log" | sed 's/^/  FAIL /'
	if [ "$status" -ne 0 ] && [ "$notok" -eq 0 ]; then
		# It failed without a failing test line (a build error, a crash): count it.
		echo "  FAIL make -C tests/lib check exited $status: see $ARTIFACTS/unit.log"
		notok=1
	fi
	suite unit "$ok" "$notok"
fi

# --- harness self-checks ----------------------------------------------------------------------
/usr/bin/python3 tests/harness/check_server.py --certs "$SMTP_TEST_CERTS" >"$ARTIFACTS/harness.log" 2>&1
ok=$(grep -cE '^ok [0-9]+' "$ARTIFACTS/harness.log")
notok=$(grep -cE '^not ok [0-9]+' "$ARTIFACTS/harness.log")
grep -E '^not ok [0-9]+' "$ARTIFACTS/harness.log" | sed 's/^/  FAIL /'
last=$(tail -n1 "$ARTIFACTS/harness.log")
if ! [[ "$last" =~ ^[0-9]+\ passed ]]; then
	echo "  FAIL check_server.py did not finish: see $ARTIFACTS/harness.log"
	notok=$((notok + 1))
fi
mapfile -t harness_phpt < <(compgen -G 'tests/harness/*.phpt')
run_phpt "$ARTIFACTS/harness-phpt.log" "$so" "${harness_phpt[@]}"
read -r p f s <"$ARTIFACTS/harness-phpt.log.counts"
suite harness $((ok + p)) $((notok + f)) "$s"

# --- phpt -------------------------------------------------------------------------------------
php_libs
mapfile -t dirs < <(phpt_dirs)
run_phpt "$ARTIFACTS/phpt.log" "$so" "${dirs[@]}"
read -r p f s <"$ARTIFACTS/phpt.log.counts"
suite phpt "$p" "$f" "$s"

# --- ASan -------------------------------------------------------------------------------------
if [ "$with_asan" -eq 1 ]; then
	scripts/test-asan.sh >"$ARTIFACTS/asan-run.log" 2>&1
	last=$(tail -n1 "$ARTIFACTS/asan-run.log")
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		grep -E '^  [A-Z]+ ' "$ARTIFACTS/asan-run.log"
		suite asan "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[4]:-0}"
	else
		echo "  FAIL scripts/test-asan.sh did not finish: see $ARTIFACTS/asan-run.log"
		tail -n 20 "$ARTIFACTS/asan-run.log" | sed 's/^/    /'
		suite asan 0 1
	fi
fi

# --- static checks and a short fuzzing pass ---------------------------------------------------
# lint: clang-tidy, cppcheck, banned calls (one test each). wp-lint: php -l, phpcs and
# msgfmt --check over the WordPress plugin. fuzz: every libFuzzer
# target for FUZZ_SECONDS (10 by default here; scripts/fuzz.sh alone defaults to 60).
for check in lint wp-lint fuzz; do
	if [ "$check" = lint ]; then
		scripts/lint.sh >"$ARTIFACTS/lint.log" 2>&1 || true
	elif [ "$check" = wp-lint ]; then
		scripts/wp-lint.sh >"$ARTIFACTS/wp-lint.log" 2>&1 || true
	else
		FUZZ_OUT=$TEST_BUILD_ROOT/fuzz scripts/fuzz.sh "${FUZZ_SECONDS:-10}" >"$ARTIFACTS/fuzz.log" 2>&1 || true
	fi
	last=$(tail -n1 "$ARTIFACTS/$check.log")
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		grep -E '^(FAIL|  FAIL)' "$ARTIFACTS/$check.log" | head -20 || true
		suite "$check" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	else
		echo "  FAIL scripts/$check.sh did not end with its summary: see $ARTIFACTS/$check.log"
		tail -n 5 "$ARTIFACTS/$check.log" | sed 's/^/    /'
		suite "$check" 0 1
	fi
done

# --- WordPress --------------------------------------------------------------------------------
if [ -x scripts/wp-test.sh ]; then
	# A new rig (database, WordPress, servers) each run unless WP_STATE names one: a rig
	# reused from an earlier run carried options that made OAuthTest fail in one run of two.
	wp_state=${WP_STATE:-}
	[ -n "$wp_state" ] || wp_state=$(mktemp -d /tmp/php-smtp-wp.XXXXXX)
	WP_STATE=$wp_state scripts/wp-test.sh >"$ARTIFACTS/wp.log" 2>&1
	# wp-test.sh stopped the rig; one made here goes with it (a MariaDB data folder a run)
	[ -n "${WP_STATE:-}" ] || rm -rf "$wp_state"
	last=$(tail -n1 "$ARTIFACTS/wp.log")
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		suite wp "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[4]:-0}"
	else
		echo "  FAIL scripts/wp-test.sh did not end with its summary: see $ARTIFACTS/wp.log"
		suite wp 0 1
	fi
fi

# --- packaging: versions, tarball, PIE, plugin zip, .deb ---------------------------------------
if [ "$with_packaging" = 1 ]; then
	parts=(versions tarball pie zip)
	[ "$with_deb" = 1 ] && parts+=(deb)
	SO=$so scripts/package-test.sh "${parts[@]}" >"$ARTIFACTS/packaging.log" 2>&1
	last=$(tail -n1 "$ARTIFACTS/packaging.log")
	grep -E '^not ok|^    ' "$ARTIFACTS/packaging.log" | sed 's/^/  /' | head -n 30
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		suite packaging "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
	else
		echo "  FAIL scripts/package-test.sh did not end with its summary: see $ARTIFACTS/packaging.log"
		suite packaging 0 1
	fi
fi

# --- ZTS: a thread-safe debug PHP built from Debian's php8.2 source (cached) -----------------
# A debug PHP prints every leaked allocation, so the phpt suite green is zero leak reports.
if [ "$with_zts" = 1 ]; then
	wait "$zts_build"
	if zts_php=$(scripts/php-zts.sh 2>>"$ARTIFACTS/zts-build.log") &&
		zts_so=$(BUILD_DIR=$TEST_BUILD_ROOT/zts PHP_CONFIG=$(dirname "$zts_php")/php-config scripts/build.sh 2>>"$ARTIFACTS/zts-build.log"); then
		echo "  (zts: $("$zts_php" -n -r 'echo PHP_VERSION, PHP_ZTS ? " ZTS" : " NTS", PHP_DEBUG ? " debug" : "";'))"
		PHPT_PHP=$zts_php run_phpt "$ARTIFACTS/zts.log" "$zts_so" "${dirs[@]}"
		read -r p f s <"$ARTIFACTS/zts.log.counts"
		suite zts "$p" "$f" "$s"
	else
		echo "  FAIL the ZTS debug PHP or smtp.so for it did not build: see $ARTIFACTS/zts-build.log"
		tail -n 10 "$ARTIFACTS/zts-build.log" | sed 's/^/    /'
		suite zts 0 1
	fi
fi

# --- matrix: the other Debian suites, in chroots ----------------------------------------------
if [ "$with_matrix" = 1 ]; then
	scripts/matrix.sh >"$ARTIFACTS/matrix.log" 2>&1
	last=$(tail -n1 "$ARTIFACTS/matrix.log")
	grep -E '^  ' "$ARTIFACTS/matrix.log"
	while read -r _ name p f s; do
		suite "$name" "$p" "$f" "$s"
	done < <(grep -E '^suite ' "$ARTIFACTS/matrix.log")
	if ! [[ "$last" =~ ^[0-9]+\ passed ]]; then
		echo "  FAIL scripts/matrix.sh did not end with its summary: see $ARTIFACTS/matrix.log"
		suite matrix 0 1
	fi
fi

finish
