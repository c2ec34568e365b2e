#!/usr/bin/env bash
# The php-smtp benchmark, side by side with smtp-source, PHPMailer, Symfony
# Mailer, curl and msmtp. Run by hand, never by the test suite:
#
#   bench/run.sh                       everything (about 5 minutes; needs root)
#   BENCH_ONLY=throughput bench/run.sh one part: throughput, attachment, latency (comma list)
#
# Knobs: BENCH_RUNS (5: runs per row, the tables show medians), BENCH_SECONDS
# (2: length of one throughput run), BENCH_LATENCY_RUNS (7), BENCH_ONE_WAY_MS
# ("15 30": the two one-way delays; round trip = 2x), BUILD_DIR (where
# scripts/build.sh builds the extension), BENCH_KEEP=1 (keep the work dir).
#
# It installs what it needs (scripts/deps.sh core bench), builds the
# extension and the packet delayer, starts Postfix's smtp-sink on a free
# loopback port and measures; the latency part runs in a network namespace it
# creates and always removes (with its iptables rule) on exit. All traffic
# stays on 127.0.0.1, inside this machine. The tables go to stdout and to
# /tmp/php-smtp-bench-<time>.md. Stop it with Ctrl-C or kill -TERM: the trap
# still removes the namespace and the processes it started.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
runs=${BENCH_RUNS:-5}
seconds=${BENCH_SECONDS:-2}
latency_runs=${BENCH_LATENCY_RUNS:-7}
read -r -a one_way_ms <<<"${BENCH_ONE_WAY_MS:-15 30}"
parts=",${BENCH_ONLY:-throughput,attachment,latency},"
php_bin=$(command -v php)
py_bin=/usr/bin/python3  # Debian's, which sees python3-aiosmtpd
report=/tmp/php-smtp-bench-$(date +%Y%m%d-%H%M%S).md

work=$(mktemp -d /tmp/php-smtp-bench.XXXXXX)
started_pids=()
netns=""

