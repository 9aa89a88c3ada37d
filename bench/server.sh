# Sourced by bench/run.sh, bench/engine.sh and bench/load.sh: the model server jar ($JAR) started
# cold on the bench's ports ($HTTP_PORT, $METRICS_PORT), and its resident memory.

# The JVM flags of the image (Dockerfile.server) that matter for speed and memory: C1 only, and
# a capped young generation.
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-"-XX:TieredStopAtLevel=1 -XX:MaxNewSize=128m"}

# on_bench_cpus CMD... / on_wrk_cpus CMD...: CMD pinned to BENCH_CPUS / WRK_CPUS when set.
on_bench_cpus() { if [[ -n ${BENCH_CPUS:-} ]]; then taskset -c "$BENCH_CPUS" "$@"; else "$@"; fi; }
on_wrk_cpus() { if [[ -n ${WRK_CPUS:-} ]]; then taskset -c "$WRK_CPUS" "$@"; else "$@"; fi; }

# start_server LOG [VAR=value ...]: starts the server with those extra settings and no drain, sets
# server_pid, and returns once /health/ready answers 200 (or after 60 s); exits with the log if the
# server dies while starting.
start_server() {
  local log=$1
  shift
  local pin=() # not on_bench_cpus: a function in the background is a subshell, and $! must be java
  [[ -z ${BENCH_CPUS:-} ]] || pin=(taskset -c "$BENCH_CPUS")
  ${pin[@]+"${pin[@]}"} env "$@" HTTP_PORT="$HTTP_PORT" METRICS_PORT="$METRICS_PORT" \
    SHUTDOWN_DRAIN_SECONDS=0 java -Xmx1g $SERVER_JAVA_OPTS -jar "$JAR" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 1200); do
    curl -sf "localhost:$HTTP_PORT/health/ready" >/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.05
  done
}

# rss_mb PID: resident memory in MB (0 once the process is gone)
rss_mb() {
  awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0
}
