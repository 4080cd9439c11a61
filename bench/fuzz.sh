#!/usr/bin/env bash
# Issue 17: the fuzz, longer than CI's 1,200 cases. Random images, option strings (core, SciJava, ImageJ 1.x
# macro, CLI) and corrupt files; every case must end in time with a correct output or one clear error and
# leave its input unmodified. Prints the outcome counts and any violation; exit 1 on a violation.
#   bench/fuzz.sh [--cases 5000] [--seed 20261203] [--out bench/results]
# Writes <out>/fuzz-<cases>.md; bench/make_results.py puts it into bench/RESULTS.md.
# Needs a build: mvn -B test-compile (and process-classes for target/lib).
exec "$(dirname "${BASH_SOURCE[0]}")/bench-java.sh" io.github.sanasr.bench.FuzzBench bench/fuzz.sh "$@"
