#!/usr/bin/env bash
# Issue 6 item 1: CPU speed, outside-network share, cold start and memory of MODEL through the plugin's Java
# path, with 1 and 2 libtorch threads (a fresh JVM per thread count and size). Results: bench/results/cpu-<model>.*
#   bench/run-cpu.sh MODEL_DIR_OR_NAME [--threads 1,2] [--sizes 64,128,256,512] [--reps 5] [--warmup 1]
#                    [--cold-runs 3] [--modes model,restorer,tiled] [--heap 2g] [--out DIR] [--tag NAME]
exec "$(dirname "${BASH_SOURCE[0]}")/bench-java.sh" io.github.sanasr.bench.CpuBench bench/run-cpu.sh "$@"
