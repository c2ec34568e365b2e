#!/usr/bin/env bash
# Stops what scripts/wp-up.sh started (web server, capture SMTP server, MariaDB). Keeps the state
# folder (database, WordPress copy) so the next wp-up is fast; WP_DOWN_PURGE=1 deletes it too.
set -euo pipefail
state=${WP_STATE:-/tmp/php-smtp-wp}
run=$state/run

alive() {
	local pid cmdline
	[ -s "$1" ] || return 1
	pid=$(cat "$1")
	[ -r "/proc/$pid/cmdline" ] || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
	[[ $cmdline == *"$2"* ]]
}

# stop PIDFILE WORD: SIGTERM to the process group (setsid made the pid its leader, and
# php -S workers are forked children), then SIGKILL if it lingers.
stop() {
	alive "$1" "$2" || { rm -f "$1"; return 0; }
	local pid
	pid=$(cat "$1")
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		alive "$1" "$2" || break
		sleep 0.1
	done
	alive "$1" "$2" && kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$1"
}

# php -d ... -S 127.0.0.1:PORT: the -d settings come between "php" and "-S".
stop "$run/web.pid" " -S 127.0.0.1:"
stop "$run/smtpd.pid" smtpd.py
stop "$state/mysql/run/mysqld.pid" mariadbd
if [ "${WP_DOWN_PURGE:-0}" = 1 ]; then
	rm -rf "$state"
fi
echo "wp-down: stopped"
