#!/usr/bin/env bash
# The phpt suite under valgrind memcheck (run-tests.php -m), for running by hand:
# slow (minutes), so scripts/test.sh does not run it. Any valgrind report makes
# the test LEAK or FAIL. Ends with "N passed, N failed, N skipped"; the log is
# artifacts/valgrind.log, each test's report tests/<area>/<name>.mem.
#   scripts/test-valgrind.sh [run-tests.php options]
#   PHPT_TARGETS="tests/oauth tests/reentry" scripts/test-valgrind.sh   only those
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export ARTIFACTS=${ARTIFACTS:-$root/artifacts}
export TEST_BUILD_ROOT=${TEST_BUILD_ROOT:-$root/.build}
mkdir -p "$ARTIFACTS"
command -v valgrind >/dev/null || { echo "valgrind not found: apt-get install valgrind" >&2; exit 1; }

so=$(BUILD_DIR=$TEST_BUILD_ROOT/release scripts/build.sh)
echo "extension: $so"
# The Zend allocator hides individual blocks from valgrind; ZEND_DONT_UNLOAD_MODULES
# keeps our symbols in the reports.
export USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1
# run-tests.php runs valgrind with --trace-children=yes: keep it off the helper
# processes tests start (the Python SMTP servers and checkers, openssl), which
# are not ours and would be too slow to come up under it, nor node (the OAuth
# tests' oidc-provider authorization server), nor a private Postfix
# (tests/server/postfix*.sh, its daemons: traced, it did not come up within the
# test's 300 s). Child php processes are still checked.
export VALGRIND_OPTS="${VALGRIND_OPTS:-} --trace-children-skip=*python3*,*openssl*,*node*,*postfix*"
# Everything is ~20x slower under valgrind.
export TEST_TIMEOUT=${TEST_TIMEOUT:-300}
# pcre.jit=0: code PCRE compiles at run time has no symbols and trips memcheck
# ("conditional jump depends on uninitialised value" in ???): false reports.
PHPT_LOG=$ARTIFACTS/valgrind.log exec scripts/test.sh --phpt "$so" -- -m -d pcre.jit=0 "$@"
