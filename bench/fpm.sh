#!/usr/bin/env bash
# php-fpm harness (issue 18): FPM_WORKERS php-fpm workers, each request sends
# one message through a STARTTLS + AUTH relay at an emulated round trip, for
# ours with persistent sessions (Smtp\Mailer and mail() with smtp.persistent),
# ours without, PHPMailer and Symfony Mailer. Run by hand (bench/run.sh runs it
# as its "fpm" part), never by the test suite; as root (network namespace).
#
#   bench/fpm.sh                     the table (about 5-8 minutes)
#   FPM_SMOKE=1 bench/fpm.sh         a few requests per peer on plain loopback,
#                                    no namespace, no delay, not root: checks that
#                                    every peer works and the relay counts add up
#                                    (CI's smoke run; prints no timing verdict)
#
# Knobs: FPM_WORKERS (4), FPM_REQUESTS (1000), FPM_REQUESTS_COLD (FPM_REQUESTS:
# the peers that open a session per request), FPM_ONE_WAY_MS (15: a 30 ms round
# trip), FPM_PEERS (all: comma list of the keys below), SO (a built smtp.so;
# else scripts/build.sh), BENCH_KEEP=1 (keep the work dir).
#
# The relay is tests/server/smtpd.py (STARTTLS required, AUTH PLAIN and LOGIN as
# relays offer them, PIPELINING, with
# or without CHUNKING) in a network namespace whose loopback TCP goes through
# bench's delayer (delay/nfq_delay.c, as run.sh's latency part); php-fpm runs in
# the namespace too, listening on a unix socket that the load client
# (php/fcgi_load.php) reaches from outside, so only the mail traffic is delayed.
# Each peer gets a fresh php-fpm and a fresh relay. Round trips and connections
# are counted at the relay (php/fpm_relay.php), read while php-fpm still runs;
# latency is timed by the load client, per request.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
smoke=${FPM_SMOKE:-0}
workers=${FPM_WORKERS:-4}
requests=${FPM_REQUESTS:-1000}
[ "$smoke" = 1 ] && requests=${FPM_REQUESTS:-12}
requests_cold=${FPM_REQUESTS_COLD:-$requests}
one_way=${FPM_ONE_WAY_MS:-15}
peers=",${FPM_PEERS:-ours-persistent,ours-persistent-nochunking,mail,ours,phpmailer,symfony},"
php_bin=$(command -v php)
py_bin=/usr/bin/python3
fpm_bin=$(compgen -G '/usr/sbin/php-fpm*' | head -n1 || true)

work=$(mktemp -d /tmp/php-smtp-fpm.XXXXXX)
chmod 755 "$work"
started_pids=()
netns=""

say() { echo "fpm: $*" >&2; }

