#!/usr/bin/env bash
# Builds a thread-safe (ZTS) debug PHP from Debian's own php8.2 source package (the PHP
# the host runs, with Debian's patches), once per machine, and prints the path of its php.
#
#   scripts/php-zts.sh          build if missing, print /var/cache/php-smtp/php-zts/php/bin/php
#
# The source comes through a private apt configuration (a deb-src list, package lists
# and a cache of its own under PHP_ZTS_CACHE), so the host's apt setup is not touched.
# Configured with only what the phpt suite needs: the CLI, mbstring (mb_send_mail),
# ctype, posix, openssl (one DKIM test), filter (PHPMailer's address check), pcntl (the
# fork and kill -9 tests: without it 2 of the 5 failures under ZTS); our extension
# loads libcurl itself. PCRE is Debian's libpcre2 (php-dev's dependency) instead of PHP's
# bundled copy, which would be the largest part of the compile (its JIT alone). A debug
# build reports every leaked request allocation at the end of a script, which the phpt
# suite then sees as output it did not expect: zero leak reports means a green suite.
# A rebuild happens when the configure line or this recipe changes.
set -euo pipefail
cache=${PHP_ZTS_CACHE:-/var/cache/php-smtp/php-zts}
package=php8.2
recipe_version=2
configure=(--enable-zts --enable-debug --disable-all --enable-cli --disable-cgi --disable-phpdbg
	--without-pear --enable-mbstring --disable-mbregex --enable-ctype --enable-posix --with-openssl
	--enable-filter --with-external-pcre --enable-pcntl)
prefix=$cache/php
want=$(printf '%s\n' "$recipe_version" "$package" "${configure[@]}" | md5sum | cut -c1-32)

# Debian's patched phpize copies libtool's and pkg-config's m4 files from PREFIX/share/aclocal,
# where Debian keeps them system-wide: point it there.
link_aclocal() {
	[ -e "$prefix/share/aclocal" ] && return 0
	mkdir -p "$prefix/share"
	ln -s /usr/share/aclocal "$prefix/share/aclocal"
}

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -x "$prefix/bin/php" ] && [ "$(cat "$prefix/.recipe" 2>/dev/null)" = "$want" ]; then
	link_aclocal
	echo "$prefix/bin/php"
	exit 0
fi

# apt with the private configuration: a deb-src list for bookworm and its security suite
apt=(-o Dir::Etc::SourceList="$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists="$cache/apt/lists" -o Dir::Cache="$cache/apt/cache")
mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/src"
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
printf 'deb-src http://deb.debian.org/debian %s main\ndeb-src http://deb.debian.org/debian-security %s-security main\n' \
	"$codename" "$codename" >"$cache/apt/sources.list"
apt-get -q "${apt[@]}" update >&2

# The newest version listed whose files the archive still serves (a security suite can
# list a version whose files have moved on).
cd "$cache/src"
dsc=""
for version in $(apt-cache "${apt[@]}" showsrc "$package" | sed -n 's/^Version: //p' | sort -rV | uniq); do
	if ls ./*_"${version#*:}".dsc >/dev/null 2>&1 || apt-get -q "${apt[@]}" source --download-only "$package=$version" >&2; then
		dsc=$(ls "$cache/src/${package}_${version#*:}.dsc")
		break
	fi
done
[ -n "$dsc" ] || { echo "php-zts.sh: could not download the $package source package" >&2; exit 1; }

build=$cache/build
rm -rf "$build"
mkdir -p "$build"
dpkg-source -x "$dsc" "$build/src" >&2 # Debian's patches applied
cd "$build/src"
# Debian's rules regenerate configure after patching; so do we.
# each step's time goes to stderr (test.sh keeps it in zts-build.log: CI's time per part)
timed() {
	local started=$SECONDS
	"$@" >&2
	echo "php-zts.sh: $1 ${2:-} took $((SECONDS - started)) s" >&2
}
timed ./buildconf --force
timed ./configure -q --prefix="$prefix" "${configure[@]}"
timed make -s -j"$(nproc)"
rm -rf "$prefix"
timed make -s install
link_aclocal
basename "$dsc" .dsc >"$prefix/.source"
echo "$want" >"$prefix/.recipe"
cd "$cache"
rm -rf "$build"
echo "$prefix/bin/php"
