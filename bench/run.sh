#!/usr/bin/env bash
# make bench: the model server against a naive ONNX Runtime server (bench's NaiveOrtServer: the same
# model files and onnxruntime jar, one request = one inference), all driven by the same wrk script at
# the same concurrency, in one run on this machine; fp32, then the int8 model. The naive server runs
# twice: with ONNX Runtime's default session options ("baseline", what the issue's targets name) and
# tuned ("tuned": one intra-op thread, so concurrent requests do not fight over ORT's spinning pool).
# Prints one table with the ratios ours / each and writes it, with every wrk output and the servers'
# logs, to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/server.sh

DURATION=${DURATION:-20} # seconds per wrk run (after 3 s of warm-up at the same shape)
ROUNDS=${ROUNDS:-1}      # how many times each shape alternates ours / baselines (the best counts)
MODELS=${MODELS:-"all-minilm-l6-v2 all-minilm-l6-v2-q"}
ONLY=${ONLY:-} # shape labels to run (e.g. "mixed"), all when empty
HTTP_PORT=${BENCH_HTTP_PORT:-18080}
METRICS_PORT=${BENCH_METRICS_PORT:-19090}
BASELINE_PORT=${BENCH_BASELINE_PORT:-18081} # the tuned one listens on the next port
# name env...: the naive servers, each started fresh per model
BASELINES=(
  "baseline"
  "tuned BASELINE_INTRA_OP_THREADS=1"
)
JAR=model-server/target/model-server.jar
BENCH_JAR=bench/target/bench.jar
OUT=bench/results
mkdir -p "$OUT"

# label connections texts-per-request corpus
SHAPES=(
  "single 16 1 bench/sentences.txt"
  "batch 4 32 bench/sentences.txt"
  "mixed 16 1 bench/mixed.txt"
  "mixed-batch 4 8 bench/mixed.txt"
)

command -v wrk >/dev/null || { echo "wrk is needed: make bench-deps" >&2; exit 1; }
[[ -f $JAR && -f $BENCH_JAR ]] || mvn -q -B package -DskipTests

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# wait_ready PID PORT LOG: until /health/ready answers 200 (60 s at most)
wait_ready() {
  for _ in $(seq 1 1200); do
    curl -sf "localhost:$2/health/ready" >/dev/null && return 0
    kill -0 "$1" 2>/dev/null || { cat "$3"; exit 1; }
    sleep 0.05
  done
  echo "not ready after 60 s: $3" >&2
  exit 1
}

