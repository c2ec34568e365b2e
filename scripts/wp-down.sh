#!/usr/bin/env bash
# Stops what scripts/wp-up.sh started (web server, capture SMTP server, MariaDB). Keeps the state
# folder (database, WordPress copy) so the next wp-up is fast; WP_DOWN_PURGE=1 deletes it too.
set -euo pipefail
state=${WP_STATE:-/tmp/php-smtp-wp}
run=$state/run

source "$(dirname "$0")/wp-lib.sh"

# php -d ... -S 127.0.0.1:PORT: the -d settings come between "php" and "-S".
stop "$run/web.pid" " -S 127.0.0.1:"
stop "$run/web-ms.pid" " -S 127.0.0.1:"
stop "$run/smtpd.pid" smtpd.py
stop "$state/mysql/run/mysqld.pid" mariadbd
if [ "${WP_DOWN_PURGE:-0}" = 1 ]; then
	rm -rf "$state"
fi
echo "wp-down: stopped"
