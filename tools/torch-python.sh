#!/usr/bin/env bash
# Prints the first python3 on PATH that has torch and onnx (Debian's python3-torch installs them
# for the system python3, which may come after a pyenv or venv python3 on PATH); exit 1 if none.
# Looks the modules up without importing them (importing torch takes seconds).
while read -r py; do
  if "$py" -c 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("torch") and u.find_spec("onnx") else 1)' 2>/dev/null; then
    echo "$py"
    exit 0
  fi
done < <(type -ap python3 | awk '!seen[$0]++')
exit 1
