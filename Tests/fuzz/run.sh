#!/usr/bin/env bash
# Builds waybill-fuzz with libFuzzer + AddressSanitizer and fuzzes every entry point for a
# short while, starting from the committed seed corpus. Fails when any target crashes, hangs
# (-timeout) or runs out of memory (-rss_limit_mb); the input that did it is left in
# $WORK/artifacts for minimising into Tests/fuzz/crashes (docs/fuzzing.md).
#
#   Tests/fuzz/run.sh                       # every target, WAYBILL_FUZZ_SECONDS (default 30) each
#   Tests/fuzz/run.sh parquet csv-shop      # only those targets
#   WAYBILL_FUZZ_SECONDS=600 Tests/fuzz/run.sh parquet
#
# Environment: SWIFT (default swift), WAYBILL_FUZZ_SCRATCH (build folder, default .build-fuzz),
# WAYBILL_FUZZ_WORK (corpus growth and artifacts, default a temporary folder),
# WAYBILL_FUZZ_JOBS (parallel fuzzing processes per target, default 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
SWIFT=${SWIFT:-swift}
SECONDS_EACH=${WAYBILL_FUZZ_SECONDS:-30}
SCRATCH=${WAYBILL_FUZZ_SCRATCH:-.build-fuzz}
WORK=${WAYBILL_FUZZ_WORK:-$(mktemp -d -t waybill-fuzz.XXXXXX)}
JOBS=${WAYBILL_FUZZ_JOBS:-1}
ALL=(csv-shop csv-tpch ndjson-tpch ndjson-jd archive unified parquet)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")

# Only the fuzz executable and what it links are built. -D WAYBILL_LIBFUZZER turns its
# replay tool off: main then runs libFuzzer's driver (Sources/waybill-fuzz). Linked with lld:
# ld.gold (the default) fails with an internal error on the sanitized objects' debug info.
# -Xcc instruments the project's own C and C++ targets too (the CSV splitter in CByteScan, the
# codec and simdjson shims): coverage guides the fuzzer into them and ASan checks their reads.
echo "== building waybill-fuzz with libFuzzer + ASan into $SCRATCH"
$SWIFT build -c release --scratch-path "$SCRATCH" --product waybill-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DWAYBILL_LIBFUZZER -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld \
  -Xcc -fsanitize=fuzzer-no-link,address 2>&1 \
  | grep -v -e 'ld.gold: warning' -e '^warning: ' || true
BIN=$($SWIFT build -c release --scratch-path "$SCRATCH" --show-bin-path)/waybill-fuzz
[ -x "$BIN" ] || { echo "fuzz build failed" >&2; exit 1; }

# -jobs runs separate processes that log to fuzz-N.log in the current folder: only when asked.
parallel=()
[ "$JOBS" -gt 1 ] && parallel=(-jobs="$JOBS" -workers="$JOBS")

# The Swift runtime's own crash handler would catch the trap first and then trip ASan while it
# walks memory; libFuzzer's handler reports the crash and writes the input.
export SWIFT_BACKTRACE=enable=no
# Leak checks off, also at exit: a compiled nested profile leaks ~150 bytes once (docs/fuzzing.md).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

status=0
for t in "${TARGETS[@]}"; do
  mkdir -p "$WORK/corpus/$t" "$WORK/artifacts/$t"
  seeds=(Tests/fuzz/corpus/$t)
  [ -d Tests/fuzz/crashes/$t ] && seeds+=(Tests/fuzz/crashes/$t)
  echo "== fuzzing $t for ${SECONDS_EACH}s (corpus growth in $WORK/corpus/$t)"
  # A grown corpus goes first: libFuzzer writes new inputs into the first folder only.
  if ! WAYBILL_FUZZ_TARGET=$t "$BIN" "$WORK/corpus/$t" "${seeds[@]}" \
      -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
      -max_len=65536 -detect_leaks=0 "${parallel[@]}" -print_final_stats=1 \
      -artifact_prefix="$WORK/artifacts/$t/" > "$WORK/$t.log" 2>&1; then
    echo "!! $t failed; last lines of $WORK/$t.log:" >&2
    tail -40 "$WORK/$t.log" >&2
    ls -l "$WORK/artifacts/$t" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$WORK/$t.log" | tr '\n' ' '
    echo
  fi
done
[ $status -eq 0 ] && echo "== fuzzing passed (${TARGETS[*]})"
exit $status
