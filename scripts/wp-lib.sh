# Shared by scripts/wp-up.sh and scripts/wp-down.sh (sourced, not run).

# alive PIDFILE WORD: the pid in PIDFILE runs and its command line contains WORD
# (a stale pid file after a crash or a reboot may name an unrelated process).
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
