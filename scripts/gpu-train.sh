#!/usr/bin/env bash
# One-call GPU training of SANA-SR (docs/gpu-training.md).
#
#   scripts/gpu-train.sh prepare [--resume-from DIR]   HERE: copy ../shared/data/train into .train-data/
#                                                      (ignored; the device call carries it), and the
#                                                      files of a previous call into .train-data/resume/
#   scripts/gpu-train.sh run [gpu_job args...]         ON THE DEVICE (needs $OUT): train all stages,
#                                                      weights + manifest + logs into $OUT
#   scripts/gpu-train.sh bench [bench_gpu args...]     ON THE DEVICE: bench/gpu/bench_gpu.py (issue 6 item 3)
#                                                      -> $OUT/gpu-bench.json (one file: 8 come back)
#   scripts/gpu-train.sh session                       ON THE DEVICE: both in one call within 600 s:
#                                                      the benchmark first (at most 150 s), then training
#                                                      for what is left (--minutes 6.8)
#
# A symbolic link would travel to the device only as a link, so the data is copied (about 19 MiB).
# Extra args of `run` are appended, so they override the defaults (argparse keeps the last value).
# Environment: PYTHON (default python3; here use /usr/bin/python3), SANASR_TRAIN_SRC (default ../shared/data/train),
# SANASR_TRAIN_DATA (default .train-data).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${SANASR_TRAIN_DATA:-.train-data}
PY=${PYTHON:-python3}

prepare() {
    local src=${SANASR_TRAIN_SRC:-../shared/data/train} resume=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --resume-from) resume=$2; shift 2 ;;
            *) echo "prepare: unknown argument $1" >&2; exit 2 ;;
        esac
    done
    [ -d "$src" ] || { echo "no training data at $src" >&2; exit 1; }
    rm -rf "$DATA"
    mkdir -p "$DATA"
    find "$src" -maxdepth 1 -type f -exec cp -p {} "$DATA"/ \;
    if [ -n "$resume" ]; then
        [ -f "$resume/manifest.json" ] || { echo "no manifest.json in $resume" >&2; exit 1; }
        # same format; fp16 when the fp32 weights would push the carried tree over 64 MiB
        PYTHONPATH=src/main/python "$PY" -m sanasr.train.gpu_job pack-resume --from "$resume" --to "$DATA/resume"
    fi
    echo "prepared $DATA: $(find "$DATA" -maxdepth 1 -type f | wc -l) images etc., $(du -sh "$DATA" | cut -f1)" \
         "${resume:+(resume from $resume)}"
    # what travels: tracked + untracked-not-ignored files + the carried folder (limit 64 MiB)
    local repo_kib
    repo_kib=$({ git ls-files -z; git ls-files -z --others --exclude-standard; } | du -ck --files0-from=- 2>/dev/null | tail -1 | cut -f1)
    echo "travelling: about $(( (repo_kib + $(du -sk "$DATA" | cut -f1)) / 1024 )) MiB of 64"
}

run_job() {
    : "${OUT:?run: \$OUT must name the folder whose files come back}"
    [ -d "$DATA" ] || { echo "run: $DATA missing (scripts/gpu-train.sh prepare, then carry it)" >&2; exit 1; }
    local resume=()
    [ -f "$DATA/resume/manifest.json" ] && resume=(--resume "$DATA/resume")
    export PYTHONUNBUFFERED=1 TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 PYTHONPATH=src/main/python${PYTHONPATH:+:$PYTHONPATH}
    mkdir -p "$OUT"
    {
        command -v nvidia-smi >/dev/null && nvidia-smi -L || true
        "$PY" -m sanasr.train.gpu_job --preset compact --minutes 9 --data "$DATA" --out "$OUT" \
            "${resume[@]}" "$@"
    } 2>&1 | tee "$OUT/console.log"
}

bench_job() {
    : "${OUT:?bench: \$OUT must name the folder whose files come back}"
    export PYTHONUNBUFFERED=1 PYTHONPATH=src/main/python${PYTHONPATH:+:$PYTHONPATH}
    mkdir -p "$OUT"
    "$PY" bench/gpu/bench_gpu.py --out "$OUT" --scratch "${TMPDIR:-/tmp}/sanasr-gpu-scratch" "$@"
}

session_job() {
    # the benchmark is short and its numbers are wanted even if training is cut; a hung benchmark
    # must not eat the training time, hence the timeout
    # SANASR_BENCH_ARGS: extra benchmark arguments (the CPU test uses a tiny dry run)
    # shellcheck disable=SC2086
    timeout 150 bash "$0" bench ${SANASR_BENCH_ARGS:-} || echo "bench: stopped or failed (exit $?); training goes on" >&2
    run_job --minutes 6.8 "$@"
}

case "${1:-}" in
    prepare) shift; prepare "$@" ;;
    run) shift; run_job "$@" ;;
    bench) shift; bench_job "$@" ;;
    session) shift; session_job "$@" ;;
    *) echo "usage: $0 prepare [--resume-from DIR] | run [gpu_job args] | bench [args] | session [gpu_job args]" >&2; exit 2 ;;
esac
