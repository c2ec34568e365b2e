#!/usr/bin/env bash
# Builds the extension out of tree and prints the path of smtp.so.
#   scripts/build.sh                 normal build in .build/release
#   BUILD_FLAVOR=asan scripts/build.sh   ASan+UBSan build in .build/asan
#   BUILD_DIR=/tmp/x scripts/build.sh    any other place (each developer or helper its own)
#   PHP_CONFIG=/opt/php/bin/php-config scripts/build.sh   against another PHP (its phpize
#                                    beside it): the ZTS build, a chroot's php8.5
# The sources are copied (mtimes kept) so phpize never writes into the checkout
# and two builds in different BUILD_DIRs never collide.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
flavor=${BUILD_FLAVOR:-release}
build=${BUILD_DIR:-$root/.build/$flavor}
mkdir -p "$build"

# Mirror the sources the extension build needs.
tar -C "$root" -cf - config.m4 config.w32 php_smtp.h src | tar -C "$build" -xpf -

cd "$build"
extra_cflags="-O2 -g"
extra_ldflags=""
configure_flags=(--with-smtp --enable-smtp-dev)
case "$flavor" in
asan)
	extra_cflags="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
	extra_ldflags="-fsanitize=address,undefined"
	;;
release) ;;
*) echo "build.sh: unknown BUILD_FLAVOR $flavor" >&2; exit 2 ;;
esac

php_config=${PHP_CONFIG:-php-config}
phpize=$(dirname "$(command -v "$php_config")")/$(basename "$php_config" | sed "s/php-config/phpize/")
[ -x "$phpize" ] || phpize=phpize
configure_flags+=(--with-php-config="$php_config")
stamp="$extra_cflags|$extra_ldflags|${configure_flags[*]}|$(md5sum config.m4 | cut -c1-32)"
if [ ! -f Makefile ] || [ "$(cat .configure-stamp 2>/dev/null)" != "$stamp" ]; then
	"$phpize" >/dev/null 2>&1
	CFLAGS="$extra_cflags" LDFLAGS="$extra_ldflags" ./configure -q "${configure_flags[@]}" >/dev/null
	# objects from another configuration must not be linked into this one
	make -s clean >/dev/null 2>&1 || true
	echo "$stamp" >.configure-stamp
fi
make -s -j"$(nproc)" >/dev/null
echo "$build/modules/smtp.so"
