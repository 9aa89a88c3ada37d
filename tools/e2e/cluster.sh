#!/usr/bin/env bash
# A throwaway single-node Kubernetes v1.32.6 cluster on this machine, for the end-to-end tests.
#
#   tools/e2e/cluster.sh up       start it (about 30 s); prints `export KUBECONFIG=...`
#   tools/e2e/cluster.sh down     remove every trace of it; idempotent, safe when nothing is up
#   tools/e2e/cluster.sh prepare  only unpack the binaries and install the missing packages
#   tools/e2e/cluster.sh env      print `export KUBECONFIG=...` (exit 1 when it is not up)
#   tools/e2e/cluster.sh leaks    print the network guard's counters; exit 1 if any packet from
#                                 the pod or service range tried to leave by the external interface
#   tools/e2e/cluster.sh import TAR...  import docker-archive image tars into the node's containerd
#   tools/e2e/cluster.sh rss      resident memory of the node's components and of each pod
#   tools/e2e/cluster.sh check-clean  exit 1 (naming them) if processes, mounts, interfaces, routes,
#                                 netns, KUBE-*/MLPE2E-* chains, cgroups or files of it are left
#
# What runs, all bound to 127.0.0.1 or the node bridge's address, all state under $E2E_DIR
# (default /var/tmp/mlplatform-e2e): etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, containerd (Debian's 1.6, its own root, state and socket), kubelet (cgroupfs,
# pods under the cgroup /mlplatform-e2e), kube-proxy (iptables), and a socat relay that lets pods
# reach the API server (bound to 127.0.0.1) on the bridge address, which the `kubernetes`
# Service advertises. Pods sit on the bridge $E2E_BRIDGE (CNI bridge + host-local, no masquerade,
# no default route: only routes to the pod and service ranges); there is no cluster DNS.
#
# Network safety (see ../shared/k8s/README.md): before anything starts, the pod and service
# ranges are routed to the bridge, forwarding between the bridge and any other interface is
# dropped (mangle FORWARD), and any packet from or to those ranges (or DNATed from a ClusterIP)
# that would leave by the external interface is counted and dropped (mangle POSTROUTING, chain
# MLPE2E-LEAK); `leaks` reads that counter.
#
# Needs root, the Kubernetes v1.32.6 binaries and Debian's containerd, runc,
# containernetworking-plugins, conntrack, socat, iptables, openssl, python3, curl: `up` and
# `prepare` get them through tools/setup.sh e2e (the one list; binaries unpacked from
# ../shared/k8s into ~/.kubeapitest/k8s/1.32.6-linux-amd64, where the test tier finds them too).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)

K8S_VERSION=1.32.6
CACHE=${MLPLATFORM_CACHE:-$HOME/.cache/mlplatform}
BIN=${E2E_K8S_BIN:-${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/$K8S_VERSION-linux-amd64}
DIR=${E2E_DIR:-/var/tmp/mlplatform-e2e}
NODE=mlplatform-e2e
BRIDGE=${E2E_BRIDGE:-mlpe2e0}
POD_CIDR=10.244.0.0/24
BRIDGE_IP=10.244.0.1
SVC_CIDR=10.96.0.0/24
API_SVC_IP=10.96.0.1
API_PORT=${E2E_API_PORT:-16443}
ETCD_PORT=${E2E_ETCD_PORT:-23790}
ETCD_PEER_PORT=$((ETCD_PORT + 10))
KUBELET_PORT=10250
KUBELET_HEALTHZ_PORT=10248
PROXY_HEALTHZ_PORT=10256
PROXY_METRICS_PORT=10249
CGROUP=mlplatform-e2e
PAUSE_IMAGE=localhost/mlplatform-e2e/pause:3.10
CNI_BIN=/usr/lib/cni
# what the components may change; restored by `down`
SYSCTLS=(net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables vm.overcommit_memory
  vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait
  net.netfilter.nf_conntrack_tcp_be_liberal net.netfilter.nf_conntrack_udp_timeout
  net.netfilter.nf_conntrack_udp_timeout_stream)
# paths outside $DIR the components write to whatever we configure; removed by `down` when they
# did not exist before `up` (only our entries otherwise)
OUTSIDE=(/run/containerd /run/netns /var/lib/cni /var/log/containers /var/log/pods)

PKI=$DIR/pki
LOGS=$DIR/logs
PIDS=$DIR/pids
STATE=$DIR/state
KUBECONFIG_ADMIN=$DIR/kubeconfig
SOCK=$DIR/containerd/containerd.sock

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'cluster.sh: %s\n' "$*" >&2
  exit 1
}
# kubectl's discovery cache stays in the data directory too
kubectl() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" --cache-dir "$DIR/kube-cache" "$@"; }
ctr() { command ctr --address "$SOCK" "$@"; }
ext_if() { ip -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}'; }