seconds_since() { awk "BEGIN {printf \"%.2f\", ($(date +%s%N) - $1) / 1e9}"; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$OUT/wrk-$1.txt" | tail -1; }

run_wrk() { # file-label port connections batch corpus
  local label=$1 port=$2 conns=$3 batch=$4 corpus=$5
  BATCH=$batch SENTENCES=$corpus on_wrk_cpus wrk -t1 -c"$conns" -d3s --timeout 30s \
    -s bench/predict.lua "http://127.0.0.1:$port" >/dev/null
  BATCH=$batch SENTENCES=$corpus on_wrk_cpus wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 30s \
    -s bench/predict.lua "http://127.0.0.1:$port" >>"$OUT/wrk-$label.txt"
  echo "   $label: $(tail -1 "$OUT/wrk-$label.txt")"
}

# best_of LABEL: the round with the highest throughput, as "rps p99 errors"
best_of() {
  sed -n 's/.*rps=\([0-9.]*\) .*p99_ms=\([0-9.]*\) errors=\([0-9]*\).*/\1 \2 \3/p' "$OUT/wrk-$1.txt" |
    sort -g -k1 | tail -1
}

table=$OUT/summary.md
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A base_pid base_port base_ready # by baseline name, for the model being run
declare -A cell # "row|model" -> markdown cells: ours, then each baseline and its ratio
for model in $MODELS; do
  echo "== $model: starting our server, then the baselines"
  rm -f "$OUT"/wrk-*-"$model".txt
  start_ns=$(date +%s%N)
  ${BENCH_CPUS:+taskset -c "$BENCH_CPUS"} env MODEL_URI="bundled:$model" HTTP_PORT="$HTTP_PORT" \
    METRICS_PORT="$METRICS_PORT" SHUTDOWN_DRAIN_SECONDS=0 \
    java -Xmx1g $SERVER_JAVA_OPTS -jar "$JAR" >"$OUT/server-$model.log" 2>&1 &
  ours=$!
  pids+=("$ours")
  wait_ready "$ours" "$HTTP_PORT" "$OUT/server-$model.log"
  ours_ready=$(seconds_since "$start_ns")
  ours_rss_ready=$(rss_mb "$ours")
  port=$BASELINE_PORT
  for baseline in "${BASELINES[@]}"; do
    read -r name settings <<<"$baseline"
    start_ns=$(date +%s%N)
    ${BENCH_CPUS:+taskset -c "$BENCH_CPUS"} env $settings java -Xmx1g -cp "$JAR:$BENCH_JAR" \
      dev.mlplatform.bench.NaiveOrtServer "$port" "$model" >"$OUT/$name-$model.log" 2>&1 &
    base_pid[$name]=$!
    base_port[$name]=$port
    pids+=("$!")
    wait_ready "$!" "$port" "$OUT/$name-$model.log"
    base_ready[$name]=$(seconds_since "$start_ns")
    port=$((port + 1))
  done
  echo "   ready: ours ${ours_ready} s (RSS ${ours_rss_ready} MB), baseline ${base_ready[baseline]} s"

  for shape in "${SHAPES[@]}"; do
    read -r label conns batch corpus <<<"$shape"
    [[ -z $ONLY || " $ONLY " == *" $label "* ]] || continue
    echo "-- $model, $label: $conns connections x $batch text(s) per request from $corpus"
    for _ in $(seq 1 "$ROUNDS"); do
      run_wrk "$label-ours-$model" "$HTTP_PORT" "$conns" "$batch" "$corpus"
      for baseline in "${BASELINES[@]}"; do
        read -r name _ <<<"$baseline"
        run_wrk "$label-$name-$model" "${base_port[$name]}" "$conns" "$batch" "$corpus"
      done
    done
    read -r o_rps o_p99 o_err <<<"$(best_of "$label-ours-$model")"
    row=$(awk -v b="$batch" -v rps="$o_rps" -v p99="$o_p99" -v err="$o_err" 'BEGIN {
      printf "%.1f (%.0f ms)%s", rps * b, p99, (err > 0 ? sprintf(" (errors %d)", err) : "") }')
    for baseline in "${BASELINES[@]}"; do
      read -r name _ <<<"$baseline"
      read -r b_rps b_p99 b_err <<<"$(best_of "$label-$name-$model")"
      row+=$(awk -v b="$batch" -v orps="$o_rps" -v brps="$b_rps" -v bp99="$b_p99" -v err="$b_err" 'BEGIN {
        printf " | %.1f (%.0f ms)%s | **%.2f**", brps * b, bp99,
          (err > 0 ? sprintf(" (errors %d)", err) : ""), (brps > 0 ? orps / brps : 0) }')
    done
    cell["$label|$model"]=$row
  done
  row_ready="${ours_ready} s"
  row_rss="${ours_rss_ready} / $(peak_rss_mb "$ours") MB"
  for baseline in "${BASELINES[@]}"; do
    read -r name _ <<<"$baseline"
    row_ready+=" | ${base_ready[$name]} s | "
    row_rss+=" | $(peak_rss_mb "${base_pid[$name]}") MB | "
  done
  kill "$ours" "${base_pid[@]}"
  wait "$ours" "${base_pid[@]}" 2>/dev/null || true
  cell["start|$model"]=$row_ready
  cell["rss|$model"]=$row_rss
done

echo "== int8 against fp32 on the mixed corpus, text by text"
quality=$(java -Xmx1g -Dai.djl.offline=true -Dai.djl.onnx.disable_alternative=true \
  -cp "$JAR:$BENCH_JAR" dev.mlplatform.bench.QuantizedQuality bench/mixed.txt \
  bundled:all-minilm-l6-v2 bundled:all-minilm-l6-v2-q 2>/dev/null)
echo "$quality"

{
  echo "make bench: $(nproc) cores$([[ -n ${BENCH_CPUS:-} ]] && echo " (servers on $BENCH_CPUS)")$([[ -n ${WRK_CPUS:-} ]] && echo ", wrk on $WRK_CPUS"), ${DURATION} s per run, best of $ROUNDS round(s), load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo
  for model in $MODELS; do # one table per model: ours, then each baseline and ours / it
    header="| $model: embeddings/s (p99) | ours |"
    rule="|---|---|"
    for baseline in "${BASELINES[@]}"; do
      read -r name _ <<<"$baseline"
      header+=" $name | ratio |"
      rule+="---|---|"
    done
    echo "$header"
    echo "$rule"
    for shape in "${SHAPES[@]}"; do
      read -r label conns batch corpus <<<"$shape"
      [[ -z $ONLY || " $ONLY " == *" $label "* ]] || continue
      echo "| $label: $conns conn. x $batch, $(basename "$corpus") | ${cell["$label|$model"]} |"
    done
    echo "| start to ready | ${cell["start|$model"]} |"
    echo "| RSS when ready / peak (baselines: peak) | ${cell["rss|$model"]} |"
    echo
  done
  echo "$quality" | sed 's/^/    /'
} >"$table"
echo
cat "$table"
