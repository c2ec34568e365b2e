#!/usr/bin/env bash
# Makes (or reuses) a Debian chroot and runs a command in it with the checkout mounted.
#
#   scripts/chroot.sh ensure NAME             build NAME's chroot if missing or stale; print its dir
#   scripts/chroot.sh run NAME -- CMD...      run CMD inside (as root, at the checkout's own path)
#   scripts/chroot.sh run-in DIR -- CMD...    the same in DIR (a throw-away copy of a chroot)
#   scripts/chroot.sh packages NAME           print the package list NAME is built from
#
# NAME is one of the flavours below. Chroots live under CHROOT_CACHE (default
# /var/cache/php-smtp/chroots), outside the checkout, so later runs on the same machine
# reuse them; the downloaded .debs stay in CHROOT_CACHE/../debs for a rebuild. A chroot is
# rebuilt when its recipe (suite, packages, this file's recipe version) changes: the
# recipe's hash is kept in NAME/.recipe.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
CHROOT_CACHE=${CHROOT_CACHE:-/var/cache/php-smtp/chroots}
DEB_CACHE=${DEB_CACHE:-$(dirname "$CHROOT_CACHE")/debs}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
RECIPE_VERSION=1

# What the phpt suite and the C unit tests need inside: the compiler and headers, PHP's
# CLI (mbstring: tests/mail; FPM + cgi-fcgi: tests/spool), the Python test servers
# (aiosmtpd; dkimpy checks the signatures), openssl's CLI (test keys), PHPMailer (one test),
# node for the OAuth test server (its node_modules come with the mounted checkout).
common=(gcc make pkg-config libcurl4-openssl-dev libssl-dev libidn2-dev openssl ca-certificates
	python3 python3-aiosmtpd python3-dkim libfcgi-bin libphp-phpmailer nodejs)

# flavour NAME: sets suite (what debootstrap installs), extra (an apt line added after it,
# or empty), pin (the packages taken from that extra suite, as an apt preferences
# "Package:" line, or empty) and packages.
flavour() {
	extra="" pin=""
	case "$1" in
	bookworm) # the host's own suite: a clean system to install our php8.2-smtp .deb into; with
		# the security suite, as the host: a .deb built against 8.2.36's headers needs
		# symbols (smart_str_ferealloc) that bookworm's first 8.2 lacks
		suite=bookworm php=8.2 extra="deb http://deb.debian.org/debian-security bookworm-security main" ;;
	trixie) # PHP 8.4, gcc 14, libcurl 8.14, OpenSSL 3.5
		suite=trixie php=8.4 ;;
	sid) # PHP 8.5 (experimental's; sid itself has 8.4) on sid: libcurl 8.23, OpenSSL 3.6, gcc 15
		suite=sid php=8.5 extra="deb $MIRROR experimental main" pin="php8.5-*" ;;
	experimental) # PHP 8.6 (release candidate) and its php-common from experimental, on sid
		suite=sid php=8.6 extra="deb $MIRROR experimental main" pin="php8.6-* php-common" ;;
	*) echo "chroot.sh: unknown chroot $1 (bookworm, trixie, sid, experimental)" >&2; exit 2 ;;
	esac
	packages=("${common[@]}" "php$php-cli" "php$php-dev" "php$php-mbstring" "php$php-fpm")
	# the .deb check runs the bridge tests too, which want Debian 12's Symfony Mailer
	[ "$1" = bookworm ] && packages+=(php-symfony-mailer)
	return 0
}

recipe() {
	flavour "$1"
	printf '%s\n' "$RECIPE_VERSION" "$suite" "$extra" "$pin" "$MIRROR" "${packages[@]}" | md5sum | cut -c1-32
}

# apt inside the chroot: wait for its lock like on the host, never ask. The archive may
# be a snapshot whose sid Release file is past its Valid-Until: the signature still counts.
chroot_apt() {
	local dir=$1
	shift
	chroot "$dir" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
		apt-get -o DPkg::Lock::Timeout=900 -o APT::Install-Recommends=false \
		-o Acquire::Check-Valid-Until=false -y -q "$@"
}

