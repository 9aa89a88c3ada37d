#!/usr/bin/env bash
# Build (once, then from the cache) the TorchScript of all-MiniLM-L6-v2 from its ONNX weights.
# usage: tools/torchscript-fixture.sh MODEL.onnx TOKENIZER.json OUT_DIR
# Needs Debian's python3-torch and python3-onnx; the result is cached under
# ${MLPLATFORM_CACHE:-$HOME/.cache/mlplatform}/torchscript/<hash of weights and converter>.
set -euo pipefail
onnx_model=$1 tokenizer=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
converter="$here/onnx_to_torchscript.py"

if ! /usr/bin/python3 -c 'import torch, onnx' 2>/dev/null; then
  echo "the TorchScript fixture needs Debian's python3-torch and python3-onnx:" >&2
  echo "  apt-get install --no-install-recommends python3-torch python3-onnx" >&2
  exit 1
fi

key=$(cat "$onnx_model" "$tokenizer" "$converter" | sha256sum | cut -c1-16)
cache="${MLPLATFORM_CACHE:-$HOME/.cache/mlplatform}/torchscript/$key"
if [[ ! -f $cache/model.pt ]]; then
  start=$(date +%s)
  /usr/bin/python3 "$converter" "$onnx_model" "$tokenizer" "$cache.tmp"
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
  echo "built the TorchScript fixture in $(($(date +%s) - start)) s"
fi
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$cache" "$out"
echo "TorchScript fixture: $out"
