#!/usr/bin/env bash
# Writes the adaptable form (LoRA adapters, B = 0) of each float32 model in models/ and its model.json entry
# (issue 16; src/main/python/sanasr/adaptable.py). Rerun after replacing a shipped model: the plugin refuses
# an adaptable file whose base_sha256 no longer matches the shipped file.
#   scripts/make-adaptable.sh                 # every float32 model folder in models/
#   scripts/make-adaptable.sh models/NAME     # one folder
# Environment: PYTHON (default /usr/bin/python3, Debian's torch), RANK (default 4), THREADS (default 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-/usr/bin/python3}
export PYTHONPATH=src/main/python
folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then
  for m in models/*/; do
    [ -f "$m/model.json" ] || continue
    # bfloat16 files are a speed variant of a float32 model: adapt the float32 one
    grep -q '"precision": "bfloat16"' "$m/model.json" && continue
    folders+=("${m%/}")
  done
fi
exec "$PY" -m sanasr.adaptable --rank "${RANK:-4}" --threads "${THREADS:-1}" "${folders[@]}"
