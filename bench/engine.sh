#!/usr/bin/env bash
# make bench-engine: for each engine, the engine alone in-process vs the HTTP server under wrk, in
# one run on this machine. Prints the figures and the server/engine ratios; writes them to
# bench/results/engine-summary.txt. (make bench compares the server with a naive one: bench/run.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/server.sh

DURATION=${DURATION:-20}            # seconds per wrk run
# On a machine with cores to spare, BENCH_CPUS pins the engine-alone runs and the server to those
# cores and WRK_CPUS pins wrk elsewhere (taskset lists, e.g. BENCH_CPUS=0-1 WRK_CPUS=2), so the
# load generator stops competing with the model. Unset, everything shares all cores.
CORES=$(on_bench_cpus nproc)
# engine-alone shapes, WORKERSxTHREADS: passes side by side x intra-op threads per pass; the best
# of all is the ceiling. The server runs with its defaults (INFERENCE_WORKERS/INFERENCE_THREADS from
# the environment, when set, are passed on).
PARALLELISM=${PARALLELISM:-"1x$CORES ${CORES}x1"}
ENGINES=${ENGINES:-"OnnxRuntime PyTorch"}
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
METRICS_PORT=${BENCH_METRICS_PORT:-19090}
JAR=model-server/target/model-server.jar
BENCH_JAR=bench/target/bench.jar
TORCHSCRIPT=$PWD/model-server/target/fixtures/all-minilm-l6-v2-torchscript
OUT=bench/results
mkdir -p "$OUT"
: >"$OUT/engine-summary.txt"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[[ -f $JAR && -f $BENCH_JAR ]] || mvn -q -B package -DskipTests

model_uri() {
  case $1 in
    OnnxRuntime) echo "bundled:all-minilm-l6-v2" ;;
    PyTorch)
      if [[ ! -f $TORCHSCRIPT/model.pt ]]; then
        tmp=$(mktemp -d)
        (cd "$tmp" && jar xf "$OLDPWD/$JAR" all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json)
        bash tools/torchscript-fixture.sh "$tmp/all-minilm-l6-v2.onnx" "$tmp/all-minilm-l6-v2-tokenizer.json" "$TORCHSCRIPT" >&2
        rm -rf "$tmp"
      fi
      echo "file://$TORCHSCRIPT" ;;
  esac
}

run_wrk() { # label connections batch
  local label=$1 conns=$2 batch=$3
  # warm the server at this shape, then measure
  BATCH=$batch on_wrk_cpus wrk -t1 -c"$conns" -d3s -s bench/predict.lua "http://127.0.0.1:$HTTP_PORT" >/dev/null
  BATCH=$batch on_wrk_cpus wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s -s bench/predict.lua \
    "http://127.0.0.1:$HTTP_PORT" | tee "$OUT/wrk-$label.txt" | grep RESULT
}

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$OUT/wrk-$1.txt"; }

bench_engine() { # engine
  local engine=$1 uri
  uri=$(model_uri "$engine")
  : >"$OUT/engine-$engine.txt"
  local shape
  for shape in $PARALLELISM; do
    echo "== $engine: engine alone (in-process, pre-tokenised, $shape workers x threads)"
    on_bench_cpus java -Xmx1g -cp "$JAR:$BENCH_JAR" dev.mlplatform.bench.EngineThroughput \
      bench/sentences.txt "$uri" "${shape%x*}" "${shape#*x}" 5 2>/dev/null | tee -a "$OUT/engine-$engine.txt"
  done
  local engine_best engine_best_at
  engine_best=$(awk '/^best/ {print $2}' "$OUT/engine-$engine.txt" | sort -g | tail -1)
  engine_best_at=$(awk -v best="$engine_best" '/^engine/ {shape=$3 "x" $6} /^best/ && $2 == best {print shape " workers x threads, batch " $NF; exit}' "$OUT/engine-$engine.txt")

  echo "== $engine: server"
  local start_ns pid
  start_ns=$(date +%s%N)
  start_server "$OUT/server-$engine.log" MODEL_URI="$uri"
  pid=$server_pid
  local ready_s rss_ready_mb rss_peak_mb
  ready_s=$(awk "BEGIN {printf \"%.2f\", ($(date +%s%N) - $start_ns) / 1e9}")
  rss_ready_mb=$(rss_mb $pid)
  local server_shape
  server_shape=$(curl -sf "localhost:$HTTP_PORT/info" | sed -n 's/.*"inference_workers":\([0-9]*\).*"inference_threads":\([0-9]*\).*/\1x\2/p')
  echo "ready after ${ready_s} s (process start to /health/ready 200), RSS ${rss_ready_mb} MB, $server_shape workers x threads"
  echo "-- wrk: 16 connections, 1 sentence per request"
  run_wrk "$engine-c16-b1" 16 1
  echo "-- wrk: 4 connections, 32 sentences per request"
  run_wrk "$engine-c4-b32" 4 32
  rss_peak_mb=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' /proc/$pid/status)
  kill $pid && wait $pid || true

  local single batch
  single=$(field "$engine-c16-b1" rps)
  batch=$(awk "BEGIN {print $(field "$engine-c4-b32" rps) * 32}")
  {
    echo "== $engine ($CORES cores${BENCH_CPUS:+ ($BENCH_CPUS)}${WRK_CPUS:+, wrk on $WRK_CPUS}, server $server_shape workers x threads, $(awk '/tokens on average/ {print $(NF-3); exit}' "$OUT/engine-$engine.txt") tokens per sentence on average)"
    printf '  engine alone, best shape     %7.1f embeddings/s (%s)\n' "$engine_best" "$engine_best_at"
    printf '  server c=16, 1 per request   %7.1f embeddings/s  ratio %.2f  p50 %s ms  p99 %s ms  errors %s\n' \
      "$single" "$(awk "BEGIN {print $single / $engine_best}")" "$(field "$engine-c16-b1" p50_ms)" "$(field "$engine-c16-b1" p99_ms)" "$(field "$engine-c16-b1" errors)"
    printf '  server c=4, 32 per request   %7.1f embeddings/s  ratio %.2f  p50 %s ms  p99 %s ms  errors %s\n' \
      "$batch" "$(awk "BEGIN {print $batch / $engine_best}")" "$(field "$engine-c4-b32" p50_ms)" "$(field "$engine-c4-b32" p99_ms)" "$(field "$engine-c4-b32" errors)"
    echo "  start to ready               ${ready_s} s"
    echo "  RSS                          ${rss_ready_mb} MB when ready, ${rss_peak_mb} MB peak"
  } >>"$OUT/engine-summary.txt"
}

for engine in $ENGINES; do
  bench_engine "$engine"
done
echo
cat "$OUT/engine-summary.txt"
