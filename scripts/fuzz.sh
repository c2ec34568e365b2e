#!/usr/bin/env bash
# Builds every libFuzzer target in fuzz/ (clang, ASan + UBSan, no PHP) and runs
# each for SECONDS (default 60), starting from its committed seed corpus.
#   scripts/fuzz.sh [SECONDS]
#   FUZZ_OUT=/tmp/x scripts/fuzz.sh 10       build and work directory (default /tmp/php-smtp-fuzz)
#   FUZZ_TARGETS="reply qp" scripts/fuzz.sh  only some targets
# A crash, a leak, a sanitizer report or a broken invariant (FUZZ_CHECK aborts)
# fails the target; its input is kept in $FUZZ_OUT/artifacts/. The committed
# corpus is only read: new inputs go to $FUZZ_OUT/corpus/<target>/.
# Prints one line per target, then "N passed, N failed"; exits 1 on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out=${FUZZ_OUT:-/tmp/php-smtp-fuzz}
lib=$root/src/lib

"$root/scripts/deps.sh" fuzz

# target -> the library sources it links (and extra libraries after a '|')
declare -A sources=(
	[reply]="reply.c"
	[redact]="redact.c reply.c"
	[crlf_source]="source.c"
	[address]="address.c|$(pkg-config --libs libidn2)"
	[base64]="encode.c source.c"
	[qp]="encode.c source.c"
	[header]="encode.c source.c"
	[mime]="mime.c encode.c source.c"
	[spool]="spool_file.c address.c source.c|$(pkg-config --libs libidn2)"
	[dkim_canon]="dkim.c encode.c source.c|$(pkg-config --libs libcrypto)"
	[stuffing]="stuffing.c"
	[mail_headers]="mail_headers.c address.c|$(pkg-config --libs libidn2)"
)
order=(reply redact crlf_source address base64 qp header mime spool dkim_canon stuffing mail_headers)
[ -n "${FUZZ_TARGETS:-}" ] && read -r -a order <<<"$FUZZ_TARGETS"

cflags=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-D_GNU_SOURCE -Wall -Wextra -Werror -Wno-sign-compare -I"$lib" -I"$root/fuzz"
	$(pkg-config --cflags libidn2 libcrypto))
mkdir -p "$out/bin" "$out/artifacts" "$out/logs"

passed=0 failed=0
for target in "${order[@]}"; do
	spec=${sources[$target]:-}
	if [ -z "$spec" ]; then
		echo "FAIL $target: unknown target"; failed=$((failed + 1)); continue
	fi
	srcs=() libs=()
	for f in ${spec%%|*}; do srcs+=("$lib/$f"); done
	[[ $spec == *"|"* ]] && read -r -a libs <<<"${spec#*|}"
	log=$out/logs/$target.log
	if ! clang "${cflags[@]}" -o "$out/bin/fuzz_$target" "$root/fuzz/fuzz_$target.c" "${srcs[@]}" "${libs[@]}" \
		>"$log.build" 2>&1; then
		echo "FAIL $target: does not build (see $log.build)"; failed=$((failed + 1)); continue
	fi
	mkdir -p "$out/corpus/$target"
	rc=0
	# -rss_limit_mb guards against runaway allocations; -timeout flags a hang as a failure.
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$out/bin/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$target-" \
		"$out/corpus/$target" "$root/fuzz/corpus/$target" >"$log" 2>&1 || rc=$?
	# (|| true: a run that crashed at once has no stats, and grep finding nothing is not an error here)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1 || true)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2 || true)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2 || true)
	if [ "$rc" -eq 0 ]; then
		echo "PASS $target: ${runs:-?} runs, cov ${cov:-?}, ft ${ft:-?} in ${seconds}s"
		passed=$((passed + 1))
	else
		why=$(grep -m1 -E 'INVARIANT BROKEN|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$log" || true)
		echo "FAIL $target: ${why:-exit $rc} (log $log, input in $out/artifacts/)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
