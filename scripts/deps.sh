#!/usr/bin/env bash
# Installs the Debian packages php-smtp needs, only when some are missing.
#   scripts/deps.sh [core] [wp] [bench] [fuzz] [lint] [oauth] [matrix]     (no argument: core)
# core: build the extension and run the phpt and C unit tests against real
#       SMTP servers (aiosmtpd, postfix's smtp-sink/smtp-source); php-fpm and cgi-fcgi
#       for the deferred-sending test under FastCGI; Debian 12's Symfony Mailer (and Messenger) and
#       PHPMailer for the bridge tests (tests/bridge; their newer releases come from
#       scripts/php-libs.sh).
set -euo pipefail

core=(php-cli php-dev php-parser pkg-config gcc make libcurl4-openssl-dev libssl-dev libidn2-dev
	openssl python3 python3-aiosmtpd python3-dkim postfix php-mbstring libphp-phpmailer php-symfony-mailer php-symfony-messenger
	curl valgrind php-fpm libfcgi-bin)
# npm only when no npm is on PATH: NodeSource's nodejs ships its own npm and conflicts with Debian's.
wp=(wordpress wordpress-theme-twentytwentythree mariadb-server mariadb-client php-mysql php-xml
	php-curl php-gd chromium fonts-dejavu-core fonts-liberation nodejs $(command -v npm >/dev/null || echo npm)
	phpunit gettext apache2 libapache2-mod-php dnsmasq-base iproute2)
# oauth: node for the OAuth 2.0 test server (scripts/oauth-deps.sh adds oidc-provider with npm ci)
oauth=(nodejs $(command -v npm >/dev/null || echo npm))
bench=(msmtp iptables libnetfilter-queue-dev hyperfine iproute2 curl time valgrind)
# libclang-rt-dev follows the distribution's default clang (llvm-defaults), as clang does
fuzz=(clang libclang-rt-dev)
lint=(clang-tidy cppcheck php-codesniffer)
# matrix: the Debian chroots of scripts/matrix.sh, the ZTS build and the packaging checks
# (dpkg-buildpackage with dh-php, PIE's schema through python3-jsonschema, the plugin zip)
# zts is built from Debian's php8.2 source package (scripts/php-zts.sh): dpkg-source
# unpacks it and applies the patches, buildconf needs autoconf, the grammar bison and re2c
matrix=(debootstrap dpkg-dev autoconf automake libtool bison re2c pkg-config gcc make libssl-dev
	dh-php debhelper fakeroot php-all-dev python3-jsonschema zip unzip)

want=()
[ $# -eq 0 ] && set -- core
for group in "$@"; do
	case "$group" in
	core) want+=("${core[@]}") ;;
	wp) want+=("${wp[@]}") ;;
	bench) want+=("${bench[@]}") ;;
	fuzz) want+=("${fuzz[@]}") ;;
	lint) want+=("${lint[@]}") ;;
	oauth) want+=("${oauth[@]}") ;;
	matrix) want+=("${matrix[@]}") ;;
	*) echo "deps.sh: unknown group $group" >&2; exit 2 ;;
	esac
done

missing=()
for pkg in "${want[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# postfix asks where it is; "No configuration" keeps it from touching the system.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
