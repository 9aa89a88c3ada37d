#!/usr/bin/env bash
# The one list of tools the project's targets need: finds each on PATH, installs what is missing
# (Debian or Ubuntu, as root or with `sudo -n`), or stops at once with one message naming every
# missing tool and the command that installs it. Idempotent; well under 2 s when all is present.
#
#   tools/setup.sh [--check] [GROUP...]     GROUP: test (default), images, bench, e2e
#
#   test    what `make test` runs: a JDK and Maven, lua5.1 (Argo CD health script), yamllint
#           (workflows and delivery YAML), promtool and prometheus (alert rules, MonitoringIT),
#           Python with torch and onnx (the PyTorch engine's TorchScript fixture), and the
#           Kubernetes v1.32.6 binaries (kube-apiserver, etcd, kube-controller-manager, kubectl)
#   images  what `make images-smoke` / `make images-lint` add: rootful podman with runc,
#           debootstrap (offline base image), npm (dockerfilelint), Python with torch and onnx
#           (the TorchScript the -pytorch image's smoke test serves)
#   bench   what `make bench`, `make bench-load` and `make bench-soak` add: wrk, hey
#   e2e     what `make e2e` adds (a one-node cluster, tools/e2e): Debian's containerd, runc, CNI
#           plugins, conntrack, socat, iptables, openssl, lua5.1, gnuplot, and kube-scheduler, kubelet, kube-proxy,
#           pause beside the other Kubernetes binaries
#   --check only report; install nothing (exit 1 if anything is missing)
#
# MLPLATFORM_WITHOUT="pytorch prometheus lua yamllint kubernetes" leaves those test groups out
# (their tests are skipped and say so); CI never sets it. See docs/development.md.
#
# Kubernetes binaries go to $KUBE_API_TEST_DIR/k8s/1.32.6-linux-amd64 (default ~/.kubeapitest, where
# fabric8 kube-api-test looks), unpacked from ../shared/k8s when that folder exists (these machines
# have no internet), otherwise downloaded from the Kubernetes and etcd release sites with their
# published SHA-256. kubectl is linked into /usr/local/bin when no kubectl is on PATH.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
started=$(date +%s%N)

K8S_VERSION=1.32.6
ETCD_VERSION=3.5.16
KUBE_DIR=${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/$K8S_VERSION-linux-amd64
SHARED_K8S=${MLPLATFORM_SHARED_K8S:-$repo/../shared/k8s}
# kube-api-test starts kube-apiserver with this service range; the API server dials Service IPs
# for aggregated APIs and webhooks, so the range must never follow the default route off the host
SERVICE_RANGE=10.0.0.0/24

check_only=false
groups=()
for arg in "$@"; do
  case "$arg" in
    --check) check_only=true ;;
    test | images | bench | e2e) groups+=("$arg") ;;
    *)
      echo "usage: $0 [--check] [test|images|bench|e2e]..." >&2
      exit 2
      ;;
  esac
