#!/usr/bin/env bash
# A private Postfix (Debian's postfix package, scripts/deps.sh core) for tests
# that need a real MTA's limits rather than our fault server's imitation.
#
#   tests/server/postfix.sh start DIR RELAY_PORT   prints the port it listens on
#   tests/server/postfix.sh stop DIR
#
# DIR is an empty private directory (the caller's temporary one): Postfix's
# config, queue and data directories and its log (DIR/maillog) all live in it,
# nothing under /etc/postfix or /var/spool/postfix is touched. It listens on
# 127.0.0.1 at a free port, with Postfix's own defaults for what a client may
# do (smtpd_recipient_limit 1000, smtpd_recipient_overshoot_limit 1000,
# smtpd_hard_error_limit 20), and relays everything to 127.0.0.1:RELAY_PORT
# (our capture server, tests/server/smtpd.py), where a test counts what
# arrived. Postfix needs root to start (its master drops to the postfix user).
#
# start waits until the listener answers with a 220 greeting, and on any
# failure stops what it started and prints why. stop is safe to call twice,
# and kills the master by its pid file if "postfix stop" fails.
# (Committed with git add -f: .gitignore drops tests/**/*.sh, run-tests' files.)
set -euo pipefail

die() {
	echo "postfix.sh: $*" >&2
	exit 1
}

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# answers 0 when a 220 greeting comes from 127.0.0.1:$1
greets() {
	/usr/bin/python3 - "$1" <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    s.settimeout(5)
    ok = s.recv(512).startswith(b"220")
    s.sendall(b"QUIT\r\n")
    s.close()
except OSError:
    ok = False
sys.exit(0 if ok else 1)
PY
}

stop() {
	local dir=$1
	[ -f "$dir/etc/main.cf" ] || return 0
	postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
	local pidfile=$dir/queue/pid/master.pid pid
	for _ in $(seq 1 50); do
		[ -f "$pidfile" ] || return 0
		pid=$(tr -dc 0-9 <"$pidfile")
		if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	pid=$(tr -dc 0-9 <"$pidfile")
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
}

start() {
	local dir=$1 relay_port=$2
	[ "$(id -u)" = 0 ] || die "Postfix starts as root (its master drops privileges itself)"
	command -v postfix >/dev/null || die "postfix is not installed (scripts/deps.sh core)"
	[[ $relay_port =~ ^[0-9]+$ ]] || die "relay port must be a number"
	mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
	# the queue belongs to root (Postfix checks), the data directory to postfix
	chown root:root "$dir" "$dir/queue"
	chmod 755 "$dir" "$dir/queue"
	chown postfix:postfix "$dir/data"
	local port
	port=$(free_port)
	cat >"$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix-test.localdomain
mydomain = localdomain
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$relay_port
default_transport = smtp
relay_transport = smtp
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtp_dns_support_level = disabled
smtpd_banner = \$myhostname ESMTP
# a test's mail goes now, not after a backoff
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
# many recipients a minute from one client is what the tests do
smtpd_client_connection_rate_limit = 0
smtpd_client_recipient_rate_limit = 0
smtpd_client_message_rate_limit = 0
EOF
	cat >"$dir/etc/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	# the postfix command reports its own errors to syslog, not stderr, unless
	# stderr is a terminal: script(1) gives it one, so a failure says why
	if ! script -qec "postfix -c '$dir/etc' check && postfix -c '$dir/etc' start" /dev/null >"$dir/start.log" 2>&1; then
		cat "$dir/start.log" >&2 || true
		stop "$dir"
		die "postfix did not start"
	fi
	for _ in $(seq 1 100); do
		if greets "$port"; then
			echo "$port"
			return 0
		fi
		sleep 0.1
	done
	cat "$dir/start.log" >&2 || true
	[ -f "$dir/maillog" ] && tail -20 "$dir/maillog" >&2
	stop "$dir"
	die "postfix did not answer on 127.0.0.1:$port"
}

case "${1:-}" in
start) [ $# = 3 ] || die "usage: $0 start DIR RELAY_PORT"; start "$2" "$3" ;;
stop) [ $# = 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
*) die "usage: $0 start DIR RELAY_PORT | stop DIR" ;;
esac
