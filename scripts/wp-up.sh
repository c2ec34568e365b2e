#!/usr/bin/env bash
# Brings up a real WordPress for Native SMTP's tests, all on loopback, all state under one folder:
#   MariaDB (unix socket only), the capture SMTP server (STARTTLS + AUTH), WordPress under php -S
#   with the smtp extension loaded and the plugin active, PHP's mail() pointed at a recording script.
#   scripts/wp-up.sh           (idempotent: reuses what is running, restarts the web server)
# Environment: WP_STATE (default /tmp/php-smtp-wp), BUILD_DIR (default $WP_STATE/build),
# WP_SRC (the WordPress tree to serve, default /usr/share/wordpress: another version unpacked).
# Prints the URLs and the admin password; writes them to $WP_STATE/env.sh for the tests.
# Stop everything with scripts/wp-down.sh. No `| grep` here: see shared notes on pipefail.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${WP_STATE:-/tmp/php-smtp-wp}
mkdir -p "$state"
state=$(cd "$state" && pwd)
run=$state/run
log=$state/log
mkdir -p "$run" "$log" "$state/spool/smtp" "$state/spool/sendmail" "$state/secrets"
chmod 700 "$state/secrets"

say() { printf 'wp-up: %s\n' "$*" >&2; }

source "$(dirname "$0")/wp-lib.sh"

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ready_file FILE TRIES: waits up to TRIES x 50 ms for a server to write its ready file
ready_file() {
	for _ in $(seq 1 "$2"); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	[ -s "$1" ]
}