# --- binaries and packages ----------------------------------------------------------------------

# the one list of tools (tools/setup.sh): Debian's containerd, runc, CNI plugins, conntrack, socat,
# iptables, openssl, and every Kubernetes binary, unpacked from ../shared/k8s (checked against its
# SHA256SUMS) beside the API-server test tier's
prepare_host() {
  bash "$repo/tools/setup.sh" e2e || die "the e2e tools are missing (above)"
}

# --- processes ----------------------------------------------------------------------------------

# start NAME CMD...: a daemon in its own session, in the cgroup of the node's components (so that
# `down` finds every child, containerd's shims included), its log in $LOGS/NAME.log
start() {
  local name=$1
  shift
  setsid bash -c 'for h in pids memory unified; do echo $$ >"/sys/fs/cgroup/$h/$0/components/cgroup.procs"; done
    exec "$@"' "$CGROUP" "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

alive() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# kill_pidfiles NAME...: SIGKILL, and wait until they are gone
kill_pidfiles() {
  local name pids=()
  for name in "$@"; do
    alive "$name" && pids+=("$(cat "$PIDS/$name.pid")")
  done
  ((${#pids[@]})) || return 0
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "${pids[@]}" 2>/dev/null || return 0
    sleep 0.1
  done
}

# PIDs of containerd's shims (children of containerd, in the components cgroup)
shims() {
  local pid
  for pid in $(cat "/sys/fs/cgroup/pids/$CGROUP/components/cgroup.procs" 2>/dev/null); do
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == containerd-shim* ]] && echo "$pid"
  done
  return 0
}

# wait_for WHAT SECONDS CMD...: poll CMD every 0.25 s; on timeout print the logs that explain it
wait_for() {
  local what=$1 seconds=$2 i
  shift 2
  for ((i = 0; i < seconds * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "cluster.sh: timed out after ${seconds} s waiting for $what; last log lines:" >&2
  for f in "$LOGS"/*.log; do
    [ -s "$f" ] || continue
    echo "--- $(basename "$f")" >&2
    tail -n 15 "$f" >&2
  done
  exit 1
}

# --- network ------------------------------------------------------------------------------------

guard_up() {
  local ext
  ext=$(ext_if)
  [ -n "$ext" ] || ext=none
  echo "$ext" >"$STATE/external-interface"
  ip link add "$BRIDGE" type bridge
  echo 1 >"/proc/sys/net/ipv6/conf/$BRIDGE/disable_ipv6"
  ip addr add "$BRIDGE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # the pod range is the bridge's own subnet; the service range goes to the bridge too, so a
  # ClusterIP that kube-proxy has not programmed yet goes nowhere rather than to the default route
  ip route replace "$SVC_CIDR" dev "$BRIDGE" src "$BRIDGE_IP"
  local ipt
  for ipt in iptables ip6tables; do
    $ipt -w -t mangle -N MLPE2E-FWD
    $ipt -w -t mangle -A MLPE2E-FWD -j DROP
    $ipt -w -t mangle -I FORWARD 1 -i "$BRIDGE" ! -o "$BRIDGE" -j MLPE2E-FWD
    $ipt -w -t mangle -I FORWARD 1 ! -i "$BRIDGE" -o "$BRIDGE" -j MLPE2E-FWD
  done
  iptables -w -t mangle -N MLPE2E-LEAK
  iptables -w -t mangle -A MLPE2E-LEAK -j DROP
  if [ "$ext" != none ]; then
    local r
    for r in "-s $POD_CIDR" "-d $POD_CIDR" "-s $SVC_CIDR" "-d $SVC_CIDR" \
      "-m conntrack --ctorigdst $SVC_CIDR" "-m conntrack --ctorigsrc $POD_CIDR"; do
      # shellcheck disable=SC2086
      iptables -w -t mangle -I POSTROUTING 1 -o "$ext" $r -j MLPE2E-LEAK
    done
    # and anything the node's own processes (containerd resolving a registry, say) send out
    # there: they all run in the cgroup /$CGROUP (the cgroup v2 hierarchy at unified)
    iptables -w -t mangle -I POSTROUTING 1 -o "$ext" -m cgroup --path "/$CGROUP" -j MLPE2E-LEAK
    ip6tables -w -t mangle -N MLPE2E-LEAK
    ip6tables -w -t mangle -A MLPE2E-LEAK -j DROP
    ip6tables -w -t mangle -I POSTROUTING 1 -o "$ext" -m cgroup --path "/$CGROUP" -j MLPE2E-LEAK
  fi
}

leaks() {
  local ext tried=0 blocked=0 n
  ext=$(cat "$STATE/external-interface" 2>/dev/null || echo "?")
  if ! iptables -w -t mangle -S MLPE2E-LEAK >/dev/null 2>&1; then
    echo "no network guard installed (cluster not up?)" >&2
    return 1
  fi
  for ipt in iptables ip6tables; do
    n=$($ipt -w -t mangle -L MLPE2E-LEAK -v -x -n 2>/dev/null | awk '$3 == "DROP" {print $1}')
    tried=$((tried + ${n:-0}))
  done
  for ipt in iptables ip6tables; do
    n=$($ipt -w -t mangle -L MLPE2E-FWD -v -x -n 2>/dev/null | awk '$3 == "DROP" {print $1}')
    blocked=$((blocked + ${n:-0}))
  done
  echo "network guard: $tried packet(s) from/to the pod or service range stopped at $ext (must be 0);" \
    "$blocked forwarded between $BRIDGE and another interface dropped"
  [ "$tried" = 0 ]
}

# --- certificates and configuration -------------------------------------------------------------

# cert NAME SUBJECT [SANS]: an EC P-256 key and a certificate from the cluster CA
cert() {
  local name=$1 subject=$2 sans=${3:-}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -z "$sans" ] || echo "subjectAltName=$sans"
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 2 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

kubeconfig() { # FILE USER
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: $NODE
    cluster:
      server: https://127.0.0.1:$API_PORT
      certificate-authority: $PKI/ca.crt
users:
  - name: $2
    user:
      client-certificate: $PKI/$2.crt
      client-key: $PKI/$2.key
contexts:
  - name: $NODE
    context:
      cluster: $NODE
      user: $2
current-context: $NODE
EOF
}

pki() {
  mkdir -p "$PKI"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=mlplatform-e2e-ca" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  cert apiserver "/CN=kube-apiserver" "IP:127.0.0.1,IP:$BRIDGE_IP,IP:$API_SVC_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin "/O=system:masters/CN=mlplatform-e2e-admin"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  cert controller-manager "/CN=system:kube-controller-manager"
  cert scheduler "/CN=system:kube-scheduler"
  cert kube-proxy "/CN=system:kube-proxy"
  cert kubelet "/O=system:nodes/CN=system:node:$NODE"
  cert kubelet-serving "/O=system:nodes/CN=system:node:$NODE" "IP:$BRIDGE_IP,DNS:$NODE"
  # the aggregator's client certificate, from a CA of its own (as kubeadm does): aggregated APIs
  # such as the operator's external metrics trust only this CA for the API server's requests
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=front-proxy-ca" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$PKI/front-proxy-ca.key" -out "$PKI/front-proxy-ca.crt" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI/front-proxy-client.key" -subj "/CN=front-proxy-client" \
    -out "$PKI/front-proxy-client.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth" \
    >"$PKI/front-proxy-client.ext"
  openssl x509 -req -in "$PKI/front-proxy-client.csr" -CA "$PKI/front-proxy-ca.crt" \
    -CAkey "$PKI/front-proxy-ca.key" -CAcreateserial -days 2 \
    -extfile "$PKI/front-proxy-client.ext" -out "$PKI/front-proxy-client.crt" 2>/dev/null
  rm -f "$PKI/front-proxy-client.csr" "$PKI/front-proxy-client.ext"
  openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
    openssl pkcs8 -topk8 -nocrypt -out "$PKI/sa.key"
  openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  chmod 0600 "$PKI"/*.key
  kubeconfig "$KUBECONFIG_ADMIN" admin
  local u
  for u in controller-manager scheduler kube-proxy kubelet; do kubeconfig "$DIR/$u.kubeconfig" "$u"; done
}

pause_image() { # docker-archive of the static pause binary, for containerd's sandbox_image
  python3 - "$BIN/pause" "$PAUSE_IMAGE" "$DIR/pause.tar" <<'PY'
import hashlib, io, json, sys, tarfile
binary, ref, out = sys.argv[1:]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    info = t.gettarinfo(binary, arcname="pause")
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o755
    info.mtime = 0
    with open(binary, "rb") as f:
        t.addfile(info, f)
layer = layer.getvalue()
diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
config = json.dumps({
    "architecture": "amd64", "os": "linux",
    "config": {"Entrypoint": ["/pause"], "User": "65535:65535"},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [{"created_by": "mlplatform e2e: static pause binary"}],
}).encode()
config_name = hashlib.sha256(config).hexdigest() + ".json"
manifest = json.dumps([{"Config": config_name, "RepoTags": [ref], "Layers": ["layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, data in (("layer.tar", layer), (config_name, config), ("manifest.json", manifest)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
}

configs() {
  mkdir -p "$DIR/cni/net.d" "$DIR/cni/ipam" "$DIR/containerd" "$DIR/kubelet" "$DIR/pod-logs"
  cat >"$DIR/cni/net.d/10-$NODE.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$NODE",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$DIR/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "rangeStart": "10.244.0.10", "rangeEnd": "10.244.0.250", "gateway": "$BRIDGE_IP"}]],
        "routes": [{"dst": "$SVC_CIDR"}]
      }
    }
  ]
}
EOF
  cat >"$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$DIR/containerd/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # no CAP_SYS_RESOURCE here: runc cannot set a negative oom_score_adj
  restrict_oom_score_adj = true
  disable_tcp_service = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        # runc's state, /run/containerd/runc by default
        Root = "$DIR/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$DIR/cni/net.d"
    max_conf_num = 1
EOF
  cat >"$DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $BRIDGE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: Webhook
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
containerRuntimeEndpoint: unix://$SOCK
# no systemd, cgroup v1 hierarchies + cgroup2 at unified; pods under /$CGROUP only
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP
failCgroupV1: false
failSwapOn: false
# no CAP_SYS_RESOURCE: a negative oom_score_adj cannot be set
oomScoreAdj: 0
# no cluster DNS offline; an empty resolv.conf means pods resolve nothing (and ask no one)
resolvConf: ""
clusterDomain: cluster.local
podLogsDir: $DIR/pod-logs
maxPods: 30
# the disk is shared with builds: evict only when it is really full, never collect our images
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
  imagefs.inodesFree: 1%
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
  cat >"$DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $DIR/kube-proxy.kubeconfig
mode: iptables
hostnameOverride: $NODE
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
clusterCIDR: $POD_CIDR
nodePortAddresses: ["$BRIDGE_IP/32"]
oomScoreAdj: 0
iptables:
  localhostNodePorts: false
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
}

cgroups_up() {
  local h
  for h in /sys/fs/cgroup/*/; do
    [ -d "$h" ] && mountpoint -q "$h" || continue
    mkdir -p "$h$CGROUP"
    if [ -f "${h}cpuset.cpus" ]; then
      cat "${h}cpuset.cpus" >"$h$CGROUP/cpuset.cpus"
      cat "${h}cpuset.mems" >"$h$CGROUP/cpuset.mems"
    fi
  done
  local h
  for h in pids memory unified; do
    [ -d "/sys/fs/cgroup/$h" ] || die "no cgroup hierarchy at /sys/fs/cgroup/$h (cgroup v1 + v2 at unified expected)"
    mkdir -p "/sys/fs/cgroup/$h/$CGROUP/components"
  done
}

proxied() { iptables -w -t nat -S KUBE-SERVICES 2>/dev/null | grep -qF -- "-d $1/32"; }

# --- up -----------------------------------------------------------------------------------------

up() {
  [ ! -e "$STATE/up" ] || die "already up (state in $DIR): run \`$0 down\` first"
  prepare_host
  local port
  for port in "$API_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT" "$KUBELET_PORT" "$KUBELET_HEALTHZ_PORT" \
    "$PROXY_HEALTHZ_PORT" "$PROXY_METRICS_PORT"; do
    ! ss -Hltn "sport = :$port" | grep -q . || die "TCP port $port is in use: $(ss -Hltnp "sport = :$port")"
  done
  ! ip link show "$BRIDGE" >/dev/null 2>&1 || die "interface $BRIDGE exists: run \`$0 down\` first"
  ! ip route show | grep -qE "^(blackhole )?(${POD_CIDR%/*}|${SVC_CIDR%/*})" ||
    die "a route for $POD_CIDR or $SVC_CIDR exists already: $(ip route show | grep -E "${POD_CIDR%/*}|${SVC_CIDR%/*}")"

  rm -rf "$DIR"
  mkdir -p "$LOGS" "$PIDS" "$STATE"
  touch "$STATE/up"
  local s p
  for s in "${SYSCTLS[@]}"; do
    p=/proc/sys/${s//.//}
    [ -f "$p" ] && echo "$s=$(cat "$p")" >>"$STATE/sysctl.before"
  done
  for p in "${OUTSIDE[@]}"; do [ -e "$p" ] && echo "$p" >>"$STATE/outside.before"; done
  touch "$STATE/outside.before"

  cgroups_up
  guard_up
  say "network guard: $POD_CIDR and $SVC_CIDR routed to $BRIDGE ($BRIDGE_IP), forwarding to other interfaces dropped, leaks to $(cat "$STATE/external-interface") counted"
  pki
  configs
  pause_image

  start etcd "$BIN/etcd" --name "$NODE" --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "$NODE=http://127.0.0.1:$ETCD_PEER_PORT"
  # nothing is pulled: every image is imported. Should a pod name another, containerd's pull
  # goes to a proxy that refuses at once (no DNS lookup, no packet off the machine)
  start containerd env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 no_proxy= \
    containerd --config "$DIR/containerd/config.toml"
  wait_for etcd 60 curl -sf "http://127.0.0.1:$ETCD_PORT/health"

  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --secure-port "$API_PORT" --advertise-address "$BRIDGE_IP" \
    --service-cluster-ip-range "$SVC_CIDR" --tls-cert-file "$PKI/apiserver.crt" \
    --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" \
    --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true --profiling=false --endpoint-reconciler-type lease
  # pods reach the API server through the `kubernetes` Service, whose endpoint is the bridge
  # address (--advertise-address): relay it to the API server on 127.0.0.1
  start api-relay socat "TCP-LISTEN:$API_PORT,bind=$BRIDGE_IP,reuseaddr,fork" "TCP:127.0.0.1:$API_PORT"
  wait_for "kube-apiserver /readyz" 90 kubectl get --raw /readyz

  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$DIR/controller-manager.kubeconfig" --bind-address 127.0.0.1 --secure-port 0 \
    --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --controllers '*' --profiling=false
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --profiling=false

  wait_for "containerd" 60 ctr version
  ctr -n k8s.io images import "$DIR/pause.tar" >/dev/null
  start kubelet "$BIN/kubelet" --config "$DIR/kubelet/config.yaml" \
    --kubeconfig "$DIR/kubelet.kubeconfig" --root-dir "$DIR/kubelet" \
    --hostname-override "$NODE" --node-ip "$BRIDGE_IP" --v 1
  start kube-proxy "$BIN/kube-proxy" --config "$DIR/kube-proxy.yaml" --v 1

  wait_for "node $NODE Ready" 120 kubectl wait --for=condition=Ready "node/$NODE" --timeout=1s
  wait_for "the default ServiceAccount" 60 kubectl get serviceaccount default -n default
  wait_for "kube-proxy's rules for the kubernetes Service" 60 proxied "$API_SVC_IP"
  say "cluster up: node $NODE Ready; export KUBECONFIG=$KUBECONFIG_ADMIN"
}

# --- down ---------------------------------------------------------------------------------------

# every PID in the cgroup subtree of hierarchy $1
cgroup_pids() {
  [ ! -d "/sys/fs/cgroup/$1/$CGROUP" ] || find "/sys/fs/cgroup/$1/$CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null || true
}

kill_cgroups() {
  local pids i
  for i in $(seq 1 50); do
    pids=$(cgroup_pids pids | sort -u)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  echo "cluster.sh: processes left in /sys/fs/cgroup/pids/$CGROUP: $(cgroup_pids pids | tr '\n' ' ')" >&2
}

remove_cgroups() {
  local h
  for h in /sys/fs/cgroup/*/; do
    [ -d "$h$CGROUP" ] || continue
    # depth first; a cgroup whose last task just died may need a moment
    for _ in $(seq 1 30); do
      find "$h$CGROUP" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [ -d "$h$CGROUP" ] || break
      sleep 0.1
    done
    [ ! -d "$h$CGROUP" ] || echo "cluster.sh: could not remove the cgroup $h$CGROUP" >&2
  done
}

# delete from every table of IPTABLES (iptables or ip6tables) the chains whose names start with
# one of the PREFIXES and every rule that jumps to them: one iptables-restore --noflush per table
remove_chains() {
  local ipt=$1 t rules script
  shift
  local re
  re="($(
    IFS='|'
    echo "$*"
  ))"
  for t in raw mangle nat filter security; do
    rules=$($ipt -w -t $t -S 2>/dev/null) || continue
    script=$(awk -v re="^$re" '
      $1 == "-A" && $2 !~ re { for (i = 3; i < NF; i++) if ($i == "-j" && $(i + 1) ~ re) { sub(/^-A/, "-D"); print; break } }
      $1 == "-N" && $2 ~ re { chains[++n] = $2 }
      END { for (i = 1; i <= n; i++) print "-F " chains[i]; for (i = 1; i <= n; i++) print "-X " chains[i] }
    ' <<<"$rules")
    [ -n "$script" ] || continue
    printf '*%s\n%s\nCOMMIT\n' "$t" "$script" | "$ipt-restore" -w --noflush ||
      echo "cluster.sh: $ipt-restore could not remove the $* chains from the $t table" >&2
  done
}

# network namespaces whose interfaces have an address in the pod range (ours, made by the CNI)
our_netns() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    ip netns exec "$ns" ip -4 -o addr show 2>/dev/null | grep -q " ${POD_CIDR%.*}\." && echo "$ns"
  done
}

# mark WHAT: with E2E_TRACE=1, how long `down` has taken so far
mark() {
  [ -n "${E2E_TRACE:-}" ] || return 0
  awk -v now="$(date +%s.%N)" -v t0="$down_t0" -v what="$1" 'BEGIN {printf "    %5.1f s  %s\n", now - t0, what}'
}

existed_before() { grep -qxF "$1" "$STATE/outside.before" 2>/dev/null; }

outside_cleanup() {
  local f id
  # containerd's shim sockets: sha256(ADDRESS/NAMESPACE/ID) in /run/containerd/s (the shims remove
  # their own on a clean exit)
  for f in "$DIR"/containerd/state/io.containerd.runtime.v2.task/*/*; do
    [ -d "$f" ] || continue
    id=${f##*/}
    f=${f%/*}
    rm -f "/run/containerd/s/$(printf '%s' "$SOCK/${f##*/}/$id" | sha256sum | cut -d' ' -f1)"
  done
  # libcni's result cache: NETWORK-SANDBOX-IFNAME, and containerd's loopback for each sandbox
  for f in /var/lib/cni/results/"$NODE"-*-eth0; do
    [ -e "$f" ] || continue
    id=${f#/var/lib/cni/results/"$NODE"-}
    id=${id%-eth0}
    rm -f "$f" "/var/lib/cni/results/cni-loopback-$id-lo"
  done
  find /var/log/containers -maxdepth 1 -type l -lname "$DIR/*" -delete 2>/dev/null || true
  [ -f "$STATE/outside.before" ] || return 0
  local p
  for p in "${OUTSIDE[@]}"; do
    existed_before "$p" && continue
    [ -d "$p" ] && find "$p" -depth -type d -empty -delete 2>/dev/null || true
  done
}

down() {
  local t0=$SECONDS
  down_t0=$(date +%s.%N)
  # Nothing here needs a graceful stop: every bit of state is deleted below. The node agents go
  # first, so that nothing restarts the pods; then every process in the cgroup: the pods, the
  # shims (their sockets and mounts are removed below), containerd and the control plane
  kill_pidfiles kubelet kube-proxy
  kill_cgroups
  kill_pidfiles containerd kube-scheduler kube-controller-manager api-relay kube-apiserver etcd
  mark "kill_cgroups"

  # network namespaces of pods (CNI DEL never ran: deleting the namespace removes the veth)
  local ns
  for ns in $(our_netns); do ip netns delete "$ns" 2>/dev/null || umount "/run/netns/$ns" 2>/dev/null || true; done
  # every mount under the data directory, deepest first
  local m
  for _ in 1 2 3; do
    m=$(awk -v d="$DIR" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
    [ -n "$m" ] || break
    # shellcheck disable=SC2086
    umount $m 2>/dev/null || umount -l $m 2>/dev/null || true
  done

  remove_chains iptables KUBE- MLPE2E-
  remove_chains ip6tables KUBE- MLPE2E-
  mark "remove_chains ip6tables KUBE- MLPE2E-"
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE"; fi
  # veths of pods whose namespace is gone already vanish with it; any left on the bridge go here
  local veth
  for veth in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    if [ "$(basename "$(readlink "/sys/class/net/$veth/master" 2>/dev/null)")" = "$BRIDGE" ]; then
      ip link delete "$veth" 2>/dev/null || true
    fi
  done
  if ip route show "$SVC_CIDR" 2>/dev/null | grep -q .; then ip route delete "$SVC_CIDR" 2>/dev/null || true; fi
  if command -v conntrack >/dev/null; then
    local c
    for c in "-s $POD_CIDR" "-d $POD_CIDR" "-d $SVC_CIDR" "--orig-dst $SVC_CIDR"; do
      # shellcheck disable=SC2086
      conntrack -D $c >/dev/null 2>&1 || true
    done
  fi

  if [ -f "$STATE/sysctl.before" ]; then
    local line key value p
    while IFS= read -r line; do
      key=${line%%=*} value=${line#*=}
      p=/proc/sys/${key//.//}
      [ -f "$p" ] && [ "$(cat "$p")" != "$value" ] && echo "$value" >"$p" 2>/dev/null || true
    done <"$STATE/sysctl.before"
  fi
  remove_cgroups
  mark "remove_cgroups"

  # what the components write outside the data directory: only our entries go; a folder goes
  # too when it did not exist before `up` and nothing else is in it
  outside_cleanup
  mark "outside the data directory"
  if [ -n "${E2E_KEEP_LOGS:-}" ] && [ -d "$LOGS" ]; then
    mkdir -p "$E2E_KEEP_LOGS"
    cp -a "$LOGS/." "$E2E_KEEP_LOGS/"
  fi
  rm -rf "$DIR" "$HOME/.kube/cache/discovery/127.0.0.1_$API_PORT"
  mark "data directory removed"
  say "cluster down in $((SECONDS - t0)) s"
}

# check_clean: nothing of the cluster is left (after `down`); lists what is and exits 1
check_clean() {
  local left=() out
  out=$(grep -lsF "$DIR" /proc/[0-9]*/cmdline 2>/dev/null | grep -v "^/proc/$$/" | cut -d/ -f3 |
    while read -r pid; do [ "$pid" != "$BASHPID" ] && ps -o pid=,args= -p "$pid" 2>/dev/null; done || true)
  [ -z "$out" ] || left+=("processes: $out")
  out=$(awk -v d="$DIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo)
  [ -z "$out" ] || left+=("mounts: $out")
  ! ip link show "$BRIDGE" >/dev/null 2>&1 || left+=("interface $BRIDGE")
  out=$(ip -o link show type veth 2>/dev/null | grep -F "master $BRIDGE" || true)
  [ -z "$out" ] || left+=("veths: $out")
  out=$(ip route show | grep -E "${POD_CIDR%/*}|${SVC_CIDR%/*}" || true)
  [ -z "$out" ] || left+=("routes: $out")
  out=$(our_netns)
  [ -z "$out" ] || left+=("network namespaces: $out")
  out=$( (iptables-save 2>/dev/null; ip6tables-save 2>/dev/null) | grep -E 'KUBE-|MLPE2E-' || true)
  [ -z "$out" ] || left+=("iptables: $(wc -l <<<"$out") lines with KUBE-/MLPE2E-")
  out=$(ls -d /sys/fs/cgroup/*/"$CGROUP" 2>/dev/null || true)
  [ -z "$out" ] || left+=("cgroups: $out")
  [ ! -e "$DIR" ] || left+=("the data directory $DIR")
  out=$(ls /var/lib/cni/results 2>/dev/null | grep -E "^$NODE-" || true)
  [ -z "$out" ] || left+=("CNI results: $out")
  if ((${#left[@]})); then
    printf 'cluster.sh: left after down: %s\n' "${left[@]}" >&2
    return 1
  fi
  echo "clean: no process, mount, interface, route, netns, KUBE-/MLPE2E- chain, cgroup or file of the cluster left"
}

# --- other commands -----------------------------------------------------------------------------

import_images() {
  alive containerd || die "the cluster is not up"
  local tar
  for tar in "$@"; do
    ctr -n k8s.io images import --no-unpack=false "$tar" >/dev/null || die "ctr images import $tar failed"
  done
}

rss() {
  # components: one line each; pods: every process in each pod's cgroup (pause included)
  local name pid kb total=0
  printf '%-26s %8s\n' component "RSS MB"
  for f in "$PIDS"/*.pid; do
    name=$(basename "$f" .pid)
    pid=$(cat "$f")
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$((total + kb))
    printf '%-26s %8d\n' "$name" $((kb / 1024))
  done
  # containerd's shims (children of containerd in the components cgroup)
  kb=0
  for pid in $(shims); do
    kb=$((kb + $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  total=$((total + kb))
  printf '%-26s %8d\n' "containerd shims" $((kb / 1024)) "node components total" $((total / 1024))
  local uid pod_dir procs
  printf '%-50s %8s\n' pod "RSS MB"
  for pod_dir in $(find "/sys/fs/cgroup/pids/$CGROUP" -maxdepth 3 -type d -name 'pod*'); do
    uid=${pod_dir##*/pod}
    name=$(kubectl get pods -A -o jsonpath="{range .items[?(@.metadata.uid==\"$uid\")]}{.metadata.namespace}/{.metadata.name}{end}" 2>/dev/null)
    kb=0
    procs=$(find "$pod_dir" -name cgroup.procs -exec cat {} + 2>/dev/null)
    for pid in $procs; do kb=$((kb + $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0))); done
    printf '%-50s %8d\n' "${name:-pod $uid}" $((kb / 1024))
  done
}

if [ "$(id -u)" != 0 ]; then
  sudo -n true 2>/dev/null || die "needs root (network namespaces, iptables, cgroups, mounts), or passwordless sudo"
  exec sudo -n --preserve-env=PATH,HOME,MLPLATFORM_CACHE,MLPLATFORM_SHARED_K8S,E2E_DIR,E2E_K8S_BIN,E2E_TRACE bash "$0" "$@"
fi
case "${1:-}" in
  up) up ;;
  down) down ;;
  env)
    [ -e "$STATE/up" ] || die "not up"
    echo "export KUBECONFIG=$KUBECONFIG_ADMIN"
    ;;
  leaks) leaks ;;
  import)
    shift
    import_images "$@"
    ;;
  rss) rss ;;
  check-clean) check_clean ;;
  prepare)
    prepare_host
    ;;
  *)
    echo "usage: $0 up|down|check-clean|prepare|env|leaks|import TAR...|rss" >&2
    exit 2
    ;;
esac
