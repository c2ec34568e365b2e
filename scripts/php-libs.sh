#!/usr/bin/env bash
# The newer host libraries the bridges (bridge/) are tested against, beside Debian 12's own
# (php-symfony-mailer 5.4 and libphp-phpmailer 6.6, installed by scripts/deps.sh core):
# Symfony Mailer 7.x and PHPMailer 7.x from Debian sid. They are plain PHP, so their .deb
# files (and those of every PHP library they depend on) are fetched with apt from a private
# apt configuration (the machine's own sources and lists are not touched) and unpacked with
# dpkg-deb -x into a cache; the host PHP loads them from there.
#
#   scripts/php-libs.sh        prints the cache's PHP root (its usr/share/php), fetching first
#                              if the cache is not complete
#
# Environment: PHP_LIBS_CACHE=DIR (default .build/php-libs in the checkout). A second run
# finds DIR/.complete and does nothing else; several runs at once wait for each other (flock).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${PHP_LIBS_CACHE:-$root/.build/php-libs}
packages=(php-symfony-mailer libphp-phpmailer)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
exec 9>"$cache/.lock"
flock 9

if [ -f "$cache/.complete" ]; then
	echo "$cache/root/usr/share/php"
	exit 0
fi

apt=$cache/apt
rm -rf "$apt" "$cache/root" "$cache/debs"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/debs" "$cache/root"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" >"$apt/sources.list"
opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=$apt/none"
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
	-o Acquire::Languages=none -o "APT::Architectures::=$(dpkg --print-architecture)" -o quiet=1)

echo "php-libs.sh: reading Debian sid's package list" >&2
apt-get "${opts[@]}" update >&2

# Every PHP library in the dependency tree. PHP itself and its extensions (php-common,
# php-mbstring, php8.x-*: source php-defaults or php8.x) come from the host.
mapfile -t names < <(apt-cache "${opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances "${packages[@]}" | grep -E '^(php|libphp)-' | sort -u)
wanted=()
for name in "${names[@]}"; do
	info=$(apt-cache "${opts[@]}" show "$name" 2>/dev/null) || continue # a virtual package
	source=$(awk '/^Source:/ { print $2; exit }' <<<"$info")
	arch=$(awk '/^Architecture:/ { print $2; exit }' <<<"$info")
	[ "$arch" = all ] || continue
	case "$source" in php-defaults | php[0-9]*) continue ;; esac
	wanted+=("$name")
done
echo "php-libs.sh: fetching ${wanted[*]}" >&2
(cd "$cache/debs" && apt-get "${opts[@]}" download "${wanted[@]}" >&2)

for deb in "$cache"/debs/*.deb; do
	dpkg-deb -x "$deb" "$cache/root"
	printf '%s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)"
done >"$cache/versions"
for want in Symfony/Component/Mailer/autoload.php libphp-phpmailer/autoload.php; do
	if [ ! -f "$cache/root/usr/share/php/$want" ]; then
		echo "php-libs.sh: $want missing after unpacking" >&2
		exit 1
	fi
done
rm -rf "$apt"
touch "$cache/.complete"
echo "$cache/root/usr/share/php"
