#!/usr/bin/env bash
# Trains sana-sr-compact-x4 on this machine's CPU in one command (issue 10 item 4), in two steps that both
# checkpoint, so a killed run resumes where it stopped when the same command is run again:
#   1. the LR-grid trunk alone (preset compact-plain, sanasr.train.plain: clean pairs, then the degradation mix);
#   2. the SANA-SR stages a-d of the compact model (autoencoder, prior, adaptation with LoRA, pruning), its trunk
#      started from step 1's (--init-trunk), then the export with the descriptor's training record.
# Both log PSNR against bicubic on a validation slice as they go (<run>/*.jsonl, "val_*_delta").
#
#   scripts/train-compact.sh [TRUNK_MINUTES=30] [SANA_MINUTES=45] [THREADS=1]
#   env: TRUNK_RUN (runs/compact-trunk), RUN (runs/compact), OUT (out/sana-sr-compact-x4), VERSION (1.0.0)
#
# With 1 thread (the other core stays free for other work) the defaults take about 77 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
TRUNK_MINUTES=${1:-30}; SANA_MINUTES=${2:-45}; THREADS=${3:-1}
TRUNK_RUN=${TRUNK_RUN:-runs/compact-trunk}; RUN=${RUN:-runs/compact}
OUT=${OUT:-out/sana-sr-compact-x4}; VERSION=${VERSION:-1.0.0}
PY=${PYTHON:-/usr/bin/python3}
export PYTHONPATH=src/main/python
"$PY" -m sanasr.train.all --preset compact-plain --minutes "$TRUNK_MINUTES" --reserve 0 --run "$TRUNK_RUN" \
  --out "$TRUNK_RUN/export" --name sana-sr-compact-plain-x4 --version "$VERSION" --eval-max-side -1 --threads "$THREADS"
"$PY" -m sanasr.train.all --preset compact --minutes "$SANA_MINUTES" --reserve 0 --run "$RUN" \
  --init-trunk "$TRUNK_RUN/plain.pt" --out "$OUT" --name sana-sr-compact-x4 --version "$VERSION" \
  --eval-max-side -1 --threads "$THREADS"
echo "exported $OUT; evaluate with: /usr/bin/python3 bench/ablation.py report --row a --model $OUT"
