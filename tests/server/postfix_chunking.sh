#!/bin/bash
# A private Postfix (Debian's postfix package, installed by scripts/deps.sh core
# with "No configuration") for the CHUNKING tests: its smtpd offers PIPELINING
# and CHUNKING as every Postfix >= 3.4 does, and relays what it accepts to a
# capture server of ours, so a test can read what Postfix took.
#
#   tests/server/postfix_chunking.sh start DIR RELAY_PORT   prints the port smtpd listens on
#   tests/server/postfix_chunking.sh stop DIR
#
# Everything lives under DIR (config, queue, data, log): the system's Postfix
# (/etc/postfix, /var/spool/postfix) is not read or touched. smtpd listens on a
# free 127.0.0.1 port; messages over 4,000,000 bytes are refused (552), for
# the refusal tests. Needs root (Postfix's master drops to the postfix user).
set -euo pipefail

die() { echo "postfix_chunking.sh: $*" >&2; exit 1; }

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
	local dir=$1 relay=$2
	[[ $relay =~ ^[0-9]+$ ]] || die "RELAY_PORT must be a number"
	command -v postfix >/dev/null || die "postfix is not installed (scripts/deps.sh core)"
	[[ $(id -u) == 0 ]] || die "needs root"
	mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
	# Postfix's daemons run as the postfix user: they must reach the queue and own data/
	chmod 755 "$dir"
	chown postfix: "$dir/data"
	local port
	port=$(free_port)
	cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.test
mydomain = postfix.test
myorigin = postfix.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$relay
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = yes
alias_maps =
alias_database =
biff = no
smtp_host_lookup = native
disable_dns_lookups = yes
smtpd_relay_restrictions = permit_mynetworks, reject
maximal_backoff_time = 1s
minimal_backoff_time = 1s
queue_run_delay = 1s
message_size_limit = 4000000
CF
	cat >"$dir/etc/master.cf" <<CF
127.0.0.1:$port inet n - n - - smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CF
	postfix -c "$dir/etc" start >"$dir/start.log" 2>&1 || die "postfix did not start: $(tail -5 "$dir/maillog" 2>/dev/null)"
	local i
	for i in $(seq 100); do
		if /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2).close()" 2>/dev/null; then
			echo "$port"
			return 0
		fi
		sleep 0.1
	done
	stop "$dir"
	die "smtpd is not listening on $port: $(tail -5 "$dir/maillog" 2>/dev/null)"
}

stop() {
	local dir=$1
	[[ -f $dir/etc/main.cf ]] || return 0
	postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
	# master exits after its children; wait for it so DIR can go
	local i pid
	for i in $(seq 50); do
		pid=$(cat "$dir/queue/pid/master.pid" 2>/dev/null | tr -d ' ' || true)
		[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	[[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
}

case ${1:-} in
start) [[ $# == 3 ]] || die "usage: start DIR RELAY_PORT"; start "$2" "$3" ;;
stop) [[ $# == 2 ]] || die "usage: stop DIR"; stop "$2" ;;
*) die "usage: start DIR RELAY_PORT | stop DIR" ;;
esac