port_free() {
	/usr/bin/python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

secret() { # secret NAME: a random value made once and kept
	local file=$state/secrets/$1
	[ -s "$file" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$file")
	cat "$file"
}

# --- packages, npm, extension ---------------------------------------------------
"$root/scripts/deps.sh" core wp
if [ ! -f "$root/tests/wp/node_modules/.package-lock.json" ] ||
	[ "$root/tests/wp/package-lock.json" -nt "$root/tests/wp/node_modules/.package-lock.json" ]; then
	say "npm ci in tests/wp"
	(cd "$root/tests/wp" && npm ci --no-audit --no-fund --loglevel=error >"$log/npm.log" 2>&1) || {
		cat "$log/npm.log" >&2
		exit 1
	}
fi

export BUILD_DIR=${BUILD_DIR:-$state/build}
smtp_so=""
if smtp_so=$("$root/scripts/build.sh" 2>"$log/build.log"); then
	say "extension built: $smtp_so"
else
	# The rig still comes up (the plugin's no-extension path is worth seeing); tests that need
	# the extension fail with this reason.
	smtp_so=""
	say "WARNING: the extension did not build (see $log/build.log); WordPress runs without it"
fi

# --- MariaDB ----------------------------------------------------------------------
db=$state/mysql
sock=$db/run/mysqld.sock
mkdir -p "$db/run"
as_root=()
[ "$(id -u)" -eq 0 ] && as_root=(--user=root)
if ! alive "$db/run/mysqld.pid" mariadbd; then
	rm -f "$sock" "$db/run/mysqld.pid"
	if [ ! -d "$db/data/mysql" ]; then
		say "initialising MariaDB in $db/data"
		# --no-defaults first, or /etc/mysql/my.cnf (and its system socket) is read.
		mariadb-install-db --no-defaults --datadir="$db/data" --auth-root-authentication-method=socket \
			--skip-test-db "${as_root[@]}" >"$log/mariadb-install.log" 2>&1
	fi
	setsid /usr/sbin/mariadbd --no-defaults --datadir="$db/data" --socket="$sock" \
		--pid-file="$db/run/mysqld.pid" --skip-networking --innodb-use-native-aio=0 \
		--log-error="$log/mariadb.log" "${as_root[@]}" </dev/null >/dev/null 2>&1 &
	for _ in $(seq 1 100); do
		mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 && break
		sleep 0.1
	done
	mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 || {
		say "MariaDB did not start; tail of $log/mariadb.log:"
		tail -n 20 "$log/mariadb.log" >&2
		exit 1
	}
fi
db_password=$(secret db-password)
mariadb --no-defaults --socket="$sock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'wpe2e'@'localhost' IDENTIFIED BY '$db_password';
ALTER USER 'wpe2e'@'localhost' IDENTIFIED BY '$db_password';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wpe2e'@'localhost';
GRANT ALL PRIVILEGES ON wordpress_ms.* TO 'wpe2e'@'localhost';
SQL

# --- OAuth 2.0 authorization server (tests/oauth-server: oidc-provider) ----------------
# The plugin's Connect goes through its login and consent pages; the capture server checks the
# XOAUTH2 tokens at its introspection endpoint, as Microsoft and Google check theirs.
"$root/scripts/oauth-deps.sh" >"$log/oauth-deps.log" 2>&1 || { cat "$log/oauth-deps.log" >&2; exit 1; }
oauth_started=0
if ! alive "$run/oauth.pid" server.mjs; then
	rm -f "$run/oauth.issuer"
	setsid node "$root/tests/oauth-server/server.mjs" --ready-file "$run/oauth.issuer" --host 127.0.0.1 \
		--access-ttl 300 --lifetime 86400 </dev/null >"$log/oauth-server.log" 2>&1 &
	echo $! >"$run/oauth.pid"
	ready_file "$run/oauth.issuer" 200 || { say "OAuth server did not start"; cat "$log/oauth-server.log" >&2; exit 1; }
	oauth_started=1
fi
oauth_issuer=$(cat "$run/oauth.issuer")

# --- capture SMTP server (shared tests/server/smtpd.py) ------------------------------
"$root/scripts/certs.sh" "$state/certs"
smtp_user=wpuser@wpe2e.test
smtp_password=$(secret smtp-password)
# A new authorization server has a new address: the capture server must ask that one.
[ "$oauth_started" = 1 ] && stop "$run/smtpd.pid" smtpd.py
if ! alive "$run/smtpd.pid" smtpd.py; then
	rm -f "$run/smtpd.port"
	# A new server numbers its messages from 0001 again: start from an empty spool.
	rm -rf "$state/spool/smtp"
	mkdir -p "$state/spool/smtp"
	setsid /usr/bin/python3 "$root/tests/server/smtpd.py" --host 127.0.0.1 --port 0 \
		--ready-file "$run/smtpd.port" --spool "$state/spool/smtp" --lifetime 86400 \
		--tls starttls --cert "$state/certs/server.pem" --key "$state/certs/server.key" \
		--auth "$smtp_user:$smtp_password" --require-auth --oauth-introspect "$oauth_issuer/token/introspection" \
		</dev/null >"$log/smtpd.log" 2>&1 &
	echo $! >"$run/smtpd.pid"
	ready_file "$run/smtpd.port" 100 || { say "capture SMTP server did not start"; cat "$log/smtpd.log" >&2; exit 1; }
fi
smtp_port=$(cat "$run/smtpd.port")

# --- WordPress tree and config -------------------------------------------------------
# WP_SRC: the WordPress tree to serve (default Debian's package); WP_STATE keeps one copy each.
wp_src=${WP_SRC:-/usr/share/wordpress}
www=$state/www
if [ ! -f "$www/wp-settings.php" ] || [ "$wp_src/wp-includes/version.php" -nt "$www/wp-settings.php" ] ||
	! cmp -s "$wp_src/wp-includes/version.php" "$www/wp-includes/version.php"; then
	say "copying WordPress from $wp_src into $www"
	rm -rf "$www"
	# -L: the Debian tree links to system copies of bundled libraries with relative links.
	cp -rL "$wp_src" "$www"
	rm -f "$www/wp-config.php"
	# Another WordPress version gets fresh databases: an older WordPress than the one that
	# installed them sends every admin page to upgrade.php (seen with 6.8 after 7.1).
	mariadb --no-defaults --socket="$sock" -uroot -e 'DROP DATABASE IF EXISTS wordpress; DROP DATABASE IF EXISTS wordpress_ms;
		CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
	rm -f "$run/ms-installed-port"
fi
mkdir -p "$www/wp-content/plugins" "$www/wp-content/uploads"
ln -sfn "$root/wp-plugin/native-smtp" "$www/wp-content/plugins/native-smtp"
# The plugin's OAuth providers point at the rig's authorization server and capture SMTP server.
mkdir -p "$www/wp-content/mu-plugins"
cat >"$www/wp-content/mu-plugins/native-smtp-rig-oauth.php" <<PHP
<?php
// Written by scripts/wp-up.sh: Native SMTP's OAuth providers use the rig's authorization server
// (tests/oauth-server, client wp-plugin) and the capture SMTP server instead of Microsoft's and Google's.
function native_smtp_rig_oauth_provider( \$definition ) {
	\$definition['authorize_url']    = '$oauth_issuer/auth';
	\$definition['token_url']        = '$oauth_issuer/token';
	\$definition['revoke_url']       = '$oauth_issuer/token/revocation';
	\$definition['scope']            = 'openid offline_access smtp.send';
	\$definition['send_scope']       = 'smtp.send';
	\$definition['app_scope']        = 'smtp.send';
	\$definition['authorize_params'] = array( 'prompt' => 'consent' );
	\$definition['host']             = '127.0.0.1';
	\$definition['port']             = $smtp_port;
	\$definition['encryption']       = 'starttls';
	return \$definition;
}
add_filter( 'native_smtp_oauth_provider', 'native_smtp_rig_oauth_provider' );
PHP

web_port=""
[ -s "$run/web.port" ] && web_port=$(cat "$run/web.port")
# Its command line is "php -d ... -S 127.0.0.1:PORT": match the -S part, not "php -S".
# Restart: a rebuilt smtp.so or a changed config must be picked up.
stop "$run/web.pid" " -S 127.0.0.1:"
if [ -z "$web_port" ] || ! port_free "$web_port"; then
	web_port=$(free_port)
fi
echo "$web_port" >"$run/web.port"
url=http://127.0.0.1:$web_port

# The multisite network (subdirectory install) is the same tree on a second port: wp-config.php
# picks its database and the MULTISITE constants by the port asked for.
ms_port=""
[ -s "$run/web-ms.port" ] && ms_port=$(cat "$run/web-ms.port")
stop "$run/web-ms.pid" " -S 127.0.0.1:"
if [ -z "$ms_port" ] || ! port_free "$ms_port" || [ "$ms_port" = "$web_port" ]; then
	ms_port=$(free_port)
fi
echo "$ms_port" >"$run/web-ms.port"
ms_url=http://127.0.0.1:$ms_port
# A network keeps its domain (with the port) in the database: a new port means a new network.
if [ "$(cat "$run/ms-installed-port" 2>/dev/null || true)" != "$ms_port" ]; then
	mariadb --no-defaults --socket="$sock" -uroot -e 'DROP DATABASE IF EXISTS wordpress_ms'
	rm -f "$run/ms-installed-port"
fi
mariadb --no-defaults --socket="$sock" -uroot -e 'CREATE DATABASE IF NOT EXISTS wordpress_ms CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'

salts_file=$state/secrets/salts.php
if [ ! -s "$salts_file" ]; then
	{
		echo '<?php'
		for name in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
			printf "define( '%s', '%s' );\n" "$name" "$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
		done
	} >"$salts_file"
fi

cat >"$www/wp-config.php" <<PHP
<?php
// Written by scripts/wp-up.sh on every run; not Debian's dispatcher config.
// The multisite network answers on its own port (and in the CLI with NATIVE_SMTP_RIG_MULTISITE=1).
\$native_smtp_rig_ms = PHP_SAPI === 'cli'
	? '1' === getenv( 'NATIVE_SMTP_RIG_MULTISITE' )
	: ( isset( \$_SERVER['HTTP_HOST'] ) && '127.0.0.1:$ms_port' === \$_SERVER['HTTP_HOST'] );
define( 'DB_NAME', \$native_smtp_rig_ms ? 'wordpress_ms' : 'wordpress' );
define( 'DB_USER', 'wpe2e' );
define( 'DB_PASSWORD', '$db_password' );
define( 'DB_HOST', 'localhost:$sock' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
require '$salts_file';
\$table_prefix = 'wp_';

if ( ! \$native_smtp_rig_ms ) {
	define( 'WP_HOME', '$url' );
	define( 'WP_SITEURL', '$url' );
	if ( PHP_SAPI === 'cli' && empty( \$_SERVER['HTTP_HOST'] ) ) {
		\$_SERVER['HTTP_HOST'] = '127.0.0.1:$web_port'; // CLI tests load WordPress without a request.
	}
} else {
	define( 'WP_ALLOW_MULTISITE', true );
	if ( PHP_SAPI === 'cli' && empty( \$_SERVER['HTTP_HOST'] ) ) {
		\$_SERVER['HTTP_HOST']   = '127.0.0.1:$ms_port';
		\$_SERVER['REQUEST_URI'] = getenv( 'NATIVE_SMTP_RIG_PATH' ) ?: '/';
	}
	if ( '1' === getenv( 'NATIVE_SMTP_RIG_MS_INSTALLING' ) ) {
		define( 'WP_HOME', '$ms_url' ); // The single site that becomes the network's main site.
		define( 'WP_SITEURL', '$ms_url' );
	} else {
		define( 'MULTISITE', true );
		define( 'SUBDOMAIN_INSTALL', false );
		define( 'DOMAIN_CURRENT_SITE', '127.0.0.1:$ms_port' );
		define( 'PATH_CURRENT_SITE', '/' );
		define( 'SITE_ID_CURRENT_SITE', 1 );
		define( 'BLOG_ID_CURRENT_SITE', 1 );
	}
}
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '$log/php-error.log' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'DISABLE_WP_CRON', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'FS_METHOD', 'direct' );

// The capture server's certificate is signed by the rig's test CA.
define( 'NATIVE_SMTP_CAFILE', '$state/certs/ca.pem' );
define( 'NATIVE_SMTP_TIMEOUT', 10 );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP

php_args=(-d "error_log=$log/php-error.log" -d log_errors=1 -d display_errors=0
	-d "sendmail_path=$root/tests/wp/rig/fake-sendmail $state/spool/sendmail")
[ -n "$smtp_so" ] && php_args+=(-d "extension=$smtp_so")

PHP_CLI_SERVER_WORKERS=4 setsid php "${php_args[@]}" -S "127.0.0.1:$web_port" -t "$www" \
	"$root/tests/wp/rig/router.php" </dev/null >>"$log/php-server.log" 2>&1 &
echo $! >"$run/web.pid"
PHP_CLI_SERVER_WORKERS=4 setsid php "${php_args[@]}" -S "127.0.0.1:$ms_port" -t "$www" \
	"$root/tests/wp/rig/router.php" </dev/null >>"$log/php-server-ms.log" 2>&1 &
echo $! >"$run/web-ms.pid"
for _ in $(seq 1 100); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$url/wp-login.php" || true)
	[[ $code == 200 || $code == 500 ]] && break
	sleep 0.1
done

# CLI PHP as the web server runs it (tests use these), and the same without the extension.
mkdir -p "$state/bin"
write_php_wrapper() { # NAME ARGS...: a script that runs php with these -d settings
	local file=$state/bin/$1
	shift
	{
		echo '#!/bin/sh'
		printf 'exec php'
		printf " %q" "$@"
		echo ' "$@"'
	} >"$file"
	chmod +x "$file"
}
write_php_wrapper php "${php_args[@]}"
write_php_wrapper php-no-extension -d "error_log=$log/php-error.log" -d log_errors=1 -d display_errors=0 \
	-d "sendmail_path=$root/tests/wp/rig/fake-sendmail $state/spool/sendmail"
# PHP as on a host without ext-sodium, where it matters: Debian builds the extension in, so its
# sodium_memzero() is disabled and WordPress's sodium_compat defines its own, which throws (PHP
# cannot wipe memory). Disabling every sodium function instead would make sodium_compat call
# itself forever (it sees the extension loaded); NoSodiumTest also turns its fallback off.
write_php_wrapper php-no-sodium "${php_args[@]}" -d disable_functions=sodium_memzero

# --- install WordPress, activate the plugin ------------------------------------------
admin_password=$(secret admin-password)
php "${php_args[@]}" "$root/tests/wp/rig/install.php" "$www" "$admin_password" >"$log/install.log" 2>&1 || {
	cat "$log/install.log" >&2
	exit 1
}

code=$(curl -s -o /dev/null -w '%{http_code}' "$url/wp-login.php" || true)
[ "$code" = 200 ] || { say "wp-login.php answered $code"; exit 1; }

# The network: installed as a single site, made a network, then a subsite and its admin.
site_admin_password=$(secret site-admin-password)
if [ ! -s "$run/ms-installed-port" ]; then
	NATIVE_SMTP_RIG_MULTISITE=1 NATIVE_SMTP_RIG_MS_INSTALLING=1 php "${php_args[@]}" "$root/tests/wp/rig/install-multisite.php" \
		network "$www" "$admin_password" >"$log/install-ms.log" 2>&1 || { cat "$log/install-ms.log" >&2; exit 1; }
fi
NATIVE_SMTP_RIG_MULTISITE=1 php "${php_args[@]}" "$root/tests/wp/rig/install-multisite.php" \
	sites "$www" "$admin_password" "$site_admin_password" >>"$log/install-ms.log" 2>&1 || { cat "$log/install-ms.log" >&2; exit 1; }
echo "$ms_port" >"$run/ms-installed-port"
code=$(curl -s -o /dev/null -w '%{http_code}' "$ms_url/site2/wp-login.php" || true)
[ "$code" = 200 ] || { say "the network's site2/wp-login.php answered $code"; exit 1; }

cat >"$state/env.sh" <<ENV
# Written by scripts/wp-up.sh: source it to reach the rig.
export WP_STATE='$state'
export WP_ROOT='$www'
export WP_URL='$url'
export WP_ADMIN_USER='admin'
export WP_ADMIN_PASSWORD='$admin_password'
export WP_SMTP_SO='$smtp_so'
export WP_PHP='$state/bin/php'
export WP_PHP_NO_EXTENSION='$state/bin/php-no-extension'
export WP_PHP_NO_SODIUM='$state/bin/php-no-sodium'
export WP_MS_URL='$ms_url'
export WP_MS_SITE_URL='$ms_url/site2'
export WP_MS_SITE_ADMIN_USER='siteadmin'
export WP_MS_SITE_ADMIN_PASSWORD='$site_admin_password'
export SMTP_CAPTURE_PORT='$smtp_port'
export SMTP_CAPTURE_USER='$smtp_user'
export SMTP_CAPTURE_PASSWORD='$smtp_password'
export SMTP_CAPTURE_SPOOL='$state/spool/smtp'
export SENDMAIL_SPOOL='$state/spool/sendmail'
export SMTP_CA_FILE='$state/certs/ca.pem'
export OAUTH_ISSUER='$oauth_issuer'
export OAUTH_CLIENT_ID='wp-plugin'
export OAUTH_CLIENT_SECRET='wp-plugin-secret'
ENV
chmod 600 "$state/env.sh"

cat <<INFO
WordPress:      $url/
Admin:          $url/wp-admin/  (user admin, password $admin_password)
Native SMTP:    $url/wp-admin/options-general.php?page=native-smtp
Network:        $ms_url/wp-admin/network/settings.php?page=native-smtp  (subsite $ms_url/site2/, user siteadmin, password $site_admin_password)
OAuth server:   $oauth_issuer  (client wp-plugin / wp-plugin-secret; any login, any password)
Capture SMTP:   127.0.0.1:$smtp_port  STARTTLS + AUTH $smtp_user / $smtp_password  (spool $state/spool/smtp)
mail() spool:   $state/spool/sendmail
Extension:      ${smtp_so:-NOT BUILT (see $log/build.log)}
Logs:           $log/
Env for tests:  source $state/env.sh
INFO