done
((${#groups[@]})) || groups=(test)
wants() { [[ " ${groups[*]} " == *" $1 "* ]]; }
off() { [[ " ${MLPLATFORM_WITHOUT:-} " =~ [[:space:],]$1[[:space:],] ]]; }

os_id=$(. /etc/os-release 2>/dev/null && echo "${ID:-unknown}") || os_id=unknown
packages=() # Debian/Ubuntu packages to install
missing=()  # "tool (package)" for the message
notes=()    # what the setup did or chose, printed once

# need TOOL PACKAGE...: TOOL must be on PATH; PACKAGE(s) provide it
need() {
  local tool=$1
  shift
  command -v "$tool" >/dev/null 2>&1 && return 0
  packages+=("$@")
  missing+=("$tool ($*)")
}

k8s_binaries=(etcd kube-apiserver kube-controller-manager kubectl)
wants e2e && k8s_binaries+=(kube-scheduler kubelet kube-proxy pause)
k8s_present() {
  local b
  for b in "${k8s_binaries[@]}"; do [ -x "$KUBE_DIR/$b" ] || return 1; done
}

# Unpack (from ../shared/k8s) or download the Kubernetes binaries, each checked against its SHA-256.
install_k8s() {
  local tmp b
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$KUBE_DIR"
  if [ -f "$SHARED_K8S/k8s-v$K8S_VERSION-linux-amd64.tar.gz" ]; then
    tar -xzf "$SHARED_K8S/k8s-v$K8S_VERSION-linux-amd64.tar.gz" -C "$tmp" --strip-components=2 \
      "${k8s_binaries[@]/#/k8s-v$K8S_VERSION-linux-amd64/bin/}"
    (cd "$tmp" && grep -E " ($(
      IFS='|'
      echo "${k8s_binaries[*]}"
    ))\$" "$SHARED_K8S/SHA256SUMS" | sha256sum --quiet -c -)
    notes+=("Kubernetes v$K8S_VERSION binaries unpacked from $SHARED_K8S into $KUBE_DIR")
  else
    command -v curl >/dev/null || {
      echo "setup: curl is needed to download the Kubernetes binaries" >&2
      return 1
    }
    local k8s_url=https://dl.k8s.io/release/v$K8S_VERSION/bin/linux/amd64
    for b in "${k8s_binaries[@]}"; do
      [ "$b" = etcd ] && continue
      if [ "$b" = pause ]; then
        # no pause binary is published: build Kubernetes' own pause.c of this release, as its
        # image build does (gcc -static)
        command -v gcc >/dev/null || {
          echo "setup: gcc is needed to build the pause binary (apt-get install gcc libc6-dev)" >&2
          return 1
        }
        curl -fsSL -o "$tmp/pause.c" \
          "https://raw.githubusercontent.com/kubernetes/kubernetes/v$K8S_VERSION/build/pause/linux/pause.c"
        gcc -Os -Wall -Werror -static -DVERSION="v3.10-v$K8S_VERSION" -o "$tmp/pause" "$tmp/pause.c"
        continue
      fi
      curl -fsSL -o "$tmp/$b" "$k8s_url/$b"
      echo "$(curl -fsSL "$k8s_url/$b.sha256")  $b" | (cd "$tmp" && sha256sum --quiet -c -)
    done
    local etcd=etcd-v$ETCD_VERSION-linux-amd64
    local etcd_url=https://github.com/etcd-io/etcd/releases/download/v$ETCD_VERSION
    curl -fsSL -o "$tmp/$etcd.tar.gz" "$etcd_url/$etcd.tar.gz"
    curl -fsSL "$etcd_url/SHA256SUMS" | grep " $etcd.tar.gz\$" | (cd "$tmp" && sha256sum --quiet -c -)
    tar -xzf "$tmp/$etcd.tar.gz" -C "$tmp" --strip-components=1 "$etcd/etcd"
    notes+=("Kubernetes v$K8S_VERSION and etcd v$ETCD_VERSION downloaded into $KUBE_DIR")
  fi
  for b in "${k8s_binaries[@]}"; do
    chmod 0755 "$tmp/$b"
    mv -f "$tmp/$b" "$KUBE_DIR/$b"
  done
}

# --- what each group needs -------------------------------------------------------------------

need java openjdk-17-jdk-headless
need mvn maven
need curl curl
if wants test; then
  off lua || need lua5.1 lua5.1
  off yamllint || need yamllint yamllint
  if ! off prometheus; then
    need promtool prometheus
    need prometheus prometheus
  fi
  if ! off pytorch && ! bash "$repo/tools/torch-python.sh" >/dev/null; then
    packages+=(python3 python3-torch python3-onnx)
    missing+=("python3 with torch and onnx (python3-torch python3-onnx)")
  fi
fi
if wants images; then
  need podman podman buildah runc fuse-overlayfs slirp4netns uidmap skopeo umoci conmon \
    containernetworking-plugins golang-github-containers-common catatonit
  need runc runc
  need debootstrap debootstrap
  need npx npm
  need python3 python3
  # the -pytorch image's smoke test serves a TorchScript converted offline from the bundled weights
  if ! wants test && ! off pytorch && ! bash "$repo/tools/torch-python.sh" >/dev/null; then
    packages+=(python3 python3-torch python3-onnx)
    missing+=("python3 with torch and onnx (python3-torch python3-onnx)")
  fi
  # Ubuntu's debootstrap needs Debian's keyring to bootstrap the bookworm base image
  if [ "$os_id" = ubuntu ] && [ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
    packages+=(debian-archive-keyring)
    missing+=("Debian's archive keyring (debian-archive-keyring)")
  fi
fi
if wants e2e; then
  need containerd containerd
  need runc runc
  need conntrack conntrack
  need socat socat
  need iptables iptables
  need ip6tables iptables
  need ip iproute2
  need ss iproute2
  need openssl openssl
  need python3 python3
  need lua5.1 lua5.1 # the gitops scenario runs Argo CD's health script on the live ModelServers
  need gnuplot gnuplot-nox # the autoscale scenario draws its timeline
  for plugin in bridge host-local loopback; do
    [ -x /usr/lib/cni/$plugin ] || {
      packages+=(containernetworking-plugins)
      missing+=("CNI plugin $plugin (containernetworking-plugins)")
    }
  done
fi
if wants bench; then
  need wrk wrk # make bench
  need hey hey # make bench-load, make bench-soak
fi

k8s_missing=false
route_missing=false
if wants e2e; then
  k8s_present || {
    k8s_missing=true
    missing+=("Kubernetes v$K8S_VERSION binaries (${k8s_binaries[*]}) in $KUBE_DIR")
  }
fi
if wants test && ! off kubernetes; then
  need ip iproute2 # the blackhole route below
  $k8s_missing || k8s_present || {
    k8s_missing=true
    missing+=("Kubernetes v$K8S_VERSION binaries (${k8s_binaries[*]}) in $KUBE_DIR")
  }
  command -v kubectl >/dev/null || missing+=("kubectl on PATH (linked from $KUBE_DIR)")
  ip route show "$SERVICE_RANGE" 2>/dev/null | grep -q . || {
    route_missing=true
    missing+=("a blackhole route for kube-apiserver's service range $SERVICE_RANGE (ip route add blackhole $SERVICE_RANGE)")
  }
fi

elapsed() { echo "$((($(date +%s%N) - started) / 1000000)) ms"; }

if ((${#missing[@]} == 0)); then
  echo "setup: all tools present for ${groups[*]} ($(elapsed))"
  exit 0
fi

# --- install, or say exactly what to run -----------------------------------------------------

as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(none); fi
fi
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk 'NF && !seen[$0]++')

explain() {
  {
    echo "setup: missing for ${groups[*]}:"
    printf '  - %s\n' "${missing[@]}"
    echo "install them with (as root):"
    ((${#packages[@]})) && echo "  apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"
    $k8s_missing && echo "  bash tools/setup.sh ${groups[*]}   # unpacks ../shared/k8s or downloads Kubernetes v$K8S_VERSION into $KUBE_DIR"
    $route_missing && echo "  ip route add blackhole $SERVICE_RANGE"
    echo "or leave test groups out: MLPLATFORM_WITHOUT=\"pytorch prometheus lua yamllint kubernetes\" (docs/development.md)"
  } >&2
}

if $check_only || [ "${as_root[*]:-}" = none ] || { ((${#packages[@]})) && ! command -v apt-get >/dev/null; }; then
  explain
  exit 1
fi

if ((${#packages[@]})); then
  echo "setup: installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Debian's prometheus package starts its service on install (on :9090, the model server's default
  # metrics port); tests start their own on free ports. A policy-rc.d that exits 101 makes
  # invoke-rc.d and deb-systemd-invoke skip every service start during this install.
  own_policy=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${as_root[@]}" chmod +x /usr/sbin/policy-rc.d
    own_policy=true
    trap '"${as_root[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
  if $own_policy; then
    "${as_root[@]}" rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
fi
$k8s_missing && install_k8s
if wants test && ! off kubernetes && ! command -v kubectl >/dev/null; then
  "${as_root[@]}" ln -sf "$KUBE_DIR/kubectl" /usr/local/bin/kubectl
  notes+=("kubectl linked into /usr/local/bin")
fi
# checked again: before iproute2 was installed, `ip` could not tell
if $route_missing && ! ip route show "$SERVICE_RANGE" | grep -q .; then
  if ip -4 addr show | grep -q 'inet 10\.0\.0\.'; then
    echo "setup: this host has an address in $SERVICE_RANGE; kube-api-test's service range would clash" >&2
    exit 1
  fi
  "${as_root[@]}" ip route add blackhole "$SERVICE_RANGE"
  notes+=("blackhole route added for $SERVICE_RANGE (kube-apiserver's service range stays on this host)")
fi
((${#notes[@]})) && printf 'setup: %s\n' "${notes[@]}"
echo "setup: done for ${groups[*]} ($(elapsed))"
