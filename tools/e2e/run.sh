#!/usr/bin/env bash
# End-to-end tests on a real single-node cluster (`make e2e`): build both images with podman,
# start the cluster (tools/e2e/cluster.sh), import the images into its containerd, install the
# operator as a user would (kubectl apply -f crds/ and -k k8s/overlays/dev, the image set to the
# local tags), run the scenarios, check that no packet left the machine, tear everything down and
# check that nothing is left. Prints a timing table at the end.
#
#   KEEP=1               leave the cluster up (and print `export KUBECONFIG=...`); `make e2e-down`
#   E2E_SCENARIOS="..."  the scenarios to run, in order (default: all: minimal delete)
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
  exec sudo -n --preserve-env=PATH,HOME,JAVA_HOME,MLPLATFORM_CACHE,MLPLATFORM_SHARED_K8S,KEEP,E2E_SCENARIOS,E2E_ARTIFACTS,E2E_TIMEOUT,E2E_DIR,E2E_IMAGES \
    bash "$0" "$@"
fi

CLUSTER=tools/e2e/cluster.sh
KEEP=${KEEP:-}
SCENARIOS=${E2E_SCENARIOS:-minimal delete}
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
    minimal | delete) ;;
    *)
      echo "run.sh: unknown scenario $scenario (known: minimal delete)" >&2
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

memory() {
  bash "$CLUSTER" rss | sed 's/^/    /'
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
