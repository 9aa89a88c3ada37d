#!/usr/bin/env bash
# Build (once, then from the cache) the TorchScript of all-MiniLM-L6-v2 from its ONNX weights.
# usage: tools/torchscript-fixture.sh MODEL.onnx TOKENIZER.json OUT_DIR
# Needs a python3 with torch and onnx (Debian's python3-torch, python3-onnx: make test-deps);
# the result is cached under
# ${MLPLATFORM_CACHE:-$HOME/.cache/mlplatform}/torchscript/<hash of weights and converter>.
set -euo pipefail
onnx_model=$1 tokenizer=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
converter="$here/onnx_to_torchscript.py"

if [[ " ${MLPLATFORM_WITHOUT:-} " =~ [[:space:],]pytorch[[:space:],] ]]; then
  echo "TorchScript fixture skipped: MLPLATFORM_WITHOUT names pytorch (the PyTorch tests skip too)"
  exit 0
fi
if ! python=$(bash "$here/torch-python.sh"); then
  echo "the TorchScript fixture needs a python3 with torch and onnx (Debian's python3-torch and" >&2
  echo "python3-onnx): run \`make test-deps\`, or set MLPLATFORM_WITHOUT=pytorch to leave these tests out" >&2
  exit 1
fi

key=$(cat "$onnx_model" "$tokenizer" "$converter" | sha256sum | cut -c1-16)
cache="${MLPLATFORM_CACHE:-$HOME/.cache/mlplatform}/torchscript/$key"
if [[ ! -f $cache/model.pt ]]; then
  start=$(date +%s)
  "$python" "$converter" "$onnx_model" "$tokenizer" "$cache.tmp"
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
  echo "built the TorchScript fixture in $(($(date +%s) - start)) s"
fi
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$cache" "$out"
echo "TorchScript fixture: $out"
