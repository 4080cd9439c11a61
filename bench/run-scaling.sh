#!/usr/bin/env bash
# Issue 6 item 2: time and memory per output pixel from 256² to 2048² output tiles, for one or more models in
# one run (the shipped linear-attention model and its softmax-attention twin). Results: bench/results/scaling.*
#   bench/run-scaling.sh MODEL_A [MODEL_B...] [--threads 2] [--sizes 64,128,256,512] [--reps 3] [--warmup 1]
#                        [--heap 2g] [--out DIR] [--tag scaling]
exec "$(dirname "${BASH_SOURCE[0]}")/bench-java.sh" io.github.sanasr.bench.ScalingBench bench/run-scaling.sh "$@"
