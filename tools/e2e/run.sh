#!/usr/bin/env bash
# End-to-end tests on a real single-node cluster (`make e2e`): build both images with podman,
# start the cluster (tools/e2e/cluster.sh), import the images into its containerd, install the
# operator as a user would (kubectl apply -f crds/ and -k k8s/overlays/dev, the image set to the
# local tags), run the scenarios, check that no packet left the machine, tear everything down and
# check that nothing is left. Prints a timing table at the end.
#
#   KEEP=1               leave the cluster up (and print `export KUBECONFIG=...`); `make e2e-down`
#   E2E_SCENARIOS="..."  the scenarios to run, in order (default: all: minimal delete full rollout autoscale heal failures gitops)
#   E2E_RESULTS=DIR      where scenarios write what they measured (default /var/tmp/mlplatform-e2e-results):
#                        autoscale/timeline.png, timeline.csv, load.csv, summary.txt
#   E2E_ARTIFACTS=DIR    where the component logs go when a run fails (default
#                        /var/tmp/mlplatform-e2e-artifacts; cleared at the start of each run)
#   E2E_TIMEOUT=SECONDS  how long to wait for pods and conditions (default 300; the CPU is shared)
#   E2E_IMAGES=DIR       use the images in DIR (from `tools/images.sh save DIR`) instead of building
#                        them; for iterating on the scenarios
#
# Scenarios (each a named check; on failure: pods' describe, logs, events, the operator's log):
#   minimal  examples/modelserver-minimal.yaml: the Deployment's pods become Ready, `kubectl get
#            msrv` shows the row, status Ready with its URL, and from the host through the
#            ClusterIP (kube-proxy): POST /predict answers 384 floats, POST /v1/embeddings the
#            OpenAI shape; the pod has no default route
#   delete   deleting the ModelServer removes every child (garbage collection by owner
#            references) and its pods terminate
#   full     examples/modelserver-full.yaml with its API key Secret, through kustomize as a team
#            applies it (image set to the local tag, requests that fit 2 CPUs): pods Ready;
#            /predict 401 without or with a wrong key, 200 with the Secret's; probes need no key;
#            MonitoringReady=False/ServiceMonitorCRDMissing (no Prometheus Operator) yet Ready; the
#            NetworkPolicy written (the bridge CNI does not enforce it); the key in no ConfigMap,
#            status or Event
#   rollout  a ModelServer (requests that leave room for the surge pod) under load from 4 clients
#            through its ClusterIP while `kubectl patch` changes spec.batching: the config hash
#            rolls the pods, the status goes Progressing then Ready at the new generation, and not
#            one request fails (readiness, drain and maxUnavailable 0 on a real kubelet and
#            kube-proxy; 429s would be counted apart)
#   autoscale spec.autoscaling.metric=queue: the operator serves the queue as external.metrics.k8s.io
#            (APIService Available, AutoscalingReady); a load ramp through the ClusterIP (2, then 24
#            clients) makes kube-controller-manager's HPA scale the Deployment up, the new pods
#            become Ready and take traffic, the ramp ends (1 client) and it scales back to 1 after
#            its 30 s stabilization window; zero failed requests (429s counted apart); the timeline
#            (replicas, queue, p99, errors) drawn with gnuplot into E2E_RESULTS/autoscale
#   heal     self-healing: a deleted pod is replaced and the ModelServer Ready again; a deleted
#            Deployment is recreated by the operator (new uid) and Ready again; then the operator
#            runs as production does (2 replicas, LEADER_ELECTION=true), the Lease holder is killed
#            (SIGKILL) and a change made at once: the other replica takes the Lease and reconciles
#            the change
#   gitops   the Argo CD example's sync waves without Argo CD: the development install removed,
#            the Prometheus Operator's CRDs (stand-ins), wave 0 the prod overlay (server-side,
#            local images; 2 replicas, one leads), wave 1 the team's directory (examples'
#            ModelServers and Secret; requests made to fit 2 CPUs); Argo CD's health.lua on each
#            live ModelServer: Progressing right after the sync, then Healthy; the ServiceMonitor
#            made now that its API is served. Runs last: it replaces the operator install
#   failures failure visibility, in a namespace of its own: a ModelServer whose model cannot load
#            (a file:// URI that does not exist) ends Degraded with reason ModelLoadFailed and the
#            server's own message, one whose image does not exist with ImagePullBackOff (or
#            ErrImagePull) naming the image, one whose requests no node meets with Unschedulable
#            and the scheduler's message; a Warning Event; then the namespace goes
#
# Needs root (or passwordless sudo), the jars (`make build`), what tools/images.sh and
# tools/e2e/cluster.sh need (`make images-deps`; cluster.sh installs containerd, conntrack,
# socat with apt-get when they are missing).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

if [ "$(id -u)" != 0 ]; then
  sudo -n true 2>/dev/null || {
    echo "run.sh: needs root (podman, containerd, iptables, cgroups), or passwordless sudo" >&2
    exit 1
  }
  exec sudo -n --preserve-env=PATH,HOME,JAVA_HOME,MLPLATFORM_CACHE,MLPLATFORM_SHARED_K8S,KEEP,E2E_SCENARIOS,E2E_RESULTS,E2E_ARTIFACTS,E2E_TIMEOUT,E2E_DIR,E2E_IMAGES \
    bash "$0" "$@"
fi

CLUSTER=tools/e2e/cluster.sh
KEEP=${KEEP:-}
SCENARIOS=${E2E_SCENARIOS:-minimal delete full rollout autoscale heal failures gitops}
RESULTS=${E2E_RESULTS:-/var/tmp/mlplatform-e2e-results}
ARTIFACTS=${E2E_ARTIFACTS:-/var/tmp/mlplatform-e2e-artifacts}
TIMEOUT=${E2E_TIMEOUT:-300}
DIR=${E2E_DIR:-/var/tmp/mlplatform-e2e}
export KUBECONFIG=$DIR/kubeconfig KUBECACHEDIR=$DIR/kube-cache
KUBECTL=${E2E_K8S_BIN:-${MLPLATFORM_CACHE:-$HOME/.cache/mlplatform}/k8s/v1.32.6}/kubectl
kubectl() { "$KUBECTL" "$@"; }

say() { printf '==> %s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

# --- timing table and named checks --------------------------------------------------------------

steps=()     # "name|seconds|result"
run_t0=$(now)
failed=""    # the first failed step or check
step_name="" # the step running now
step_t0=""

step_begin() {
  step_name=$1
  step_t0=$(now)
  say "$1"
}
step_end() { # [result]
  steps+=("$step_name|$(elapsed "$step_t0")|${1:-ok}")
  step_name=""
}

# check NAME CMD...: a named assertion; prints PASS or FAIL and, on failure, CMD's output
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    out=$(tail -n 1 <<<"$out")
    printf '    PASS  %s%s\n' "$name" "${out:+: $out}"
  else
    printf '    FAIL  %s\n' "$name"
    [ -z "$out" ] || sed 's/^/          /' <<<"$out"
    failed=${failed:-"$step_name: $name"}
    return 1
  fi
}

table() {
  local line name secs result total
  total=$(elapsed "$run_t0")
  printf '\n%-44s %9s  %s\n' step seconds result
  printf '%-44s %9s  %s\n' "--------------------------------------------" "---------" "------"
  for line in "${steps[@]}"; do
    IFS='|' read -r name secs result <<<"$line"
    printf '%-44s %9s  %s\n' "$name" "$secs" "$result"
  done
  printf '%-44s %9s\n' total "$total"
}

# --- diagnostics --------------------------------------------------------------------------------