ensure() {
	local name=$1 dir=$CHROOT_CACHE/$1 want
	want=$(recipe "$name")
	flavour "$name"
	mkdir -p "$CHROOT_CACHE" "$DEB_CACHE"
	exec 8>"$CHROOT_CACHE/.$name.lock"
	flock 8
	if [ -f "$dir/.recipe" ] && [ "$(cat "$dir/.recipe")" = "$want" ]; then
		echo "$dir"
		return 0
	fi
	echo "chroot.sh: building $name ($suite${pin:+ + $pin}) in $dir" >&2
	unmount_all "$dir"
	rm -rf --one-file-system "$dir"
	local new=$dir.new
	# A base system left by an interrupted run is reused; anything else starts afresh.
	if [ "$(cat "$new/.debootstrapped" 2>/dev/null)" != "$suite $MIRROR" ]; then
		rm -rf --one-file-system "$new"
		debootstrap --variant=minbase --cache-dir="$DEB_CACHE" "$suite" "$new" "$MIRROR" >"$CHROOT_CACHE/$name.debootstrap.log" 2>&1 || {
			echo "chroot.sh: debootstrap $suite failed: see $CHROOT_CACHE/$name.debootstrap.log" >&2
			tail -n 20 "$CHROOT_CACHE/$name.debootstrap.log" >&2
			exit 1
		}
		echo "$suite $MIRROR" >"$new/.debootstrapped"
	fi
	rm -f "$new/etc/apt/sources.list.d/extra.list" "$new/etc/apt/preferences.d/php-smtp"
	[ -n "$extra" ] && echo "$extra" >"$new/etc/apt/sources.list.d/extra.list"
	# Only the named packages come from the extra suite; everything else stays the suite's
	# (apt's "pkg/suite" would pull their dependencies from there too, and experimental's
	# php-common breaks php8.5).
	[ -n "$pin" ] && printf 'Package: %s\nPin: release a=experimental\nPin-Priority: 990\n' "$pin" >"$new/etc/apt/preferences.d/php-smtp"
	# no daemon (php-fpm's) starts while packages install into the chroot
	printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
	chmod +x "$new/usr/sbin/policy-rc.d"
	# a downloaded .deb is kept for the next rebuild; one chroot at a time uses that cache
	# (apt locks it, and would give up rather than wait)
	exec 7>"$DEB_CACHE/.php-smtp.lock"
	flock 7
	mount --bind "$DEB_CACHE" "$new/var/cache/apt/archives"
	local status=0
	{
		chroot_apt "$new" update &&
			chroot_apt "$new" install "${packages[@]}"
	} >"$CHROOT_CACHE/$name.apt.log" 2>&1 || status=$?
	umount "$new/var/cache/apt/archives"
	exec 7>&-
	if [ "$status" -ne 0 ]; then
		echo "chroot.sh: installing into $name failed: see $CHROOT_CACHE/$name.apt.log" >&2
		tail -n 20 "$CHROOT_CACHE/$name.apt.log" >&2
		exit 1
	fi
	rm -f "$new"/var/cache/apt/*.bin
	echo "$want" >"$new/.recipe"
	mv "$new" "$dir"
	echo "$dir"
}

# unmount_all DIR: whatever an interrupted run left mounted under DIR.
unmount_all() {
	local target
	case "${1:-}" in "" | / | /*/.. | /*/../*) return 0 ;; esac
	while read -r target; do
		umount -l "$target" 2>/dev/null || true
	done < <(awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
}

run() {
	local name=$1
	shift
	run_in "$(ensure "$name")" "$@"
}

run_in() {
	mounted=$(cd "$1" && pwd) # global: the EXIT trap needs it after this function is gone
	local dir=$mounted
	shift
	[ "${1:-}" = "--" ] && shift
	# Each run mounts what it needs and takes it down again, even when interrupted.
	trap 'unmount_all "$mounted"' EXIT
	mkdir -p "$dir$root"
	mount --bind "$root" "$dir$root"
	mount -t proc proc "$dir/proc"
	mount --rbind /dev "$dir/dev"
	mount --make-rslave "$dir/dev"
	mount -t tmpfs tmpfs "$dir/tmp"
	local status=0
	chroot "$dir" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
		bash -c 'cd "$1" && shift && exec "$@"' chroot-run "$root" "$@" || status=$?
	unmount_all "$dir"
	trap - EXIT
	return "$status"
}

case "${1:-}" in
ensure) ensure "${2:?usage: chroot.sh ensure NAME}" ;;
run) run "${@:2}" ;;
run-in) run_in "${@:2}" ;;
packages) flavour "${2:?usage: chroot.sh packages NAME}" && printf '%s\n' "${packages[@]}" ;;
*) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
