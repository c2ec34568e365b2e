#!/usr/bin/env bash
# Profiles the send path with callgrind (instruction counts, which stay put on
# a noisy machine where wall time does not). Run by hand:
#
#   bench/profile.sh                  ours: sendRaw over one connection (and send(Message) if it works)
#   PROFILE_PEERS="ours-sendraw phpmailer-nodelay" bench/profile.sh
#
# For each peer it runs PROFILE_SMALL and PROFILE_LARGE messages (200 and 2200)
# under callgrind against smtp-sink on a free loopback port; the difference
# divided by the extra messages is the cost of one message with start-up
# cancelled. The larger run's hot spots (self cost, top 25) are printed, and
# the callgrind files are left in PROFILE_OUT (default /tmp/php-smtp-profile).
# Uses BUILD_DIR like scripts/build.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
small=${PROFILE_SMALL:-200}
large=${PROFILE_LARGE:-2200}
out=${PROFILE_OUT:-/tmp/php-smtp-profile}
peers=${PROFILE_PEERS:-ours-sendraw ours-send}
mkdir -p "$out"

"$root/scripts/deps.sh" core bench
so=$("$root/scripts/build.sh" | tail -n1)

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
smtp-sink -u postfix "127.0.0.1:$port" 256 &
sink=$!
trap 'kill "$sink" 2>/dev/null || true; wait "$sink" 2>/dev/null || true' EXIT
for try in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.05
done

# Total instructions (Ir) of one callgrind run.
total_ir() {
	local summary
	summary=$(grep -E '^(summary|totals):' "$1" | tail -n1)
	echo "${summary##* }"
}

for peer in $peers; do
	ext=()
	[[ $peer == ours-* ]] && ext=(-d "extension=$so")
	ok=1
	for count in "$small" "$large"; do
		if ! valgrind --tool=callgrind --callgrind-out-file="$out/$peer.$count.callgrind" \
			php "${ext[@]}" "$bench/php/throughput.php" "$peer" "$port" 0 1 "$count" \
			>"$out/$peer.$count.json" 2>"$out/$peer.$count.log"; then
			echo "$peer: failed; see $out/$peer.$count.log"
			ok=0
			break
		fi
	done
	[ "$ok" = 1 ] || continue
	ir_small=$(total_ir "$out/$peer.$small.callgrind")
	ir_large=$(total_ir "$out/$peer.$large.callgrind")
	echo "== $peer: $(( (ir_large - ir_small) / (large - small) )) instructions per message" \
		"(Ir $ir_small for $small messages, $ir_large for $large)"
	# Whole listing to a file first: head closing a pipe early would trip pipefail.
	callgrind_annotate --inclusive=no "$out/$peer.$large.callgrind" >"$out/$peer.annotate.txt" 2>/dev/null || true
	grep -E '^ *[0-9,]+ ' "$out/$peer.annotate.txt" >"$out/$peer.hot.txt" || true
	sed -n '1,26p' "$out/$peer.hot.txt"
	echo
done