diagnose() { # NAMESPACE: what explains a failure there
  local ns=$1 pod
  echo
  echo "----- diagnostics: namespace $ns -----"
  kubectl get modelservers,all,configmaps,pdb -n "$ns" -o wide 2>&1 || true
  kubectl get modelservers -n "$ns" -o yaml 2>&1 | sed -n '/^  status:/,/^- /p' || true
  for pod in $(kubectl get pods -n "$ns" -o name 2>/dev/null); do
    echo "--- describe $pod"
    kubectl describe -n "$ns" "$pod" 2>&1 | tail -40
    echo "--- logs $pod (last 40 lines)"
    kubectl logs -n "$ns" "$pod" --all-containers --tail 40 2>&1 || true
    kubectl logs -n "$ns" "$pod" --all-containers --previous --tail 20 2>/dev/null |
      sed 's/^/previous: /' || true
  done
  echo "--- events in $ns"
  kubectl get events -n "$ns" --sort-by=.lastTimestamp 2>&1 | tail -30
  echo "--- operator log (last 30 lines above DEBUG)"
  kubectl logs -n mlplatform-dev deploy/mlplatform-operator 2>&1 | grep -v ' DEBUG ' | tail -n 30 | cut -c1-400 || true
  echo "-----"
}

# --- teardown and exit --------------------------------------------------------------------------

images_dir=""
finish() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$step_name" ]; then
    failed=${failed:-$step_name}
    step_end "FAILED"
  fi
  [ "$rc" = 0 ] || failed=${failed:-"exit status $rc"}
  [ -z "$images_dir" ] || rm -rf "$images_dir"
  if [ -n "$failed" ] && [ -d "$DIR/logs" ]; then
    rm -rf "$ARTIFACTS"
    mkdir -p "$ARTIFACTS"
    cp -a "$DIR/logs/." "$ARTIFACTS/" 2>/dev/null || true
    echo "component logs of the failed run: $ARTIFACTS"
  fi
  if [ -n "$KEEP" ] && [ -f "$DIR/state/up" ]; then
    say "KEEP=1: the cluster stays up, the operator installed in mlplatform-dev (the scenarios removed what they made); \`make e2e-down\` removes it"
    echo "export KUBECONFIG=$KUBECONFIG KUBECACHEDIR=$KUBECACHEDIR"
    echo "kubectl: $KUBECTL (v1.32.6)"
  else
    step_begin "teardown"
    if bash "$CLUSTER" down && bash "$CLUSTER" check-clean; then
      step_end
    else
      step_end "FAILED"
      failed=${failed:-teardown}
    fi
  fi
  table
  if [ -n "$failed" ]; then
    echo "E2E FAILED: $failed"
    exit 1
  fi
  echo "E2E PASSED"
  exit 0
}
trap finish EXIT
trap 'echo "interrupted"; failed=${failed:-"interrupted during ${step_name:-setup}"}; exit 130' INT TERM

# --- preflight ----------------------------------------------------------------------------------

if [ -z "${E2E_IMAGES:-}" ] && { [ ! -f model-server/target/model-server.jar ] ||
  ! ls operator/target/operator-*-all.jar >/dev/null 2>&1; }; then
  echo "run.sh: build the jars first: make build" >&2
  failed="preflight: jars missing"
  exit 1
fi
if [ -e "$DIR/state/up" ]; then
  echo "run.sh: a cluster is already up in $DIR (KEEP=1 earlier?): make e2e-down first" >&2
  KEEP=1 # leave it alone
  failed="preflight: cluster already up"
  exit 1
fi
for scenario in $SCENARIOS; do
  case $scenario in
    minimal | delete | full | rollout | autoscale | heal | failures | gitops) ;;
    *)
      echo "run.sh: unknown scenario $scenario (known: minimal delete full rollout autoscale heal failures gitops)" >&2
      failed="preflight"
      exit 2
      ;;
  esac
done

# the binaries and packages first: no image build for a cluster that cannot start
bash "$CLUSTER" prepare || {
  failed="preflight: the cluster's binaries or packages"
  exit 1
}

# --- images, cluster, operator ------------------------------------------------------------------

if [ -n "${E2E_IMAGES:-}" ]; then
  [ -f "$E2E_IMAGES/images.tar" ] && [ -f "$E2E_IMAGES/images.env" ] || {
    failed="preflight: E2E_IMAGES=$E2E_IMAGES holds no images.tar and images.env (tools/images.sh save DIR)"
    exit 1
  }
  tar=$E2E_IMAGES/images.tar
  # shellcheck disable=SC1091
  . "$E2E_IMAGES/images.env"
  say "images from $E2E_IMAGES (not rebuilt): $SERVER_IMAGE $OPERATOR_IMAGE"
else
  step_begin "image build (tools/images.sh save)"
  images_dir=$(mktemp -d /var/tmp/mlplatform-e2e-images.XXXXXX)
  IMAGE_TAG=e2e bash tools/images.sh save "$images_dir" 2>&1 | sed 's/^/    /'
  tar=$images_dir/images.tar
  # shellcheck disable=SC1091
  . "$images_dir/images.env"
  step_end
fi

step_begin "cluster up"
bash "$CLUSTER" up 2>&1 | sed 's/^/    /'
step_end

step_begin "image import (ctr, k8s.io namespace)"
bash "$CLUSTER" import "$tar"
if [ -n "$images_dir" ]; then
  rm -rf "$images_dir"
  images_dir=""
fi
step_end