cleanup() {
	local pid
	for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	if [ -n "$netns" ]; then
		for pid in $(ip netns pids "$netns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
		ip netns del "$netns" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then say "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -n "$fpm_bin" ] || { say "php-fpm is not installed (scripts/deps.sh core)"; exit 1; }
if [ -z "${SO:-}" ]; then
	SO=$("$root/scripts/build.sh" | tail -n1)
fi
[ -f "$SO" ] || { say "no smtp.so at $SO"; exit 1; }

"$root/scripts/certs.sh" "$work/certs" >/dev/null
ca=$work/certs/ca.pem
user=bench
password=bench-password-$$

# The prefix that runs a command in the namespace (none for the smoke run).
# Not a function: a function started with & runs in a subshell, and its pid,
# the one kept to stop it, would not be the server's (ip netns exec execs).
ns=()

if [ "$smoke" != 1 ]; then
	[ "$(id -u)" = 0 ] || { say "needs root for the network namespace (FPM_SMOKE=1 runs without)"; exit 1; }
	gcc -O2 -Wall -Wextra -o "$work/nfq_delay" "$bench/delay/nfq_delay.c" -lnetfilter_queue
	netns=php-smtp-fpm-$$
	ns=(ip netns exec "$netns")
	queue=$(( ($$ % 60000) + 1000 ))
	ip netns add "$netns"
	ip netns exec "$netns" ip link set lo up
	ip netns exec "$netns" iptables -A INPUT -i lo -p tcp -j NFQUEUE --queue-num "$queue" --queue-bypass
	# real-time priority: the delayer is the network, a busy machine must not stretch it
	ip netns exec "$netns" chrt -f 50 "$work/nfq_delay" -q "$queue" -d "$one_way" >"$work/delay.out" 2>"$work/delay.err" &
	started_pids+=("$!")
	for _ in $(seq 100); do [ -s "$work/delay.out" ] && break; sleep 0.05; done
fi

# start_relay DIR CHUNKING(yes|no): sets relay_port and relay_pid
start_relay() {
	local dir=$1 chunking=--no-chunking
	[ "$2" = yes ] && chunking=--chunking
	mkdir -p "$dir/spool"
	"${ns[@]}" "$py_bin" "$root/tests/server/smtpd.py" --tls starttls --cert "$work/certs/server.pem" \
		--key "$work/certs/server.key" --auth "$user:$password" --auth-mechs PLAIN,LOGIN --require-auth "$chunking" --nodelay \
		--spool "$dir/spool" --ready-file "$dir/relay.port" --lifetime 3600 >/dev/null 2>"$dir/relay.err" &
	relay_pid=$!
	started_pids+=("$relay_pid")
	for _ in $(seq 200); do [ -s "$dir/relay.port" ] && break; sleep 0.05; done
	[ -s "$dir/relay.port" ] || { say "relay did not start: $(cat "$dir/relay.err")"; return 1; }
	relay_port=$(head -n1 "$dir/relay.port")
}

# start_fpm DIR PEER RELAY_PORT: php-fpm with FPM_WORKERS static workers on DIR/fpm.sock
start_fpm() {
	local dir=$1 peer=$2 port=$3 ext=()
	{
		printf '[global]\nerror_log = %s/fpm.log\ndaemonize = no\npid = %s/fpm.pid\n' "$dir" "$dir"
		printf '[bench]\nlisten = %s/fpm.sock\nlisten.mode = 0666\npm = static\npm.max_children = %s\n' "$dir" "$workers"
		printf 'catch_workers_output = yes\nphp_admin_value[sendmail_path] = /bin/false\n'
		if [ "$peer" = mail ]; then
			printf 'php_admin_value[smtp.override_mail] = 1\nphp_admin_value[smtp.host] = 127.0.0.1\n'
			printf 'php_admin_value[smtp.port] = %s\nphp_admin_value[smtp.encryption] = starttls\n' "$port"
			printf 'php_admin_value[smtp.username] = %s\nphp_admin_value[smtp.password] = %s\n' "$user" "$password"
			printf 'php_admin_value[smtp.cafile] = %s\nphp_admin_value[smtp.persistent] = 1\n' "$ca"
		fi
	} >"$dir/fpm.conf"
	case "$peer" in ours* | mail) ext=(-d "extension=$SO") ;; esac
	# -R: the bench runs as root; the workers may too
	"${ns[@]}" "$fpm_bin" -R -y "$dir/fpm.conf" "${ext[@]}" >"$dir/fpm.out" 2>&1 &
	fpm_pid=$!
	started_pids+=("$fpm_pid")
	for _ in $(seq 200); do [ -S "$dir/fpm.sock" ] && return 0; sleep 0.05; done
	say "php-fpm did not start: $(cat "$dir/fpm.out" "$dir/fpm.log" 2>/dev/null | tail -n 3)"
	return 1
}

stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

: >"$work/rows.tsv"
for peer in ours-persistent ours-persistent-nochunking mail ours phpmailer symfony; do
	[[ $peers == *",$peer,"* ]] || continue
	dir=$work/$peer
	mkdir -p "$dir"
	chunking=yes
	[ "$peer" = ours-persistent-nochunking ] && chunking=no
	n=$requests
	case "$peer" in ours | phpmailer | symfony) n=$requests_cold ;; esac
	script_peer=$peer
	[ "$peer" = ours-persistent-nochunking ] && script_peer=ours-persistent
	start_relay "$dir" "$chunking"
	port=$relay_port
	if ! start_fpm "$dir" "$peer" "$port"; then
		printf '%s\t{"na":"php-fpm did not start"}\n' "$peer" >>"$work/rows.tsv"
		stop_pid "$relay_pid"
		continue
	fi
	say "$peer: $n requests, $workers workers, relay 127.0.0.1:$port (CHUNKING: $chunking)"
	status=0
	load=$("$php_bin" "$bench/php/fcgi_load.php" "$dir/fpm.sock" "$bench/php/fpm_request.php" "$n" "$workers" \
		"BENCH_PEER=$script_peer" "BENCH_PORT=$port" "BENCH_CAFILE=$ca" "BENCH_USER=$user" \
		"BENCH_PASSWORD=$password" 2>"$dir/load.err") || status=$?
	# every message must have arrived before the relay's log is read
	for _ in $(seq 100); do
		[ "$(find "$dir/spool" -name '*.json' | wc -l)" -ge "$n" ] && break
		sleep 0.05
	done
	relay=$("$php_bin" "$bench/php/fpm_relay.php" "$dir/spool/log.jsonl")
	stop_pid "$fpm_pid"
	stop_pid "$relay_pid"
	if [ "$status" != 0 ]; then
		why=$(head -c 300 <<<"$load$(cat "$dir/load.err")" | tr -d '"\\\t\n')
		say "$peer: failed: $why"
		printf '%s\t{"na":"%s"}\n' "$peer" "$why" >>"$work/rows.tsv"
		continue
	fi
	printf '%s\t{"load":%s,"relay":%s}\n' "$peer" "$load" "$relay" >>"$work/rows.tsv"
	say "$peer: relay $(tr -d '\n' <<<"$relay")"
done

rtt=$((one_way * 2))
[ "$smoke" = 1 ] && rtt=0
"$php_bin" "$bench/php/fpm_report.php" "$work/rows.tsv" "$workers" "$rtt" "$smoke"
