#!/usr/bin/env bash
# Shared by bench/run-*.sh: runs a benchmark main class from the test classes of a Maven build, in the
# repository root, with arguments that name existing files made absolute first. Builds nothing:
#   mvn -B package -DskipTests     (or: mvn -B test-compile)   once before.
# Environment: SANASR_BUILD_DIR (default target/), JAVA_HOME or java on PATH.
set -euo pipefail
main="$1"; script="$2"; shift 2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SANASR_BUILD_DIR:-$here/target}"
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
for d in classes test-classes lib; do
  if [ ! -d "$build/$d" ]; then
    echo "$script: $build/$d is missing - run: mvn -B package -DskipTests   (or set SANASR_BUILD_DIR)" >&2
    exit 2
  fi
done
args=()
for a in "$@"; do
  if [ -e "$a" ]; then args+=("$(cd "$(dirname "$a")" && pwd)/$(basename "$a")"); else args+=("$a"); fi
done
java="java"
[ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
cd "$here"
export SANASR_BUILD_DIR="$build"   # the cold-start runs of ./sana-sr use the same build
exec "$java" -Xmx1g -Djava.awt.headless=true -Dai.djl.offline=true -Dslf4j.internal.verbosity=ERROR \
  -Dsanasr.bench.command="$script $*" \
  -cp "$build/test-classes:$build/classes:$build/lib/*" "$main" ${args[@]+"${args[@]}"}