step_begin "operator install (crds/, k8s/overlays/dev)"
install=$DIR/operator-install
mkdir -p "$install"
# the dev overlay as a user applies it, with the images set to the local tags
cat >"$install/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$install" k8s/overlays/dev)
images:
  - name: mlplatform/operator
    newName: ${OPERATOR_IMAGE%:*}
    newTag: ${OPERATOR_IMAGE##*:}
patches:
  - target:
      kind: Deployment
      name: mlplatform-operator
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: mlplatform-operator
      spec:
        template:
          spec:
            containers:
              - name: operator
                env:
                  - name: DEFAULT_SERVER_IMAGE
                    value: $SERVER_IMAGE
EOF
kubectl apply -f crds/ | sed 's/^/    /'
# kubectl wait fails at once ("accessor error: <nil>") on a CRD whose status has no conditions
# yet, as a CRD has for a moment after its creation: retried
for _ in $(seq 1 20); do
  kubectl wait --for=condition=Established crd/modelservers.serving.mlplatform.dev --timeout=60s >/dev/null 2>&1 && break
  sleep 0.5
done
kubectl wait --for=condition=Established crd/modelservers.serving.mlplatform.dev --timeout=60s >/dev/null
# discovery may lag the Established condition by a second or two
for _ in $(seq 1 40); do
  kubectl api-resources --api-group=serving.mlplatform.dev 2>/dev/null | grep -q modelservers && break
  sleep 0.25
done
kubectl apply -k "$install" | sed 's/^/    /'
image=$(kubectl get deploy -n mlplatform-dev mlplatform-operator -o jsonpath='{.spec.template.spec.containers[0].image}')
check "operator image is the local build" test "$image" = "$OPERATOR_IMAGE" || exit 1
if ! kubectl rollout status -n mlplatform-dev deploy/mlplatform-operator --timeout="${TIMEOUT}s" | sed 's/^/    /'; then
  failed="operator install: the operator's Deployment did not become available"
  diagnose mlplatform-dev
  exit 1
fi
step_end

# --- scenarios ----------------------------------------------------------------------------------

NS=default
NAME=minilm

# json_check PYTHON: runs PYTHON on the JSON read from stdin (as `body`); prints what it returns
json_check() {
  python3 -c "
import json, sys
body = json.load(sys.stdin)
$1
"
}

predict() {
  local ip=$1
  curl -sS --fail-with-body -m 30 -H 'Content-Type: application/json' \
    -d '{"texts":["hello world"]}' "http://$ip/predict" | json_check '
vectors = body["embeddings"]
assert len(vectors) == 1, f"{len(vectors)} vectors"
assert len(vectors[0]) == 384 and all(isinstance(x, float) for x in vectors[0]), f"{len(vectors[0])} values"
model = body.get("model")
print(f"1 vector of 384 floats, model {model}")'
}

openai_embeddings() {
  local ip=$1
  curl -sS --fail-with-body -m 30 -H 'Content-Type: application/json' \
    -d '{"input":"hello"}' "http://$ip/v1/embeddings" | json_check '
assert body["object"] == "list", body["object"]
d = body["data"][0]
assert d["object"] == "embedding" and d["index"] == 0, d
assert len(d["embedding"]) == 384 and all(isinstance(x, float) for x in d["embedding"]), len(d["embedding"])
model, usage = body.get("model"), body.get("usage")
print(f"object list, data[0].embedding of 384 floats, model {model}, usage {usage}")'
}

msrv_row() {
  local row
  row=$(kubectl get msrv -n "$NS" "$NAME" --no-headers)
  echo "$row" | tr -s ' '
  # NAME MODEL READY MIN MAX STATUS AGE
  awk '$1 == "'"$NAME"'" && $3 == "1/1" && $6 == "Ready" {ok = 1} END {exit !ok}' <<<"$row"
}

ready_with_url() {
  local cond url
  cond=$(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')
  url=$(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.status.url}')
  echo "Ready=$cond, url $url"
  [ "$cond" = True ] && [ "$url" = "http://$NAME.$NS.svc.cluster.local" ]
}

no_default_route() {
  local routes
  routes=$(kubectl exec -n "$NS" "deploy/$NAME" -- cat /proc/net/route)
  # destination 00000000 is the default route
  ! awk 'NR > 1 && $2 == "00000000" {found = 1} END {exit !found}' <<<"$routes" || {
    echo "$routes"
    return 1
  }
  echo "routes: $(awk 'NR > 1 {printf "%s ", $2}' <<<"$routes")(hex, none default)"
}

owned_children() { # the children the operator made, as kind/name, that point at the ModelServer
  kubectl get configmaps,deployments,services,horizontalpodautoscalers,poddisruptionbudgets,networkpolicies \
    -n "$NS" -o json | python3 -c '
import json, sys
for item in json.load(sys.stdin)["items"]:
    if any(o.get("kind") == "ModelServer" and o.get("name") == sys.argv[1]
           for o in item["metadata"].get("ownerReferences", [])):
        print(item["kind"] + "/" + item["metadata"]["name"])' "$NAME"
}

core_children() {
  local children kind
  children=$(owned_children | sort | tr '\n' ' ')
  echo "$children"
  for kind in ConfigMap Deployment HorizontalPodAutoscaler PodDisruptionBudget Service; do
    grep -q "$kind/$NAME" <<<"$children" || return 1
  done
}

scenario_minimal() {
  kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl create namespace "$NS"
  kubectl apply -f examples/modelserver-minimal.yaml | sed 's/^/    /'
  echo "    spec as stored (the CRD's defaults applied by the API server): $(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.spec}')"
  local deadline=$((SECONDS + TIMEOUT))
  until kubectl get deploy -n "$NS" "$NAME" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  check "the operator makes the Deployment" kubectl get deploy -n "$NS" "$NAME" -o name || return 1
  check "the Deployment's pods become Ready" \
    kubectl rollout status -n "$NS" "deploy/$NAME" --timeout="${TIMEOUT}s" || return 1
  check "ModelServer condition Ready=True with its URL" \
    kubectl wait -n "$NS" "msrv/$NAME" --for=condition=Ready --timeout="${TIMEOUT}s" || return 1
  check "status.url" ready_with_url || return 1
  check "kubectl get msrv shows the row (READY 1/1, STATUS Ready)" msrv_row || return 1
  local ip
  ip=$(kubectl get svc -n "$NS" "$NAME" -o jsonpath='{.spec.clusterIP}')
  check "POST /predict through the ClusterIP $ip (kube-proxy)" predict "$ip" || return 1
  check "POST /v1/embeddings through the ClusterIP (OpenAI shape)" openai_embeddings "$ip" || return 1
  check "the server pod has no default route" no_default_route || return 1
  check "children owned by the ModelServer: ConfigMap, Deployment, Service, HPA, PDB" core_children || return 1
}

gone() { # KIND/NAME...: none exists any more
  local left
  left=$(kubectl get "$@" -n "$NS" --ignore-not-found -o name)
  [ -z "$left" ] || {
    echo "still there: $left"
    return 1
  }
}

wait_gone() { # SECONDS KIND/NAME...
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until gone "$@" >/dev/null; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  gone "$@"
}

scenario_delete() {
  kubectl get msrv -n "$NS" "$NAME" >/dev/null 2>&1 || scenario_minimal || return 1
  local children pods
  mapfile -t children < <(owned_children)
  mapfile -t pods < <(kubectl get pods -n "$NS" -l "app.kubernetes.io/instance=$NAME" -o name)
  echo "    children: ${children[*]}; pods: ${pods[*]}"
  check "kubectl delete msrv" kubectl delete msrv -n "$NS" "$NAME" --timeout="${TIMEOUT}s" || return 1
  check "garbage collection removes every child" wait_gone 120 "${children[@]}" || return 1
  check "the pods terminate" wait_gone "$TIMEOUT" "${pods[@]}" || return 1
  local rs
  rs=$(kubectl get rs -n "$NS" -o name | grep "/$NAME-" || true)
  check "no ReplicaSet left" test -z "$rs" || return 1
}

# http_status IP PATH [CURL ARGS...]: the HTTP status of POST PATH with one text
http_status() {
  local ip=$1 path=$2
  shift 2
  curl -sS -o /dev/null -w '%{http_code}' -m 30 -H 'Content-Type: application/json' "$@" \
    -d '{"texts":["hello world"]}' "http://$ip$path"
}

expect_status() { # WANT IP PATH [CURL ARGS...]
  local want=$1 got
  shift
  got=$(http_status "$@")
  echo "HTTP $got"
  [ "$got" = "$want" ]
}

monitoring_waits_for_crd() {
  local status reason
  status=$(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.status.conditions[?(@.type=="MonitoringReady")].status}')
  reason=$(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.status.conditions[?(@.type=="MonitoringReady")].reason}')
  echo "MonitoringReady=$status $reason"
  [ "$status" = False ] && [ "$reason" = ServiceMonitorCRDMissing ]
}

network_policy_selects_the_pods() {
  local selector pods
  selector=$(kubectl get networkpolicy -n "$NS" "$NAME" -o jsonpath='{.spec.podSelector.matchLabels}')
  pods=$(kubectl get pods -n "$NS" -l "app.kubernetes.io/instance=$NAME" -o name | tr '\n' ' ')
  echo "podSelector $selector; pods $pods"
  [ -n "$pods" ] && [ -n "$selector" ]
}

scenario_full() {
  local ns=$NS name=$NAME dir key ip
  NS=search
  NAME=minilm-search
  # the full example as a team would apply it from Git, through kustomize: the API key's Secret
  # beside it, the image set to the local tag, and requests that fit this 2-CPU node
  dir=$DIR/full-example
  mkdir -p "$dir"
  cp examples/modelserver-full.yaml examples/secret-minilm-search-api-key.yaml "$dir/"
  cat >"$dir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - secret-minilm-search-api-key.yaml
  - modelserver-full.yaml
patches:
  - target:
      kind: ModelServer
      name: minilm-search
    patch: |-
      - op: replace
        path: /spec/image
        value: $SERVER_IMAGE
      - op: replace
        path: /spec/replicas
        value: {min: 1, max: 2}
      - op: replace
        path: /spec/resources/requests
        value: {cpu: 250m, memory: 512Mi}
EOF
  kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl create namespace "$NS" >/dev/null
  kubectl apply -k "$dir" | sed 's/^/    /'
  [ "${PIPESTATUS[0]}" = 0 ] || { failed="scenario full: kubectl apply -k refused the example"; return 1; }
  local deadline=$((SECONDS + TIMEOUT))
  until kubectl get deploy -n "$NS" "$NAME" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  check "the Deployment's pods become Ready" \
    kubectl rollout status -n "$NS" "deploy/$NAME" --timeout="${TIMEOUT}s" || return 1
  check "ModelServer condition Ready=True" \
    kubectl wait -n "$NS" "msrv/$NAME" --for=condition=Ready --timeout="${TIMEOUT}s" || return 1
  key=$(kubectl get secret -n "$NS" minilm-search-api-key -o jsonpath='{.data.key}' | base64 -d)
  ip=$(kubectl get svc -n "$NS" "$NAME" -o jsonpath='{.spec.clusterIP}')
  check "POST /predict without the API key: 401" expect_status 401 "$ip" /predict || return 1
  check "... with a wrong key: 401" \
    expect_status 401 "$ip" /predict -H "Authorization: Bearer not-the-key" || return 1
  check "... with the key from the Secret: 200" \
    expect_status 200 "$ip" /predict -H "Authorization: Bearer $key" || return 1
  check "GET /health/ready needs no key (the kubelet's probe)" \
    sh -c "curl -sS -o /dev/null -w '%{http_code}' -m 10 http://$ip/health/ready | grep -x 200" || return 1
  check "no Prometheus Operator here: MonitoringReady=False/ServiceMonitorCRDMissing, still Ready" \
    monitoring_waits_for_crd || return 1
  check "NetworkPolicy written, selecting the pods (the bridge CNI does not enforce it)" \
    network_policy_selects_the_pods || return 1
  check "the API key is in no ConfigMap, status or Event" \
    sh -c "! kubectl get configmaps,modelservers,events -n $NS -o yaml | grep -qF -- '$key'" || return 1
  check "deleting the namespace removes it all" \
    kubectl delete namespace "$NS" --timeout="${TIMEOUT}s" || return 1
  NS=$ns
  NAME=$name
}

# load_start IP OUT: POSTs /predict through the ClusterIP from 4 kept-alive clients until OUT.stop
# exists (ramp_load, held at 4); writes "sent ok failed rejected" and the first failures to OUT
load_start() {
  echo 4 >"$2.clients"
  ramp_load "$1" "$2"
  load_pid=$ramp_pid
}

load_stop() { # OUT
  touch "$1.stop"
  wait "$load_pid" || true
}

no_failed_requests() { # OUT
  local sent ok failed rejected
  read -r sent ok failed rejected <"$1"
  echo "$sent requests: $ok answered 200, $failed failed, $rejected rejected with 429"
  tail -n +2 "$1" | sed '/^$/d'
  [ "$failed" = 0 ] && [ "$ok" -gt 0 ]
}

# progressing_then_ready: polls the ModelServer's conditions until the rollout is done; true when
# Progressing=True was seen on the way and Ready=True holds at the end
progressing_then_ready() {
  local seen="" deadline=$((SECONDS + TIMEOUT)) progressing ready generation observed
  while [ $SECONDS -lt $deadline ]; do
    progressing=$(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.status.conditions[?(@.type=="Progressing")].status}')
    ready=$(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')
    generation=$(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.metadata.generation}')
    observed=$(kubectl get msrv -n "$NS" "$NAME" -o jsonpath='{.status.observedGeneration}')
    [ "$progressing" = True ] && seen=yes
    if [ -n "$seen" ] && [ "$progressing" = False ] && [ "$ready" = True ] && [ "$generation" = "$observed" ]; then
      echo "Progressing=True seen, then Ready=True at generation $generation"
      return 0
    fi
    sleep 0.5
  done
  echo "Progressing seen: ${seen:-no}; now Progressing=$progressing Ready=$ready generation $generation observed $observed"
  return 1
}

new_pods_serve() {
  local hash
  hash=$(kubectl get deploy -n "$NS" "$NAME" -o jsonpath='{.spec.template.metadata.annotations.serving\.mlplatform\.dev/config-hash}')
  echo "config hash now $hash; pods: $(kubectl get pods -n "$NS" -l "app.kubernetes.io/instance=$NAME" --no-headers | awk '{print $1 "=" $2 "/" $3}' | tr '\n' ' ')"
  [ "$hash" != "$1" ]
}

scenario_rollout() {
  local ns=$NS name=$NAME ip hash before out
  NS=rollout
  NAME=minilm
  kubectl create namespace "$NS" >/dev/null
  # requests that leave room for the surge pod on this 2-CPU node
  kubectl apply -f - <<EOF | sed 's/^/    /'
apiVersion: serving.mlplatform.dev/v1alpha1
kind: ModelServer
metadata:
  name: $NAME
  namespace: $NS
spec:
  model:
    id: sentence-transformers/all-MiniLM-L6-v2
  resources:
    requests:
      cpu: 250m
      memory: 512Mi
EOF
  [ "${PIPESTATUS[0]}" = 0 ] || { failed="scenario rollout: kubectl apply refused the ModelServer"; return 1; }
  check "the first pod becomes Ready" kubectl wait -n "$NS" "msrv/$NAME" --for=condition=Ready --timeout="${TIMEOUT}s" || return 1
  ip=$(kubectl get svc -n "$NS" "$NAME" -o jsonpath='{.spec.clusterIP}')
  hash=$(kubectl get deploy -n "$NS" "$NAME" -o jsonpath='{.spec.template.metadata.annotations.serving\.mlplatform\.dev/config-hash}')
  before=$(kubectl get pods -n "$NS" -l "app.kubernetes.io/instance=$NAME" -o name | tr '\n' ' ')
  out=$DIR/rollout-load.txt
  rm -f "$out" "$out.stop"
  load_start "$ip" "$out"
  sleep 3
  check "spec.batching changed under load (kubectl patch)" \
    kubectl patch msrv -n "$NS" "$NAME" --type merge -p '{"spec":{"batching":{"maxBatchSize":16,"maxBatchDelayMillis":3}}}' || { load_stop "$out"; return 1; }
  check "status: Progressing, then Ready at the new generation" progressing_then_ready || { load_stop "$out"; return 1; }
  check "the rollout finishes" kubectl rollout status -n "$NS" "deploy/$NAME" --timeout="${TIMEOUT}s" || { load_stop "$out"; return 1; }
  sleep 3
  load_stop "$out"
  check "the config hash rolled the pods (before: $before)" new_pods_serve "$hash" || return 1
  check "zero failed requests through the rollout" no_failed_requests "$out" || return 1
  check "deleting the namespace removes it all" \
    kubectl delete namespace "$NS" --timeout="${TIMEOUT}s" || return 1
  NS=$ns
  NAME=$name
}

# ready_again NAME: the ModelServer is Ready at its generation with a Ready pod
ready_again() {
  local deadline=$((SECONDS + TIMEOUT))
  until kubectl get deploy -n "$NS" "$1" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  kubectl rollout status -n "$NS" "deploy/$1" --timeout="${TIMEOUT}s" >/dev/null &&
    kubectl wait -n "$NS" "msrv/$1" --for=condition=Ready --timeout="${TIMEOUT}s"
}

# pod_processes UID: host processes in the pod's cgroup (cgroupfs or systemd naming)
pod_processes() {
  grep -lsE "pod(${1}|${1//-/_})" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 || true
}

await_no_pod_processes() { # UID
  local deadline=$((SECONDS + 60)) left
  while left=$(pod_processes "$1"); [ -n "$left" ]; do
    [ $SECONDS -lt $deadline ] || {
      echo "still running: $(tr '\n' ' ' <<<"$left")"
      return 1
    }
    sleep 0.2
  done
  echo "no process of pod $1 left"
}

lease_holder() {
  kubectl get lease -n mlplatform-dev mlplatform-operator -o jsonpath='{.spec.holderIdentity}'
}

# converged NAME MAX: the HPA has maxReplicas MAX and the status is at the ModelServer's generation
converged() {
  local max generation observed
  max=$(kubectl get hpa -n "$NS" "$1" -o jsonpath='{.spec.maxReplicas}')
  generation=$(kubectl get msrv -n "$NS" "$1" -o jsonpath='{.metadata.generation}')
  observed=$(kubectl get msrv -n "$NS" "$1" -o jsonpath='{.status.observedGeneration}')
  echo "HPA maxReplicas $max; generation $generation, observed $observed"
  [ "$max" = "$2" ] && [ "$generation" = "$observed" ]
}

await_converged() {
  local deadline=$((SECONDS + TIMEOUT))
  until converged "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  converged "$@"
}

scenario_heal() {
  local ns=$NS name=$NAME pod uid leader t0 took holder
  NS=heal
  NAME=minilm
  kubectl create namespace "$NS" >/dev/null
  kubectl apply -f - <<EOF | sed 's/^/    /'
apiVersion: serving.mlplatform.dev/v1alpha1
kind: ModelServer
metadata:
  name: $NAME
  namespace: $NS
spec:
  model:
    id: sentence-transformers/all-MiniLM-L6-v2
  resources:
    requests:
      cpu: 250m
      memory: 512Mi
EOF
  [ "${PIPESTATUS[0]}" = 0 ] || { failed="scenario heal: kubectl apply refused the ModelServer"; return 1; }
  check "Ready" ready_again "$NAME" || return 1

  pod=$(kubectl get pods -n "$NS" -l "app.kubernetes.io/instance=$NAME" -o name | head -1)
  check "delete the pod ($pod): a new one, Ready again" \
    sh -c "kubectl delete -n $NS $pod --wait=false >/dev/null && sleep 1" || return 1
  check "... Ready again" ready_again "$NAME" || return 1

  uid=$(kubectl get deploy -n "$NS" "$NAME" -o jsonpath='{.metadata.uid}')
  check "delete the Deployment" kubectl delete -n "$NS" "deploy/$NAME" --wait=true || return 1
  local deadline=$((SECONDS + TIMEOUT))
  until [ -n "$(kubectl get deploy -n "$NS" "$NAME" -o jsonpath='{.metadata.uid}' 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  check "... the operator recreates it (new uid)" \
    sh -c "u=\$(kubectl get deploy -n $NS $NAME -o jsonpath='{.metadata.uid}'); echo \"uid \$u\"; [ -n \"\$u\" ] && [ \"\$u\" != $uid ]" || return 1
  check "... Ready again" ready_again "$NAME" || return 1

  # the operator as production runs it: two replicas electing a leader through a Lease
  kubectl set env -n mlplatform-dev deploy/mlplatform-operator LEADER_ELECTION=true >/dev/null
  kubectl scale -n mlplatform-dev deploy/mlplatform-operator --replicas=2 >/dev/null
  check "two operator replicas with leader election" \
    kubectl rollout status -n mlplatform-dev deploy/mlplatform-operator --timeout="${TIMEOUT}s" || return 1
  deadline=$((SECONDS + TIMEOUT))
  until [ -n "$(lease_holder 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  leader=$(lease_holder)
  check "one holds the Lease" sh -c "echo 'leader $leader'; [ -n '$leader' ]" || return 1
  # the leader killed (SIGKILL) and a change made at once: no replica holds a live Lease then
  # (it lasts 15 s), so only the other replica, once it has taken over, can reconcile the change
  local uid
  uid=$(kubectl get pod -n mlplatform-dev "$leader" -o jsonpath='{.metadata.uid}')
  check "the leader's processes found on the node" \
    sh -c "p=\$(grep -lsE 'pod(${uid}|${uid//-/_})' /proc/[0-9]*/cgroup | wc -l); echo \"\$p processes\"; [ \"\$p\" -gt 0 ]" || return 1
  t0=$(now)
  check "the leader pod killed (--grace-period=0 --force)" \
    kubectl delete pod -n mlplatform-dev "$leader" --grace-period=0 --force || return 1
  # the API object goes at once, the container a moment later (the kubelet kills it): the change
  # must come after the old leader's last process is gone, or it may still reconcile it
  check "... and its processes gone" await_no_pod_processes "$uid" || return 1
  check "a change right after (spec.replicas.max 3)" \
    kubectl patch msrv -n "$NS" "$NAME" --type merge -p '{"spec":{"replicas":{"max":3}}}' || return 1
  check "the change is reconciled" await_converged "$NAME" 3 || return 1
  took=$(elapsed "$t0")
  holder=$(lease_holder)
  check "... by the other replica, $took s after the kill" \
    sh -c "echo 'Lease held by $holder'; [ -n '$holder' ] && [ '$holder' != '$leader' ]" || return 1
  check "... and Ready" ready_again "$NAME" || return 1
  check "deleting the namespace removes it all" \
    kubectl delete namespace "$NS" --timeout="${TIMEOUT}s" || return 1
  NS=$ns
  NAME=$name
}

# argocd_health NAMESPACE NAME: Argo CD's verdict on the live ModelServer, from the repository's
# health.lua run by lua5.1 on `kubectl get -o json` (what Argo CD reads); prints "STATUS: MESSAGE"
argocd_health() {
  kubectl get msrv -n "$1" "$2" -o json | python3 -c '
import json, sys
def lua(v):
    if isinstance(v, dict):
        return "{" + "".join("[" + lua(k) + "]=" + lua(x) + "," for k, x in v.items() if x is not None) + "}"
    if isinstance(v, list):
        return "{" + "".join(lua(x) + "," for x in v) + "}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(str(v))
print("obj = " + lua(json.load(sys.stdin)))
print("local hs = dofile(\"" + sys.argv[1] + "\")")
print("io.write(hs.status, \": \", hs.message or \"\")")
' "$repo/k8s/argocd/serving.mlplatform.dev/ModelServer/health.lua" >"$DIR/health-check.lua"
  lua5.1 "$DIR/health-check.lua"
}

# health_is NAMESPACE NAME STATUS: Argo CD's verdict is STATUS
health_is() {
  local verdict
  verdict=$(argocd_health "$1" "$2")
  echo "$2: $verdict"
  [ "${verdict%%:*}" = "$3" ]
}

await_health() { # NAMESPACE NAME STATUS
  local deadline=$((SECONDS + TIMEOUT))
  until health_is "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || break
    sleep 1
  done
  health_is "$@"
}

# stand_in_crd PLURAL KIND: a minimal monitoring.coreos.com/v1 CRD (schema open), as the
# Prometheus Operator's chart would install it before anything uses it
stand_in_crd() {
  kubectl apply -f - >/dev/null <<EOF
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: $1.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  scope: Namespaced
  names: {kind: $2, listKind: ${2}List, plural: $1, singular: $(tr '[:upper:]' '[:lower:]' <<<"$2")}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
EOF
  kubectl wait --for=condition=Established "crd/$1.monitoring.coreos.com" --timeout=60s >/dev/null 2>&1 ||
    { sleep 1; kubectl wait --for=condition=Established "crd/$1.monitoring.coreos.com" --timeout=60s; }
}

# app_fields FILE: an Argo CD Application's sync wave, source path and destination namespace
app_fields() {
  awk '/argocd.argoproj.io\/sync-wave:/ {gsub(/"/, "", $2); wave = $2}
       /^    path:/ {path = $2}
       /^    namespace:/ && dest {ns = $2}
       /^  destination:/ {dest = 1}
       END {print wave, path, ns}' "$1"
}

scenario_gitops() {
  local ns=$NS name=$NAME dir wave0 wave1 leader
  # what the Argo CD example syncs, in its sync waves, without Argo CD (not available here):
  # wave -1 the CRD, wave 0 the prod overlay (examples/argocd/mlplatform-operator.yaml), wave 1 the
  # team's ModelServers and Secret (team-modelservers.yaml), each wave applied server-side as Argo
  # CD's ServerSideApply=true does, and the next one only once the previous is healthy
  wave0=$(app_fields examples/argocd/mlplatform-operator.yaml)
  wave1=$(app_fields examples/argocd/team-modelservers.yaml)
  check "the operator's wave comes before the team's (${wave0%% *} < ${wave1%% *})" \
    test "${wave0%% *}" -lt "${wave1%% *}" || return 1
  check "the operator's application syncs k8s/overlays/prod" \
    sh -c "echo '$wave0'; [ '$(cut -d' ' -f2 <<<"$wave0")' = k8s/overlays/prod ]" || return 1

  # the production install replaces the development one (both watch every namespace). The
  # external-metrics APIService goes first: left pointing at a Service that is gone, it would fail
  # API discovery, and the namespace controller stops deleting any namespace while discovery fails
  # (seen here: mlplatform-dev stuck Terminating until wave 0 re-pointed it)
  check "the development install's APIService removed first" \
    kubectl delete apiservice v1beta1.external.metrics.k8s.io --timeout=60s || return 1
  check "the development install removed" \
    kubectl delete namespace mlplatform-dev --timeout="${TIMEOUT}s" || return 1
  # the cluster runs the Prometheus Operator's CRDs (stand-ins), which the prod overlay's
  # ServiceMonitor and PrometheusRule need
  stand_in_crd servicemonitors ServiceMonitor || return 1
  stand_in_crd prometheusrules PrometheusRule || return 1

  dir=$DIR/gitops-operator
  mkdir -p "$dir"
  cat >"$dir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$dir" k8s/overlays/prod)
images:
  - name: ghcr.io/mlplatform/operator
    newName: ${OPERATOR_IMAGE%:*}
    newTag: ${OPERATOR_IMAGE##*:}
patches:
  - target:
      kind: Deployment
      name: mlplatform-operator
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: mlplatform-operator
      spec:
        template:
          spec:
            containers:
              - name: operator
                env:
                  - name: DEFAULT_SERVER_IMAGE
                    value: $SERVER_IMAGE
EOF
  check "wave 0: kubectl apply --server-side --force-conflicts -k (the prod overlay, local images)" \
    sh -c "kubectl apply --server-side --force-conflicts -k $dir | tail -3" || return 1
  check "... the operator's 2 replicas available" \
    kubectl rollout status -n mlplatform-system deploy/mlplatform-operator --timeout="${TIMEOUT}s" || return 1
  local deadline=$((SECONDS + TIMEOUT))
  until [ -n "$(kubectl get lease -n mlplatform-system mlplatform-operator -o jsonpath='{.spec.holderIdentity}' 2>/dev/null)" ]; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  leader=$(kubectl get lease -n mlplatform-system mlplatform-operator -o jsonpath='{.spec.holderIdentity}')
  check "... one of them leads" sh -c "echo 'Lease held by $leader'; [ -n '$leader' ]" || return 1

  # wave 1: the team's directory as Argo CD reads it (modelserver-*.yaml, secret-*.yaml), the
  # image set to the local tag and the full example's requests made to fit this 2-CPU node
  NS=${wave1##* }
  kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl create namespace "$NS" >/dev/null
  dir=$DIR/gitops-team
  mkdir -p "$dir"
  cp examples/modelserver-*.yaml examples/secret-*.yaml "$dir/"
  cat >"$dir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $NS
resources:
$(cd "$dir" && ls modelserver-*.yaml secret-*.yaml | sed 's/^/  - /')
patches:
  - target:
      kind: ModelServer
      name: minilm-search
    patch: |-
      - op: replace
        path: /spec/image
        value: $SERVER_IMAGE
      - op: replace
        path: /spec/replicas
        value: {min: 1, max: 2}
      - op: replace
        path: /spec/resources/requests
        value: {cpu: 250m, memory: 512Mi}
  - target:
      kind: ModelServer
      name: minilm
    patch: |-
      - op: add
        path: /spec/resources
        value: {requests: {cpu: 250m, memory: 512Mi}}
EOF
  check "wave 1: kubectl apply --server-side -k (the team's ModelServers and Secret)" \
    sh -c "kubectl apply --server-side --force-conflicts -k $dir | tail -3" || return 1
  local msrv
  for msrv in minilm minilm-search; do
    check "Argo CD health of $msrv right after the sync: Progressing" health_is "$NS" "$msrv" Progressing || return 1
  done
  for msrv in minilm minilm-search; do
    check "... then Healthy" await_health "$NS" "$msrv" Healthy || return 1
  done
  check "the ServiceMonitor API is served now: minilm-search has its ServiceMonitor" \
    kubectl get servicemonitor -n "$NS" minilm-search -o name || return 1
  check "deleting the team's namespace removes it all" \
    kubectl delete namespace "$NS" --timeout="${TIMEOUT}s" || return 1
  NS=$ns
  NAME=$name
}

# degraded_with NAME REASON...: the ModelServer's Degraded condition is True with one of the
# REASONs; prints reason and message
degraded_with() {
  local name=$1 status reason message r
  shift
  status=$(kubectl get msrv -n "$NS" "$name" -o jsonpath='{.status.conditions[?(@.type=="Degraded")].status}')
  reason=$(kubectl get msrv -n "$NS" "$name" -o jsonpath='{.status.conditions[?(@.type=="Degraded")].reason}')
  message=$(kubectl get msrv -n "$NS" "$name" -o jsonpath='{.status.conditions[?(@.type=="Degraded")].message}')
  echo "Degraded=$status $reason: $message"
  [ "$status" = True ] || return 1
  for r in "$@"; do [ "$reason" = "$r" ] && return 0; done
  return 1
}

# await_degraded NAME REASON...: waits up to TIMEOUT for degraded_with
await_degraded() {
  local deadline=$((SECONDS + TIMEOUT))
  until degraded_with "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || break
    sleep 1
  done
  degraded_with "$@"
}

# degraded_message_has NAME TEXT: the Degraded message contains TEXT
degraded_message_has() {
  local message
  message=$(kubectl get msrv -n "$NS" "$1" -o jsonpath='{.status.conditions[?(@.type=="Degraded")].message}')
  echo "$message"
  grep -qF -- "$2" <<<"$message"
}

# warning_event NAME REASON: a Warning Event on the ModelServer with that reason
warning_event() {
  local events
  events=$(kubectl get events -n "$NS" \
    --field-selector "involvedObject.kind=ModelServer,involvedObject.name=$1,type=Warning" \
    -o jsonpath='{range .items[*]}{.reason}{"\n"}{end}')
  echo "Warnings on $1: $(tr '\n' ' ' <<<"$events")"
  grep -qx "$2" <<<"$events"
}

none_ready() {
  local ready
  ready=$(kubectl get msrv -n "$NS" -o jsonpath='{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}')
  echo "$ready"
  ! grep -q '=True' <<<"$ready"
}

scenario_failures() {
  local ns=$NS
  NS=e2e-failures
  kubectl create namespace "$NS" >/dev/null
  # small requests: both pods must fit this 2-CPU node beside the operator
  kubectl apply -f - <<EOF | sed 's/^/    /'
apiVersion: serving.mlplatform.dev/v1alpha1
kind: ModelServer
metadata:
  name: model-missing
  namespace: $NS
spec:
  model:
    id: model-missing
    uri: file:///models/missing
  resources:
    requests:
      cpu: 100m
      memory: 256Mi
---
apiVersion: serving.mlplatform.dev/v1alpha1
kind: ModelServer
metadata:
  name: image-missing
  namespace: $NS
spec:
  image: localhost/mlplatform/does-not-exist:0.0.0
  model:
    id: sentence-transformers/all-MiniLM-L6-v2
  resources:
    requests:
      cpu: 100m
      memory: 256Mi
---
apiVersion: serving.mlplatform.dev/v1alpha1
kind: ModelServer
metadata:
  name: too-big
  namespace: $NS
spec:
  model:
    id: sentence-transformers/all-MiniLM-L6-v2
  resources:
    requests:
      cpu: "64"
      memory: 512Mi
EOF
  [ "${PIPESTATUS[0]}" = 0 ] || { failed="scenario failures: kubectl apply refused the ModelServers"; return 1; }
  check "a model that cannot load: Degraded/ModelLoadFailed" \
    await_degraded model-missing ModelLoadFailed || return 1
  check "... with the server's own message" degraded_message_has model-missing "does not exist" || return 1
  check "... and a Warning Event" warning_event model-missing ModelLoadFailed || return 1
  check "an image that does not exist: Degraded/ImagePullBackOff or ErrImagePull" \
    await_degraded image-missing ImagePullBackOff ErrImagePull || return 1
  check "... naming the image" degraded_message_has image-missing "does-not-exist" || return 1
  check "requests no node can meet: Degraded/Unschedulable" await_degraded too-big Unschedulable || return 1
  check "... with the scheduler's message" degraded_message_has too-big "Insufficient cpu" || return 1
  check "none is Ready" none_ready || return 1
  check "deleting the namespace removes them" \
    kubectl delete namespace "$NS" --timeout="${TIMEOUT}s" || return 1
  NS=$ns
}

memory() {
  bash "$CLUSTER" rss | sed 's/^/    /'
}

# --- autoscale ----------------------------------------------------------------------------------

# ramp_load IP OUT: POSTs /predict through the ClusterIP from as many clients as the file
# OUT.clients says (re-read twice a second, up to 32) until OUT.stop exists. Every 2 s it appends
# "unix_time clients ok failed rejected p99_ms" (the window's middle) to OUT.series; at the end it writes
# "sent ok failed rejected" and the first failures to OUT.
ramp_load() {
  python3 - "$1" "$2" <<'PY' &
import http.client, json, os, sys, threading, time
ip, out = sys.argv[1], sys.argv[2]
counts = {"sent": 0, "ok": 0, "failed": 0, "rejected": 0}
window = {"ok": 0, "failed": 0, "rejected": 0, "latencies": []}
errors = []
lock = threading.Lock()
clients = [0]
body = json.dumps({"texts": ["the queue says when to add a replica",
                             "scaling on the work waiting, not on CPU"]})
def stopped():
    return os.path.exists(out + ".stop")
def worker(i):
    conn = None
    while not stopped():
        if i >= clients[0]:
            if conn is not None:
                conn.close(); conn = None
            time.sleep(0.1)
            continue
        start = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(ip, 80, timeout=30)
            conn.request("POST", "/predict", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            status = resp.status
            if resp.getheader("Connection", "").lower() == "close":
                conn.close(); conn = None
            outcome = "ok" if status == 200 else "rejected" if status == 429 else "failed"
            detail = f"HTTP {status}: {data[:200]!r}"
        except Exception as e:
            if conn is not None:
                conn.close()
            conn = None
            outcome, detail = "failed", f"{type(e).__name__}: {e}"
        elapsed = time.monotonic() - start
        with lock:
            counts["sent"] += 1
            counts[outcome] += 1
            window[outcome] += 1
            if outcome == "ok":
                window["latencies"].append(elapsed)
            if outcome == "failed" and len(errors) < 10:
                errors.append(f"{time.strftime('%H:%M:%S')} {detail}")
def control():
    while not stopped():
        try:
            with open(out + ".clients") as f:
                clients[0] = max(0, min(32, int(f.read().strip() or 0)))
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
def report():
    with open(out + ".series", "w") as series:
        while not stopped():
            started = time.time()
            time.sleep(2)
            with lock:
                lat = sorted(window["latencies"])
                p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
                # stamped at the middle of its window, as the replicas sampled during it
                line = f"{started + 1:.1f} {clients[0]} {window['ok']} {window['failed']} {window['rejected']} {p99:.0f}"
                window.update(ok=0, failed=0, rejected=0, latencies=[])
            series.write(line + "\n"); series.flush()
threads = [threading.Thread(target=worker, args=(i,)) for i in range(32)]
threads += [threading.Thread(target=control), threading.Thread(target=report)]
for t in threads: t.start()
for t in threads: t.join()
with open(out, "w") as f:
    f.write(f"{counts['sent']} {counts['ok']} {counts['failed']} {counts['rejected']}\n")
    f.write("\n".join(errors) + "\n")
PY
  ramp_pid=$!
}

clients() { echo "$1" >"$RAMP.clients"; }

# timeline_start OUT: every 2 s appends "unix_time spec_replicas ready_replicas hpa_desired
# queue_total" to OUT (the queue as the external-metrics API serves it to the HPA) until OUT.stop
timeline_start() {
  local selector="app.kubernetes.io/name%3Dmodel-server,app.kubernetes.io/instance%3D$NAME"
  (
    while [ ! -e "$1.stop" ]; do
      local t replicas hpa queue
      t=$(date +%s.%N)
      replicas=$(kubectl get deploy -n "$NS" "$NAME" -o jsonpath='{.spec.replicas} {.status.readyReplicas}' 2>/dev/null)
      hpa=$(kubectl get hpa -n "$NS" "$NAME" -o jsonpath='{.status.desiredReplicas}' 2>/dev/null)
      queue=$(kubectl get --raw "/apis/external.metrics.k8s.io/v1beta1/namespaces/$NS/model_server_queue_depth?labelSelector=$selector" 2>/dev/null |
        python3 -c 'import json,sys
v=json.load(sys.stdin)["items"][0]["value"]
print(float(v[:-1])/1000 if v.endswith("m") else float(v))' 2>/dev/null || echo nan)
      read -r spec ready <<<"$replicas"
      echo "$t ${spec:-nan} ${ready:-0} ${hpa:-nan} $queue" >>"$1"
      sleep 2
    done
  ) &
  timeline_pid=$!
}

# replicas_reach OP N SECONDS: the Deployment's spec.replicas OP N (ge, eq) within SECONDS
replicas_reach() {
  local op=$1 want=$2 start=$SECONDS deadline=$((SECONDS + $3)) spec
  while [ $SECONDS -lt $deadline ]; do
    spec=$(kubectl get deploy -n "$NS" "$NAME" -o jsonpath='{.spec.replicas}')
    if [ "$spec" -"$op" "$want" ]; then
      echo "spec.replicas $spec after $((SECONDS - start))s"
      return 0
    fi
    sleep 1
  done
  echo "spec.replicas still $spec; HPA: $(kubectl get hpa -n "$NS" "$NAME" -o jsonpath='{.status.conditions[*].message}')"
  return 1
}

# all_pods_took_traffic: every ready pod's /metrics counts texts it embedded
all_pods_took_traffic() {
  local pod ip inputs ok=0 line=""
  for pod in $(kubectl get pods -n "$NS" -l "app.kubernetes.io/instance=$NAME" --field-selector=status.phase=Running -o name); do
    ip=$(kubectl get -n "$NS" "$pod" -o jsonpath='{.status.podIP}')
    inputs=$(curl -s --max-time 5 "http://$ip:9090/metrics" | awk '/^model_server_inputs_total/ {print int($2)}')
    line="$line ${pod#pod/}=${inputs:-?}"
    [ "${inputs:-0}" -gt 0 ] || ok=1
  done
  echo "texts embedded per pod:$line"
  return $ok
}

# plot_timeline DIR: timeline.csv from the two series, timeline.png drawn by gnuplot
plot_timeline() {
  python3 - "$1" "$T0" <<'PY'
import math, sys
d, t0 = sys.argv[1], float(sys.argv[2])
tl = [l.split() for l in open(f"{d}/timeline.txt") if l.strip()]
ld = [l.split() for l in open(f"{d}/load.txt.series") if l.strip()]
with open(f"{d}/timeline.csv", "w") as f:
    f.write("seconds,spec_replicas,ready_replicas,hpa_desired,queue_total\n")
    for t, spec, ready, desired, queue in tl:
        f.write(f"{float(t)-t0:.1f},{spec},{ready},{desired},{queue}\n")
with open(f"{d}/load.csv", "w") as f:
    f.write("seconds,clients,ok_per_s,failed,rejected_429,p99_ms\n")
    for t, clients, ok, failed, rejected, p99 in ld:
        f.write(f"{float(t)-t0:.1f},{clients},{int(ok)/2:.1f},{failed},{rejected},{p99}\n")
PY
  gnuplot <<EOF
set terminal pngcairo size 1200,900 noenhanced font ",10"
set output "$1/timeline.png"
set datafile separator ","
set datafile missing "nan"
set key top left
set grid
set multiplot layout 3,1 title "make e2e autoscale: spec.autoscaling.metric=queue, targetPerReplica=$TARGET, HPA from kube-controller-manager"
set ylabel "replicas"
set yrange [0:*]
plot "$1/timeline.csv" every ::1 using 1:2 with steps lw 2 title "Deployment spec.replicas", \
     "" every ::1 using 1:3 with steps lw 2 dt 2 title "ready replicas", \
     "" every ::1 using 1:4 with steps lw 1 title "HPA desired"
set ylabel "texts waiting (all pods)"
plot "$1/timeline.csv" every ::1 using 1:5 with lines lw 2 title "model_server_queue_depth (external metric)", \
     "$1/load.csv" every ::1 using 1:2 with steps lw 1 title "load: clients"
set ylabel "p99 ms / requests per s"
set xlabel "seconds since the ramp began"
plot "$1/load.csv" every ::1 using 1:6 with lines lw 2 title "p99 latency (ms)", \
     "" every ::1 using 1:3 with lines lw 1 title "answered per s", \
     "" every ::1 using 1:(\$4+\$5) with impulses lw 2 title "failed + 429"
unset multiplot
EOF
}

scenario_autoscale() {
  local ns=$NS name=$NAME ip out t_up t_ready t_down
  NS=autoscale
  NAME=minilm
  TARGET=4
  RESULT_DIR=$RESULTS/autoscale
  rm -rf "$RESULT_DIR"
  mkdir -p "$RESULT_DIR"
  kubectl create namespace "$NS" >/dev/null
  # small requests so that three replicas fit this 2-CPU node beside the rest
  kubectl apply -f - <<EOF | sed 's/^/    /'
apiVersion: serving.mlplatform.dev/v1alpha1
kind: ModelServer
metadata:
  name: $NAME
  namespace: $NS
spec:
  model:
    id: sentence-transformers/all-MiniLM-L6-v2
  replicas:
    min: 1
    max: 3
  batching:
    maxBatchSize: 8
  autoscaling:
    metric: queue
    targetPerReplica: $TARGET
    scaleDownStabilizationSeconds: 30
  resources:
    requests:
      cpu: 200m
      memory: 512Mi
EOF
  [ "${PIPESTATUS[0]}" = 0 ] || { failed="scenario autoscale: kubectl apply refused the ModelServer"; return 1; }
  check "the first pod becomes Ready" kubectl wait -n "$NS" "msrv/$NAME" --for=condition=Ready --timeout="${TIMEOUT}s" || return 1
  check "AutoscalingReady: the HPA reads the operator's external metric" \
    kubectl wait -n "$NS" "msrv/$NAME" --for=condition=AutoscalingReady --timeout=60s || return 1
  check "the APIService is Available (the aggregator verified the operator's certificate)" \
    kubectl wait apiservice/v1beta1.external.metrics.k8s.io --for=condition=Available --timeout=120s || return 1
  check "the HPA scales on model_server_queue_depth, $TARGET per replica" bash -c \
    "test \"\$($KUBECTL get hpa -n $NS $NAME -o jsonpath='{.spec.metrics[0].external.metric.name} {.spec.metrics[0].external.target.averageValue}')\" = 'model_server_queue_depth $TARGET'" || return 1
  ip=$(kubectl get svc -n "$NS" "$NAME" -o jsonpath='{.spec.clusterIP}')
  RAMP=$RESULT_DIR/load.txt
  rm -f "$RAMP" "$RAMP.stop" "$RESULT_DIR/timeline.txt" "$RESULT_DIR/timeline.txt.stop"
  clients 2
  T0=$(date +%s.%N)
  timeline_start "$RESULT_DIR/timeline.txt"
  ramp_load "$ip" "$RAMP"
  sleep 20
  say "ramp: 2 -> 24 clients"
  clients 24
  local ramp_at=$SECONDS
  if ! check "the HPA scales the Deployment up on the queue" replicas_reach ge 2 "$TIMEOUT"; then
    clients 0; touch "$RAMP.stop" "$RESULT_DIR/timeline.txt.stop"; wait "$ramp_pid" "$timeline_pid" || true; return 1
  fi
  t_up=$((SECONDS - ramp_at))
  check "the new pods become Ready" kubectl rollout status -n "$NS" "deploy/$NAME" --timeout="${TIMEOUT}s" || {
    clients 0; touch "$RAMP.stop" "$RESULT_DIR/timeline.txt.stop"; wait "$ramp_pid" "$timeline_pid" || true; return 1; }
  t_ready=$((SECONDS - ramp_at))
  sleep 20
  check "every pod took traffic" all_pods_took_traffic || { clients 0; touch "$RAMP.stop" "$RESULT_DIR/timeline.txt.stop"; wait "$ramp_pid" "$timeline_pid" || true; return 1; }
  say "ramp ends: 24 -> 1 client"
  clients 1
  local end_at=$SECONDS
  if ! check "the HPA scales back to 1 after its 30 s stabilization window" replicas_reach eq 1 "$TIMEOUT"; then
    touch "$RAMP.stop" "$RESULT_DIR/timeline.txt.stop"; wait "$ramp_pid" "$timeline_pid" || true; return 1
  fi
  t_down=$((SECONDS - end_at))
  sleep 6
  touch "$RAMP.stop" "$RESULT_DIR/timeline.txt.stop"
  wait "$ramp_pid" "$timeline_pid" || true
  check "zero failed requests through the ramp, the scale-up and the scale-down" no_failed_requests "$RAMP" || return 1
  check "the timeline is drawn ($RESULT_DIR/timeline.png)" plot_timeline "$RESULT_DIR" || return 1
  {
    echo "scale-up: spec.replicas >= 2 ${t_up}s after the ramp to 24 clients, all new pods Ready after ${t_ready}s"
    echo "scale-down: back to 1 replica ${t_down}s after the ramp ended (stabilization window 30 s, HPA sync 15 s)"
    echo "most replicas: $(awk '{ if ($2 > m) m = $2 } END { print m }' "$RESULT_DIR/timeline.txt")"
    echo "peak queue (all pods): $(awk '$5 != "nan" { if ($5 > m) m = $5 } END { print m + 0 }' "$RESULT_DIR/timeline.txt") texts"
    echo "worst 2-s p99: $(awk '$6 != "nan" { if ($6 > m) m = $6 } END { print m + 0 }' "$RAMP.series") ms"
    echo "requests (sent ok failed 429): $(head -1 "$RAMP")"
  } | tee "$RESULT_DIR/summary.txt" | sed 's/^/    /'
  check "deleting the namespace removes it all" \
    kubectl delete namespace "$NS" --timeout="${TIMEOUT}s" || return 1
  NS=$ns
  NAME=$name
}

for scenario in $SCENARIOS; do
  step_begin "scenario: $scenario"
  if "scenario_$scenario"; then
    step_end
  else
    step_end "FAILED"
    diagnose "$NS"
    failed=${failed:-"scenario $scenario"}
    break
  fi
  if [ "$scenario" = minimal ]; then
    say "resident memory with the operator and one model server running"
    memory
  fi
done

step_begin "network: nothing left the machine"
if bash "$CLUSTER" leaks | sed 's/^/    /'; [ "${PIPESTATUS[0]}" = 0 ]; then
  step_end
else
  step_end "FAILED"
  failed=${failed:-"network: packets tried to leave the machine"}
fi
[ -z "$failed" ] || exit 1
