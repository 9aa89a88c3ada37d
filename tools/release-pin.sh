#!/usr/bin/env bash
# Pins the prod overlay to a released version of both images and re-renders its golden file, so
# the release commit leaves `make test` green. The release workflow runs it; KustomizeOverlaysTest
# runs it on a copy of the repository.
#
#   tools/release-pin.sh VERSION REGISTRY      e.g. tools/release-pin.sh 0.2.0 ghcr.io/mlplatform
#
# Needs kubectl (for `kubectl kustomize`).
set -euo pipefail
[ $# = 2 ] || {
  echo "usage: $0 VERSION REGISTRY" >&2
  exit 2
}
version=$1 registry=${2%/}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || {
  echo "release-pin: '$version' is not a version (X.Y.Z)" >&2
  exit 2
}
cd "$(dirname "$0")/.."
overlay=k8s/overlays/prod

# the operator's image: the images entry of the prod kustomization (newName, then newTag)
sed -i -E \
  -e "/- name: mlplatform\/operator\$/,/newTag:/{s#(newName: ).*#\1$registry/operator#;s#(newTag: ).*#\1\"$version\"#}" \
  "$overlay/kustomization.yaml"
# the model server image the operator deploys (DEFAULT_SERVER_IMAGE in the operator's env)
sed -i -E "s#(value: ).*/model-server:.*#\1$registry/model-server:$version#" "$overlay/operator-prod.yaml"

grep -q "newTag: \"$version\"" "$overlay/kustomization.yaml" &&
  grep -q "$registry/model-server:$version" "$overlay/operator-prod.yaml" || {
  echo "release-pin: the prod overlay no longer has the expected image fields" >&2
  exit 1
}
kubectl kustomize "$overlay" >operator/src/test/resources/golden/k8s-overlay-prod.yaml
echo "prod overlay pinned to $registry/{operator,model-server}:$version"