cleanup() {
	local pid
	for pid in "${started_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${started_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "$netns" ]; then
		# Deleting the namespace also drops its iptables rule and its lo.
		for pid in $(ip netns pids "$netns" 2>/dev/null); do
			kill "$pid" 2>/dev/null || true
		done
		ip netns del "$netns" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: work dir kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench: $*" >&2; }
want() { [[ $parts == *",$1,"* ]]; }

# A port nobody listens on right now (the caller retries if it is taken meanwhile).
free_port() {
	"$py_bin" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts on 127.0.0.1:$1 (in namespace $2 if given).
wait_listening() {
	local port=$1 ns=${2:-} try
	for try in $(seq 100); do
		if [ -n "$ns" ]; then
			ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && return 0
		else
			(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		fi
		sleep 0.05
	done
	return 1
}

# The JSON value of a numeric field, from one line of JSON.
json_number() {
	local pattern="\"$1\":([0-9.eE+-]+)"
	[[ $2 =~ $pattern ]] && echo "${BASH_REMATCH[1]}"
}

# A JSON record saying why a row could not run (first line of the error, quotes dropped).
na_record() {
	local why=${1//[\"\\]/}
	printf '{"na":"%s"}' "$(head -n1 <<<"$why" | tr -d '\t\r' | cut -c1-160)"
}

now_ns() { date +%s%N; }

#
# Set-up: packages, the extension, the delayer, the message files.
#
say "installing what is missing (scripts/deps.sh core bench)"
"$root/scripts/deps.sh" core bench

say "building the extension"
so=""
if so_out=$("$root/scripts/build.sh" 2>"$work/build.err"); then
	so=$(tail -n1 <<<"$so_out")
else
	say "extension build failed; our rows will say so"
	tail -n 5 "$work/build.err" >&2
fi
ext=()
[ -n "$so" ] && ext=(-d "extension=$so")

"$php_bin" "$bench/php/common.php" eml "$work/message.eml"
"$php_bin" "$bench/php/common.php" raw "$work/message.crlf.eml"

#
# smtp-sink: the plaintext server of the throughput and attachment tables.
# -c makes it print running counters; they let us check that every message a
# peer says it sent really arrived.
#
sink_port=""
start_sink() {
	local attempt pid
	for attempt in 1 2 3 4 5; do
		sink_port=$(free_port)
		smtp-sink -c -u postfix "127.0.0.1:$sink_port" 256 >"$work/sink.out" 2>"$work/sink.err" &
		pid=$!
		if wait_listening "$sink_port" && kill -0 "$pid" 2>/dev/null; then
			started_pids+=("$pid")
			return 0
		fi
		kill "$pid" 2>/dev/null || true
	done
	say "smtp-sink would not start: $(cat "$work/sink.err")"
	return 1
}

# Messages smtp-sink has received so far.
sink_messages() {
	local last
	last=$(tail -c 200 "$work/sink.out" | tr '\r' '\n' | grep 'mesg=' | tail -n1 || true)
	[[ $last =~ mesg=([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

# Waits until smtp-sink has counted at least $1 messages; fails after 5 s.
sink_reaches() {
	local want=$1 try
	for try in $(seq 100); do
		[ "$(sink_messages)" -ge "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

# Always started: the check whether our extension works yet uses it too.
start_sink
say "smtp-sink listening on 127.0.0.1:$sink_port"

ours_ready=0
ours_why="not built yet"
if [ -n "$so" ] && [ -n "$sink_port" ]; then
	if probe=$("$php_bin" "${ext[@]}" -r "require '$bench/php/common.php'; exit(bench_ours_available($sink_port) ? 0 : 1);" 2>&1); then
		ours_ready=1
	else
		# Built but not sending yet: the row says why (e.g. the placeholder's "not yet").
		ours_why="not working yet: $(grep -m1 . <<<"$probe" || echo "probe failed")"
		say "ours: $probe"
	fi
elif [ -z "$so" ]; then
	ours_why="extension did not build"
fi

#
# Throughput
#
# Rows take turns: run 1 of every row, then run 2 of every row, ... so that a
# slow spell of this shared machine spreads over all rows instead of sinking one.
# A row that fails once is marked n/a and not run again.
declare -A row_failed=() row_count=()

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$work/throughput.tsv"; }

# Marks a row as not measurable (once), with the reason.
na_row() {
	[ -n "${row_failed[$1]:-}" ] && return 0
	row_failed[$1]=1
	record "$1" "$2" "$3" "$(na_record "$4")"
	say "$1: n/a: $(head -n1 <<<"$4")"
}

# One run of a PHP peer:  php_row LABEL GROUP SESSIONS PHP-ARGS...
php_row() {
	local label=$1 group=$2 sessions=$3 before out messages
	shift 3
	[ -n "${row_failed[$label]:-}" ] && return 0
	before=$(sink_messages)
	local status=0
	out=$("$php_bin" "$@" 2>"$work/peer.err") || status=$?
	if [ "$status" != 0 ]; then
		[ "$status" -gt 128 ] && echo "killed by signal $((status - 128))" >>"$work/peer.err"
		na_row "$label" "$group" "$sessions" "$(grep -m1 . "$work/peer.err" || echo "exit status $status")"
		return 0
	fi
	messages=$(json_number messages "$out")
	if ! sink_reaches $((before + messages)); then
		na_row "$label" "$group" "$sessions" "smtp-sink counted $(($(sink_messages) - before)) of $messages"
		return 0
	fi
	record "$label" "$group" "$sessions" "$out"
	say "$label: $(json_number rate "$out") msg/s"
}

# One run of a command line peer (smtp-source, curl) that sends a fixed count:
#   cli_row LABEL GROUP SESSIONS PREPARE-FUNCTION
# PREPARE-FUNCTION N sets the array cli_command to the command line that sends
# N messages (and writes any file it needs, outside the timed part). On the
# first call a short sizing run picks N so that one run lasts about $seconds.
cli_command=()
cli_row() {
	local label=$1 group=$2 sessions=$3 prepare=$4 count before start end rate rss
	[ -n "${row_failed[$label]:-}" ] && return 0
	count=${row_count[$label]:-}
	if [ -z "$count" ]; then
		count=$((1000 * sessions))
		"$prepare" "$count"
		before=$(sink_messages)
		start=$(now_ns)
		if ! "${cli_command[@]}" >"$work/peer.err" 2>&1 || ! sink_reaches $((before + count)); then
			na_row "$label" "$group" "$sessions" "$(cat "$work/peer.err")"
			return 0
		fi
		end=$(now_ns)
		count=$(awk -v c="$count" -v ns=$((end - start)) -v s="$seconds" 'BEGIN { n = int(c / (ns / 1e9) * s); print (n < 1000 ? 1000 : n) }')
		row_count[$label]=$count
	fi
	"$prepare" "$count"
	before=$(sink_messages)
	start=$(now_ns)
	if ! /usr/bin/time -f '%M' -o "$work/rss" "${cli_command[@]}" >"$work/peer.err" 2>&1; then
		na_row "$label" "$group" "$sessions" "$(cat "$work/peer.err")"
		return 0
	fi
	end=$(now_ns)
	if ! sink_reaches $((before + count)); then
		na_row "$label" "$group" "$sessions" "smtp-sink counted $(($(sink_messages) - before)) of $count"
		return 0
	fi
	rate=$(awk -v c="$count" -v ns=$((end - start)) 'BEGIN { printf "%.1f", c / (ns / 1e9) }')
	rss=$(tail -n1 "$work/rss")
	record "$label" "$group" "$sessions" "$(printf '{"messages":%s,"seconds":%s,"rate":%s,"php_peak_bytes":-1,"vmhwm_kb":%s}' \
		"$count" "$(awk -v ns=$((end - start)) 'BEGIN { print ns / 1e9 }')" "$rate" "$rss")"
	say "$label: $rate msg/s"
}

prepare_smtp_source() {
	cli_command=(smtp-source -s "$source_sessions" -m "$1" -d -F "$work/message.eml"
		-f bench-sender@example.test -t bench-rcpt@example.test "127.0.0.1:$sink_port")
}

# curl sends every message of its config file over one reused connection.
prepare_curl() {
	local i
	for i in $(seq "$1"); do
		printf 'url = "smtp://127.0.0.1:%s"\nupload-file = "%s"\n' "$sink_port" "$work/message.crlf.eml"
	done >"$work/curl.cfg"
	cli_command=(curl -sS --mail-from bench-sender@example.test --mail-rcpt bench-rcpt@example.test
		-K "$work/curl.cfg" -o /dev/null)
}

ours_row() {
	local label=$1 sessions=$2
	shift 2
	if [ "$ours_ready" = 1 ]; then
		php_row "$label" ours "$sessions" "${ext[@]}" "$@"
	else
		na_row "$label" ours "$sessions" "$ours_why"
	fi
}

if want throughput; then
	say "throughput: $runs rounds of ~${seconds}s per row"
	tp=$bench/php/throughput.php
	# The override counts only if mail() really goes through it: with
	# sendmail_path=/bin/false a fall-through to sendmail fails loudly.
	override_ini=no
	if [ "$ours_ready" = 1 ]; then
		override_ini=$("$php_bin" "${ext[@]}" -r 'echo ini_get("smtp.override_mail") === false ? "no" : "yes";')
	fi
	for round in $(seq "$runs"); do
		say "throughput round $round of $runs"
		for source_sessions in 1 4 8; do
			cli_row "smtp-source -s $source_sessions" smtp-source "$source_sessions" prepare_smtp_source
		done
		ours_row "ours: Mailer::sendRaw" 1 "$tp" ours-sendraw "$sink_port" "$seconds"
		ours_row "ours: Mailer::send(Message)" 1 "$tp" ours-send "$sink_port" "$seconds"
		ours_row "ours: Mailer::sendMany, concurrency 4" 4 "$tp" ours-sendmany "$sink_port" "$seconds" 4
		ours_row "ours: Mailer::sendMany, concurrency 8" 8 "$tp" ours-sendmany "$sink_port" "$seconds" 8
		if [ "$override_ini" = yes ]; then
			# "none" in quotes: PHP's INI parser reads a bare none as an empty string.
			php_row "ours: mail() with smtp.override_mail=1" ours 1 "${ext[@]}" -d smtp.override_mail=1 \
				-d smtp.host=127.0.0.1 -d "smtp.port=$sink_port" -d 'smtp.encryption="none"' -d sendmail_path=/bin/false \
				"$tp" ours-mail "$sink_port" "$seconds"
		else
			na_row "ours: mail() with smtp.override_mail=1" ours 1 "$ours_why"
		fi
		php_row "PHPMailer, SMTPKeepAlive" phpmailer 1 "$tp" phpmailer "$sink_port" "$seconds"
		php_row "PHPMailer, SMTPKeepAlive + tcp_nodelay" phpmailer 1 "$tp" phpmailer-nodelay "$sink_port" "$seconds"
		ours_row "PHPMailer through NativeSmtp\\PHPMailer, SMTPKeepAlive" 1 "$tp" bridge-phpmailer "$sink_port" "$seconds"
		php_row "Symfony Mailer, EsmtpTransport kept open" symfony 1 "$tp" symfony "$sink_port" "$seconds"
		php_row "Symfony Mailer, kept open + tcp_nodelay" symfony 1 "$tp" symfony-nodelay "$sink_port" "$seconds"
		ours_row "Symfony Mailer through native+smtp:// (bridge)" 1 "$tp" bridge-symfony "$sink_port" "$seconds"
		php_row "PHP mail() through msmtp (one per message)" msmtp 1 \
			-d "sendmail_path=\"msmtp --host=127.0.0.1 --port=$sink_port --read-envelope-from -t\"" \
			"$tp" mail-msmtp "$sink_port" "$seconds"
		cli_row "curl CLI, one reused connection" curl 1 prepare_curl
	done
fi

#
# Attachments: 20 MB and 50 MB of random bytes, one message each.
#
if want attachment; then
	for size_mb in 20 50; do
		head -c $((size_mb * 1048576)) /dev/urandom >"$work/attachment-$size_mb.bin"
		for peer in ours phpmailer symfony; do
			for run in $(seq "$runs"); do
				if [ "$peer" = ours ] && [ "$ours_ready" != 1 ]; then
					printf '%s MB\t%s\t%s\n' "$size_mb" "$peer" "$(na_record "$ours_why")" >>"$work/attachment.tsv"
					break
				fi
				before=$(sink_messages)
				peer_ext=()
				[ "$peer" = ours ] && peer_ext=("${ext[@]}")
				if out=$("$php_bin" "${peer_ext[@]}" -d memory_limit=-1 "$bench/php/attachment.php" "$peer" "$sink_port" \
					"$work/attachment-$size_mb.bin" 2>"$work/peer.err") && sink_reaches $((before + 1)); then
					printf '%s MB\t%s\t%s\n' "$size_mb" "$peer" "$out" >>"$work/attachment.tsv"
					say "attachment $size_mb MB, $peer run $run: $(json_number seconds "$out") s"
				else
					printf '%s MB\t%s\t%s\n' "$size_mb" "$peer" "$(na_record "$(cat "$work/peer.err") (sink: $(($(sink_messages) - before)) received)")" >>"$work/attachment.tsv"
					say "attachment $size_mb MB, $peer: failed: $(head -n1 "$work/peer.err")"
					break
				fi
			done
		done
		rm -f "$work/attachment-$size_mb.bin"
	done
fi

#
# Latency: one cold STARTTLS + AUTH message at two emulated round trips.
#
if want latency; then
	if [ "$(id -u)" != 0 ]; then
		say "latency: needs root for the network namespace; skipped"
	else
		say "latency: building the delayer"
		gcc -O2 -Wall -Wextra -o "$work/nfq_delay" "$bench/delay/nfq_delay.c" -lnetfilter_queue
		"$root/scripts/certs.sh" "$work/certs"

		netns=php-smtp-bench-$$
		queue=$(( ($$ % 60000) + 1000 ))
		ip netns add "$netns"
		ip netns exec "$netns" ip link set lo up
		ip netns exec "$netns" iptables -A INPUT -i lo -p tcp -j NFQUEUE --queue-num "$queue" --queue-bypass

		user=bench
		password=bench-password-$$
		: >"$work/tls.log"
		ip netns exec "$netns" "$py_bin" "$bench/server/tls_smtpd.py" --cert "$work/certs/server.pem" \
			--key "$work/certs/server.key" --auth "$user:$password" --log "$work/tls.log" \
			>"$work/tls.port" 2>"$work/tls.err" &
		started_pids+=("$!")
		for try in $(seq 100); do
			[ -s "$work/tls.port" ] && break
			sleep 0.05
		done
		tls_port=$(head -n1 "$work/tls.port")
		wait_listening "$tls_port" "$netns" || { say "TLS server did not start: $(cat "$work/tls.err")"; exit 1; }
		say "latency: STARTTLS + AUTH server on 127.0.0.1:$tls_port in namespace $netns"

		# aiosmtpd has no BDAT: the CHUNKING row talks to the project's test server
		# (tests/server/smtpd.py), which offers PIPELINING and CHUNKING as Postfix does
		mkdir -p "$work/chunking-spool"
		ip netns exec "$netns" "$py_bin" "$root/tests/server/smtpd.py" --tls starttls --cert "$work/certs/server.pem" \
			--key "$work/certs/server.key" --auth "$user:$password" --require-auth --chunking \
			--spool "$work/chunking-spool" --ready-file "$work/chunking.port" --lifetime 3600 \
			>/dev/null 2>"$work/chunking.err" &
		started_pids+=("$!")
		for try in $(seq 100); do
			[ -s "$work/chunking.port" ] && break
			sleep 0.05
		done
		chunking_port=$(head -n1 "$work/chunking.port")
		wait_listening "$chunking_port" "$netns" || { say "CHUNKING server did not start: $(cat "$work/chunking.err")"; exit 1; }
		say "latency: STARTTLS + AUTH + CHUNKING server on 127.0.0.1:$chunking_port"

		ca=$work/certs/ca.pem
		cold_peer() {
			local peer=$1 start end
			case "$peer" in
			ours)
				[ "$ours_ready" = 1 ] || { echo "$ours_why" >&2; return 1; }
				ip netns exec "$netns" "$php_bin" "${ext[@]}" "$bench/php/cold.php" ours "$tls_port" "$ca" "$user" "$password"
				;;
			"ours, CHUNKING server")
				[ "$ours_ready" = 1 ] || { echo "$ours_why" >&2; return 1; }
				ip netns exec "$netns" "$php_bin" "${ext[@]}" "$bench/php/cold.php" ours "$chunking_port" "$ca" "$user" "$password"
				;;
			phpmailer | symfony)
				ip netns exec "$netns" "$php_bin" "$bench/php/cold.php" "$peer" "$tls_port" "$ca" "$user" "$password"
				;;
			curl)
				start=$(now_ns)
				ip netns exec "$netns" curl -sS --ssl-reqd --cacert "$ca" --user "$user:$password" \
					--mail-from bench-sender@example.test --mail-rcpt bench-rcpt@example.test \
					-T "$work/message.crlf.eml" "smtp://127.0.0.1:$tls_port" || return 1
				end=$(now_ns)
				printf '{"seconds":%s}\n' "$(awk -v ns=$((end - start)) 'BEGIN { print ns / 1e9 }')"
				;;
			msmtp)
				start=$(now_ns)
				ip netns exec "$netns" msmtp --host=127.0.0.1 --port="$tls_port" --tls=on --tls-starttls=on \
					--tls-trust-file="$ca" --auth=on --user="$user" --passwordeval="echo $password" \
					--from=bench-sender@example.test bench-rcpt@example.test <"$work/message.crlf.eml" || return 1
				end=$(now_ns)
				printf '{"seconds":%s}\n' "$(awk -v ns=$((end - start)) 'BEGIN { print ns / 1e9 }')"
				;;
			esac
		}

		for delay in "${one_way_ms[@]}"; do
			rtt=$((delay * 2))
			# Real-time priority: the delayer is the emulated network, and a busy
			# machine must not stretch its delays (chrt is part of util-linux).
			ip netns exec "$netns" chrt -f 50 "$work/nfq_delay" -q "$queue" -d "$delay" >"$work/delay.out" 2>"$work/delay.err" &
			delayer=$!
			started_pids+=("$delayer")
			for try in $(seq 100); do
				[ -s "$work/delay.out" ] && break
				sleep 0.05
			done
			# The emulation itself, checked: a TCP connect costs one round trip.
			measured=$(ip netns exec "$netns" "$py_bin" -c "
import socket, time
t = time.monotonic(); s = socket.create_connection(('127.0.0.1', $tls_port)); print('%.1f' % ((time.monotonic() - t) * 1000)); s.close()")
			say "latency: one-way ${delay} ms (round trip ${rtt} ms): TCP connect took ${measured} ms"
			failed=" "
			for run in $(seq "$latency_runs"); do
				for peer in ours "ours, CHUNKING server" phpmailer symfony curl msmtp; do
					[[ $failed == *" $peer "* ]] && continue
					# each run must deliver: one more log line (aiosmtpd), one more message (smtpd.py)
					delivered() { echo $(($(wc -l <"$work/tls.log") + $(find "$work/chunking-spool" -name '*.json' | wc -l))); }
					before=$(delivered)
					if out=$(cold_peer "$peer" 2>"$work/peer.err") && [ "$(delivered)" -eq $((before + 1)) ]; then
						printf '%s\t%s\t%s\n' "$peer" "$rtt" "$(tail -n1 <<<"$out")" >>"$work/latency.tsv"
					else
						printf '%s\t%s\t%s\n' "$peer" "$rtt" "$(na_record "$(cat "$work/peer.err")")" >>"$work/latency.tsv"
						say "latency: $peer failed: $(head -n1 "$work/peer.err")"
						failed+="$peer "
					fi
				done
			done
			kill "$delayer"
			wait "$delayer" 2>/dev/null || true
		done
	fi
fi

#
# Report
#
{
	echo "## php-smtp bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r);" \
		"PHP $("$php_bin" -r 'echo PHP_VERSION;'); PHPMailer $(dpkg-query -W -f='${Version}' libphp-phpmailer);" \
		"Symfony Mailer $(dpkg-query -W -f='${Version}' php-symfony-mailer); curl $(dpkg-query -W -f='${Version}' curl);" \
		"msmtp $(dpkg-query -W -f='${Version}' msmtp); Postfix $(dpkg-query -W -f='${Version}' postfix)."
	echo "Runs per row: $runs (throughput runs of ${seconds}s), latency runs: $latency_runs."
	echo
	rtts=()
	for delay in "${one_way_ms[@]}"; do rtts+=($((delay * 2))); done
	"$php_bin" "$bench/php/report.php" "$work" "${rtts[0]}" "${rtts[1]}"
} | tee "$report"
say "tables saved to $report"
