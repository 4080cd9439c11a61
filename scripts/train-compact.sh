#!/usr/bin/env bash
# Trains sana-sr-compact-x4 on this machine's CPU in one command, checkpointed: a killed run resumes where it
# stopped when the same command is run again.
#
# From scratch (release 1.0.0's recipe, issue 10):
#   scripts/train-compact.sh [TRUNK_MINUTES=30] [SANA_MINUTES=45] [THREADS=1]
#   1. the LR-grid trunk alone (preset compact-plain, sanasr.train.plain: clean pairs, then the degradation mix);
#   2. the SANA-SR stages a-d of the compact model, its trunk started from step 1's (--init-trunk), then export.
#   env: TRUNK_RUN (runs/compact-trunk), RUN (runs/compact), OUT (out/sana-sr-compact-x4), VERSION (1.0.0)
#
# Continuing a release (issue 18: training accumulates across releases):
#   scripts/train-compact.sh --continue [MINUTES=120] [THREADS=1]
#   sanasr.train.release: the shipped models/sana-sr-compact-x4 (its float32 weights and, when committed, the
#   Adam moments in training-state.pt) trained further on photos and real microscopy (bf16 autocast where the
#   CPU has it), exported with its lineage to OUT, with the bf16 variant to OUT-bf16.
#   env: PARENT (models/sana-sr-compact-x4), RUN (runs/compact-continue), OUT (out/sana-sr-compact-x4),
#        VERSION (the parent's major + 1, e.g. 2.0.0), AVERAGE (0: export the final weights; N: the mean of
#        the final weights and the last N ten-minute snapshots), LOWCUT (0; K: export with the residual's
#        low frequencies removed over K LR pixels, see SRConfig.residual_lowcut), BLEND (1; A: export
#        A x the trained weights + (1 - A) x the parent's), DESCRIPTION (the menu's one line)
# Both log PSNR against bicubic on a validation slice as they go (<run>/*.jsonl, "val_*_delta").
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
export PYTHONPATH=src/main/python
if [ "${1:-}" = "--continue" ]; then
  MINUTES=${2:-120}; THREADS=${3:-1}
  PARENT=${PARENT:-models/sana-sr-compact-x4}; RUN=${RUN:-runs/compact-continue}; OUT=${OUT:-out/sana-sr-compact-x4}
  VERSION=${VERSION:-$("$PY" -c "import json,sys; v=json.load(open(sys.argv[1]))['version']; print(f'{int(v.split(\".\")[0])+1}.0.0')" "$PARENT/model.json")}
  "$PY" -m sanasr.train.release --parent "$PARENT" --run "$RUN" --minutes "$MINUTES" --threads "$THREADS" \
    --val-every 300 --version "$VERSION" --out "$OUT" --bf16-out "$OUT-bf16" --average "${AVERAGE:-0}" \
    --residual-lowcut "${LOWCUT:-0}" --blend-parent "${BLEND:-1}" \
    ${DESCRIPTION:+--description "$DESCRIPTION"}
  echo "exported $OUT and $OUT-bf16; evaluate with: $PY bench/ablation.py report --row a --model $OUT"
  exit 0
fi
TRUNK_MINUTES=${1:-30}; SANA_MINUTES=${2:-45}; THREADS=${3:-1}
TRUNK_RUN=${TRUNK_RUN:-runs/compact-trunk}; RUN=${RUN:-runs/compact}
OUT=${OUT:-out/sana-sr-compact-x4}; VERSION=${VERSION:-1.0.0}
"$PY" -m sanasr.train.all --preset compact-plain --minutes "$TRUNK_MINUTES" --reserve 0 --run "$TRUNK_RUN" \
  --out "$TRUNK_RUN/export" --name sana-sr-compact-plain-x4 --version "$VERSION" --eval-max-side -1 --threads "$THREADS"
"$PY" -m sanasr.train.all --preset compact --minutes "$SANA_MINUTES" --reserve 0 --run "$RUN" \
  --init-trunk "$TRUNK_RUN/plain.pt" --out "$OUT" --name sana-sr-compact-x4 --version "$VERSION" \
  --eval-max-side -1 --threads "$THREADS"
echo "exported $OUT; evaluate with: /usr/bin/python3 bench/ablation.py report --row a --model $OUT"
