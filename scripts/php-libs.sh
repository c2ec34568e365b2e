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
# shellcheck source=scripts/debs-lib.sh
source "$root/scripts/debs-lib.sh"
debs_lock "$cache"

if [ -f "$cache/.complete" ]; then
	echo "$cache/root/usr/share/php"
	exit 0
fi

debs_apt "$cache" sid

# Every PHP library in the dependency tree. PHP itself and its extensions (php-common,
# php-mbstring, php8.x-*: source php-defaults or php8.x) come from the host.
mapfile -t names < <(apt-cache "${debs_opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances "${packages[@]}" | grep -E '^(php|libphp)-' | sort -u)
wanted=()
for name in "${names[@]}"; do
	info=$(apt-cache "${debs_opts[@]}" show "$name" 2>/dev/null) || continue # a virtual package
	source=$(awk '/^Source:/ { print $2; exit }' <<<"$info")
	arch=$(awk '/^Architecture:/ { print $2; exit }' <<<"$info")
	[ "$arch" = all ] || continue
	case "$source" in php-defaults | php[0-9]*) continue ;; esac
	wanted+=("$name")
done
debs_unpack "$cache" "${wanted[@]}"
for want in Symfony/Component/Mailer/autoload.php libphp-phpmailer/autoload.php; do
	if [ ! -f "$cache/root/usr/share/php/$want" ]; then
		echo "php-libs.sh: $want missing after unpacking" >&2
		exit 1
	fi
done
debs_complete "$cache"
echo "$cache/root/usr/share/php"
