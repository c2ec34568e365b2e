#!/usr/bin/env bash
# A newer Debian release's WordPress package, unpacked for the host's PHP to serve (WordPress
# is PHP code): trixie's 6.8 or sid's 7.1, for scripts/wp-up.sh's WP_SRC.
#
#   scripts/wp-src.sh trixie|sid     prints the unpacked tree (.../usr/share/wordpress),
#                                    fetching first if the cache is not complete
#
# Debian's wordpress links its bundled libraries (jQuery UI, lodash, underscore, cropper,
# getID3, PHPMailer) to the system's copies with relative links, so those packages are
# fetched too and unpacked into the same root: the links resolve inside it (wp-up.sh copies
# with cp -L). The .debs come through a private apt configuration (the machine's sources and
# lists are not touched) and dpkg-deb -x; nothing is installed.
# Environment: WP_SRC_CACHE=DIR (default /var/cache/php-smtp/wordpress, beside the chroots).
set -euo pipefail
release=${1:?usage: wp-src.sh trixie|sid}
case "$release" in
trixie | sid) ;;
*) echo "wp-src.sh: unknown release $release (trixie, sid)" >&2; exit 2 ;;
esac
cache=${WP_SRC_CACHE:-/var/cache/php-smtp/wordpress}/$release
# shellcheck source=scripts/debs-lib.sh
source "$(dirname "$0")/debs-lib.sh"
debs_lock "$cache"

if [ -f "$cache/.complete" ]; then
	echo "$cache/root/usr/share/wordpress"
	exit 0
fi

debs_apt "$cache" "$release"

# wordpress and the libraries it links to: its direct dependencies that are JavaScript or
# PHP libraries (Architecture: all, not PHP itself, a web server or a database client)
mapfile -t names < <(apt-cache "${debs_opts[@]}" depends --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances wordpress | sed -n 's/^ *Depends: //p' | grep -E '^(libjs-|libphp-|php-getid3)' | sort -u)
debs_unpack "$cache" wordpress "${names[@]}"

tree=$cache/root/usr/share/wordpress
# Every link into a library must resolve inside the root: one that leaves it would serve the
# host's (other) version. Two links are absolute: .htaccess to /etc/wordpress/htaccess (the
# package's own, unpacked here: relinked to it) and the CA bundle to the system's
# /etc/ssl/certs/ca-certificates.crt (kept: the host's trust store, as on a real install).
bad=0
while IFS= read -r link; do
	to=$(readlink "$link")
	if [[ "$to" == /* ]] && [ -e "$cache/root$to" ]; then
		ln -sfn "$cache/root$to" "$link"
		continue
	fi
	target=$(readlink -m "$link")
	if [[ "$to" == /etc/ssl/certs/* ]] && [ -e "$to" ]; then
		continue
	fi
	if [[ "$target" != "$cache/root/"* ]] || [ ! -e "$target" ]; then
		echo "wp-src.sh: $link -> $to does not resolve inside the unpacked root" >&2
		bad=1
	fi
done < <(find "$tree" -type l)
[ -f "$tree/wp-includes/version.php" ] || { echo "wp-src.sh: no wp-includes/version.php in $tree" >&2; bad=1; }
[ "$bad" -eq 0 ] || exit 1
debs_complete "$cache"
echo "$tree"
