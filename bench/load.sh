#!/usr/bin/env bash
# The model server under load over time (make bench-load, make bench-soak). Starts the server jar,
# drives it with hey (Debian) in 10-second slices so every slice is a point on a timeline, samples
# RSS and queue depth, then writes bench/results/load-MODE.tsv, a summary and PNG plots (XChart).
#
#   load  (default) max throughput (wrk, 16 connections), a rate-limited run (hey -q, like
#         `hey -z 2m -q 5 -c 10`), overload beyond capacity with single and batch requests, and
#         the recovery right after it
#   soak  max throughput, then SOAK_MINUTES (10) at 80 % of it
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/server.sh

MODE=${1:-load}
SLICE=${SLICE:-10}                     # seconds per timeline point
SOAK_MINUTES=${SOAK_MINUTES:-10}
RATE_RPS=${RATE_RPS:-50}                # the rate-limited run: 10 workers x RATE_RPS/10 each
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
METRICS_PORT=${BENCH_METRICS_PORT:-19090}
MAX_QUEUE_SIZE=${MAX_QUEUE_SIZE:-1024}
JAR=model-server/target/model-server.jar
BENCH_JAR=bench/target/bench.jar
OUT=bench/results
URL="http://127.0.0.1:$HTTP_PORT/predict"
mkdir -p "$OUT"

for tool in wrk hey curl; do
  command -v $tool >/dev/null || { echo "$tool is needed: apt-get install $tool" >&2; exit 1; }
done
[[ -f $JAR && -f $BENCH_JAR ]] || mvn -q -B package -DskipTests

single=$(mktemp) batch=$(mktemp)
# (each kill may find its process gone; under set -e a failing kill would turn the exit status to 1)
trap 'rm -f "$single" "$batch"; [[ -n ${pid:-} ]] && { kill "$pid" 2>/dev/null || true; }; [[ -n ${sampler:-} ]] && { kill "$sampler" 2>/dev/null || true; }; true' EXIT
printf '{"texts": ["%s"]}' "$(sed -n 1p bench/sentences.txt)" >"$single"
{ printf '{"texts": ['; head -32 bench/sentences.txt | sed 's/.*/"&"/' | paste -sd, | tr -d '\n'; printf ']}'; } >"$batch"

start_server "$OUT/server-load-$MODE.log" MAX_QUEUE_SIZE="$MAX_QUEUE_SIZE"
pid=$server_pid

# RSS and queue depth four times a second, for the slices' peaks
samples=$OUT/samples-$MODE.tsv
(
  while kill -0 $pid 2>/dev/null; do
    rss=$(rss_mb $pid)
    depth=$(curl -s --max-time 1 "localhost:$METRICS_PORT/metrics" | awk '/^model_server_queue_depth / {printf "%.0f", $2}')
    echo "$(date +%s.%N) $rss ${depth:-0}"
    sleep 0.25
  done
) >"$samples" &
sampler=$!

timeline=$OUT/load-$MODE.tsv
echo -e "phase\tt_s\trps\tinputs_per_s\tp50_ms\tp99_ms\tok\tstatus_429\tstatus_other\tsocket_errors\trss_mb\tqueue_peak" >"$timeline"
t0=$(date +%s.%N)

# one slice of hey: phase inputs-per-request hey-args...
slice() {
  local phase=$1 inputs=$2 body
  shift 2
  body=$single
  ((inputs > 1)) && body=$batch
  local from now report
  from=$(date +%s.%N)
  report=$(hey -z "${SLICE}s" -t 20 -m POST -T application/json -D "$body" "$@" "$URL")
  now=$(date +%s.%N)
  awk -v phase="$phase" -v inputs="$inputs" -v t="$(awk "BEGIN {print $now - $t0}")" \
      -v from="$from" -v to="$now" -v samples="$samples" '
    /Requests\/sec:/ {rps = $2}
    /50% in/ {p50 = $3 * 1000}
    /99% in/ {p99 = $3 * 1000}
    /^Status code distribution:/ {section = "status"; next}
    /^Error distribution:/ {section = "errors"; next}
    section == "status" && /\[[0-9]+\]/ {
      code = substr($1, 2, 3)
      if (code ~ /^2/) ok += $2; else if (code == "429") s429 += $2; else other += $2
    }
    section == "errors" && /\[[0-9]+\]/ {errors += substr($1, 2, length($1) - 2)}
    END {
      while ((getline line < samples) > 0) {
        split(line, f, " ")
        if (f[1] >= from && f[1] <= to) { if (f[2] > rss) rss = f[2]; if (f[3] > queue) queue = f[3] }
      }
      # inputs/s counts embedded texts only: 429s carry none
      total = ok + s429 + other
      printf "%s\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t%d\t%d\t%d\n", phase, t, rps,
        (total > 0 ? rps * ok / total : 0) * inputs, p50, p99, ok, s429, other, errors, rss, queue
    }' <<<"$report" | tee -a "$timeline"
}

slices() { # phase seconds inputs hey-args...
  local phase=$1 seconds=$2 inputs=$3
  shift 3
  for _ in $(seq 1 $((seconds / SLICE))); do slice "$phase" "$inputs" "$@"; done
}

echo "== max throughput: wrk, 16 connections x 1 sentence"
wrk -t1 -c16 -d5s -s bench/predict.lua "http://127.0.0.1:$HTTP_PORT" >/dev/null
max_rps=$(BATCH=1 wrk -t1 -c16 -d20s --timeout 10s -s bench/predict.lua "http://127.0.0.1:$HTTP_PORT" \
  | tee "$OUT/wrk-load-$MODE-max.txt" | sed -n 's/.*rps=\([0-9.]*\).*/\1/p')
echo "max $max_rps requests/s"

case $MODE in
  load)
    echo "== rate-limited: $RATE_RPS requests/s (hey -c 10 -q $((RATE_RPS / 10)))"
    slices rate 60 1 -c 10 -q $((RATE_RPS / 10))
    echo "== overload, single sentences: 1,500 connections (queue holds $MAX_QUEUE_SIZE inputs)"
    slices overload-single 20 1 -c 1500
    echo "== overload, 32 sentences per request: 96 connections"
    slices overload-batch 20 32 -c 96
    echo "== recovery: $RATE_RPS requests/s right after"
    slices recovery 20 1 -c 10 -q $((RATE_RPS / 10))
    ;;
  soak)
    per_worker=$(awk "BEGIN {printf \"%.0f\", $max_rps * 0.8 / 16}")
    echo "== soak: ${SOAK_MINUTES} min at 80 % of max = 16 workers x $per_worker requests/s"
    slices soak $((SOAK_MINUTES * 60)) 1 -c 16 -q "$per_worker"
    ;;
  *) echo "unknown mode $MODE (load or soak)" >&2; exit 2 ;;
esac

kill $pid && wait $pid 2>/dev/null || true
pid=
java -cp "$JAR:$BENCH_JAR" dev.mlplatform.bench.LoadReport "$timeline" "$max_rps" "$MAX_QUEUE_SIZE" \
  | tee "$OUT/load-$MODE-summary.txt"
