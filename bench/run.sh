#!/usr/bin/env bash
# make bench: the engine alone in-process vs the HTTP server under wrk, in one run on this machine.
# Prints the figures and the server/engine ratios, and writes them to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}            # seconds per wrk run
THREADS=${INFERENCE_THREADS:-2}     # engine intra-op threads, for the engine run and the server
MODEL=${BENCH_MODEL:-all-minilm-l6-v2}
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
METRICS_PORT=${BENCH_METRICS_PORT:-19090}
JAR=model-server/target/model-server.jar
BENCH_JAR=bench/target/bench.jar
OUT=bench/results
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[[ -f $JAR && -f $BENCH_JAR ]] || mvn -q -B package -DskipTests

echo "== engine alone (in-process, pre-tokenised, $THREADS threads)"
java -Xmx1g -Dai.djl.offline=true -Dai.djl.onnx.disable_alternative=true \
  -cp "$JAR:$BENCH_JAR" dev.mlplatform.bench.EngineThroughput bench/sentences.txt "$MODEL" "$THREADS" 5 | tee "$OUT/engine.txt"
engine_best=$(awk '/^best/ {print $2}' "$OUT/engine.txt")

echo "== server"
start_ns=$(date +%s%N)
MODEL_URI="bundled:$MODEL" HTTP_PORT=$HTTP_PORT METRICS_PORT=$METRICS_PORT INFERENCE_THREADS=$THREADS \
  java -Xmx1g -jar "$JAR" >"$OUT/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "localhost:$HTTP_PORT/health/ready" >/dev/null; do
  kill -0 $pid 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
  sleep 0.02
done
ready_s=$(awk "BEGIN {printf \"%.2f\", ($(date +%s%N) - $start_ns) / 1e9}")
rss_ready_mb=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/$pid/status)
echo "ready after ${ready_s} s (process start to /health/ready 200), RSS ${rss_ready_mb} MB"

run_wrk() { # name connections batch
  local name=$1 conns=$2 batch=$3
  # warm the server at this shape, then measure
  BATCH=$batch wrk -t1 -c"$conns" -d3s -s bench/predict.lua "http://127.0.0.1:$HTTP_PORT" >/dev/null
  BATCH=$batch wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s -s bench/predict.lua \
    "http://127.0.0.1:$HTTP_PORT" | tee "$OUT/wrk-$name.txt" | grep RESULT
}
echo "== wrk: 16 connections, 1 sentence per request"
run_wrk c16-b1 16 1
echo "== wrk: 4 connections, 32 sentences per request"
run_wrk c4-b32 4 32
rss_peak_mb=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' /proc/$pid/status)
rss_end_mb=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/$pid/status)

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$OUT/wrk-$1.txt"; }
single_rps=$(field c16-b1 rps)
batch_eps=$(awk "BEGIN {print $(field c4-b32 rps) * 32}")
{
  echo "== summary ($(nproc) cores, engine $THREADS threads, model $MODEL)"
  printf 'engine best                 %8.1f embeddings/s\n' "$engine_best"
  printf 'server c=16, 1 per request  %8.1f embeddings/s  ratio %.2f  p50 %s ms  p99 %s ms  errors %s\n' \
    "$single_rps" "$(awk "BEGIN {print $single_rps / $engine_best}")" "$(field c16-b1 p50_ms)" "$(field c16-b1 p99_ms)" "$(field c16-b1 errors)"
  printf 'server c=4, 32 per request  %8.1f embeddings/s  ratio %.2f  p50 %s ms  p99 %s ms  errors %s\n' \
    "$batch_eps" "$(awk "BEGIN {print $batch_eps / $engine_best}")" "$(field c4-b32 p50_ms)" "$(field c4-b32 p99_ms)" "$(field c4-b32 errors)"
  echo "start to ready              ${ready_s} s"
  echo "RSS                         ${rss_ready_mb} MB ready, ${rss_end_mb} MB after load, ${rss_peak_mb} MB peak"
} | tee "$OUT/summary.txt"
