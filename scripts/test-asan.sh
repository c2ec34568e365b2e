#!/usr/bin/env bash
# The phpt suite against an ASan+UBSan build of the extension. Any sanitizer
# report (memory error, undefined behaviour, leak) fails the test it came from.
# Ends with "N passed, N failed, N skipped"; the log is artifacts/asan.log.
#   scripts/test-asan.sh [run-tests.php options]
#
# Debian's php is not built with ASan, so its runtime is preloaded
# (gcc -print-file-name=libasan.so), and:
#  - the preload is given to the dynamic loader on its command line
#    (ld.so --preload), not through LD_PRELOAD: that way the processes a test
#    starts (python servers, openssl, another php) run as they normally do.
#  - USE_ZEND_ALLOC=0: emalloc goes straight to malloc, so ASan sees every block.
#    (Not run-tests.php --asan: it also sets USE_TRACKED_ALLOC=1, which frees all
#    request memory at the end and would hide the extension's emalloc leaks.)
#  - ZEND_DONT_UNLOAD_MODULES=1: smtp.so stays mapped at exit, so leak reports
#    name our functions instead of "<unknown module>".
#  - Debian's php dlopen()s extensions with RTLD_DEEPBIND, which the ASan runtime
#    refuses outright (google/sanitizers#611): a ten-line preload drops the flag.
#    It must come before libasan to see the call first, hence
#    verify_asan_link_order=0 (libasan is still loaded before php's own libraries).
# Checked by hand: with this set-up a heap overflow, a leak and a UBSan error in
# an instrumented library that php dlopen()s are each reported and fail the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export ARTIFACTS=${ARTIFACTS:-$root/artifacts}
export TEST_BUILD_ROOT=${TEST_BUILD_ROOT:-$root/.build}
mkdir -p "$ARTIFACTS"

so=$(BUILD_FLAVOR=asan BUILD_DIR=$TEST_BUILD_ROOT/asan scripts/build.sh)
echo "ASan extension: $so"

libasan=$(gcc -print-file-name=libasan.so)
[ -f "$libasan" ] || { echo "libasan.so not found (gcc's ASan runtime)" >&2; exit 1; }

helpers=$TEST_BUILD_ROOT/asan-helpers
mkdir -p "$helpers"
cat >"$helpers/no_deepbind.c" <<'EOF'
/* Preloaded before libasan: strips RTLD_DEEPBIND, which ASan cannot work with,
 * from the dlopen() calls PHP makes for its extensions. */
#define _GNU_SOURCE
#include <dlfcn.h>

void *dlopen(const char *filename, int flags)
{
	static void *(*next_dlopen)(const char *, int);

	if (!next_dlopen) {
		next_dlopen = (void *(*)(const char *, int)) dlsym(RTLD_NEXT, "dlopen");
	}
	return next_dlopen(filename, flags & ~RTLD_DEEPBIND);
}
EOF
gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$helpers/no_deepbind.so" "$helpers/no_deepbind.c" -ldl

# Leaks that are not ours. Keep this short: every line must say why.
cat >"$helpers/lsan.supp" <<'EOF'
# glibc's dynamic loader keeps these for the life of the process; LSan calls them
# leaks only because ld.so is run as a command here (ld.so --preload).
leak:add_to_global_resize
leak:add_name_to_object
EOF

# The php that run-tests.php starts for every test (and for its SKIPIF sections).
php_binary=$(readlink -f "$(command -v php)")
loader=$(ldd "$php_binary" | awk '/ld-linux/ { print $1; exit }')
[ -x "$loader" ] || { echo "cannot find the dynamic loader of $php_binary" >&2; exit 1; }
wrapper=$helpers/php-asan
cat >"$wrapper" <<EOF
#!/bin/sh
export USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1
export ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$helpers/lsan.supp:print_suppressions=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86"
exec "$loader" --preload "$helpers/no_deepbind.so:$libasan" "$php_binary" "\$@"
EOF
chmod +x "$wrapper"

# run-tests.php triples its per-test timeout when SKIP_ASAN is set; tests may also
# skip themselves under ASan with getenv('SKIP_ASAN').
export SKIP_ASAN=1 SKIP_PERF_SENSITIVE=1
PHPT_PHP=$wrapper PHPT_LOG=$ARTIFACTS/asan.log exec scripts/test.sh --phpt "$so" -- "$@"
