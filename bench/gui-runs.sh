#!/usr/bin/env bash
# Issue 17: the GUI tests (robot clicks under Xvfb) pass without reruns. Runs InteractiveDialogTest and
# ImageJ1GuiTest N times in a row (default 5), each a fresh `mvn -o test` on one core, and writes one line per
# run to bench/results/gui-runs.md (bench/make_results.py puts it into bench/RESULTS.md). Exit 1 if any failed.
#   bench/gui-runs.sh [N]
set -uo pipefail
n="${1:-5}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/bench/results/gui-runs.md"
logs="${TMPDIR:-/tmp}/sanasr-gui-runs"
mkdir -p "$logs"
cd "$here"
failed=0
lines=()
for i in $(seq 1 "$n"); do
  start=$(date -u +%H:%M:%S)
  taskset -c 1 mvn -B -o test -Dsanasr.spark.skip=true -Dtest='InteractiveDialogTest,ImageJ1GuiTest' \
    -DfailIfNoTests=false > "$logs/run$i.log" 2>&1
  rc=$?
  [ "$rc" = 0 ] || failed=1
  lines+=("| $i | $start | $(date -u +%H:%M:%S) | $rc | $(grep -E 'Tests run:.*Fail' "$logs/run$i.log" | tail -1 | sed 's/^\[[A-Z]*\] //') |")
done
{
  echo "$n consecutive runs of \`InteractiveDialogTest\` and \`ImageJ1GuiTest\` (no surefire reruns), one core,"
  echo "$(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), command: \`bench/gui-runs.sh $n\`"
  echo
  echo "| run | start (UTC) | end (UTC) | exit | surefire |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${lines[@]}"
} > "$out"
cat "$out"
exit "$failed"
