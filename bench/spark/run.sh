#!/usr/bin/env bash
# Spark against the command line on the same planes (issue 12, item 6): throughput of ./sana-sr and of
# ./sana-sr-spark with local[1] and local[2], Spark's overhead per plane, job start-up time, and from those a
# paper estimate for a 10,000-plane archive of 2048² planes. Writes bench/spark/results.json and RESULTS.md.
#
#   mvn -B package -DskipTests        # builds the plugin and spark/
#   bench/spark/run.sh [--planes 64] [--size 256] [--model models/sana-sr-compact-x4] [--tile 512] [--out DIR]
#
# Inputs: --planes files of --size² 8-bit grey (crops of sample-images/, fixed seed; BenchTool.java), so outputs
# are (4*size)².
# Every run starts from an empty output folder, except the two "rerun" runs, which find every output done:
# their wall time is start-up and shutdown with no plane restored (JVM, Spark context, listing, summary).
# The tile is fixed for both tools (the CLI's automatic tile depends on free memory, Spark's on its budget),
# so both do the same network calls. Run on a quiet machine; the load average is recorded.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
planes=64 size=256 model="$repo/models/sana-sr-compact-x4" tile=512 out="$here"
while [ $# -gt 0 ]; do
  case "$1" in
    --planes) planes="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --tile) tile="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
python=/usr/bin/python3 # the standard library only
work="$(mktemp -d -t sanasr-spark-bench.XXXXXX)"   # under $TMPDIR (default /tmp)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
tool=(java -Djava.awt.headless=true -cp "$repo/target/lib/*" "$here/BenchTool.java")
"${tool[@]}" make "$repo/sample-images" "$work/in" "$planes" "$size"
common=(--model "$model" --tile "$tile")
results="$work/runs.tsv"
: > "$results"
run() { # name, then the command; records wall seconds
  local name="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$work/$name.log" 2>&1 || { echo "$name failed:"; tail -20 "$work/$name.log"; exit 1; }
  t1=$(date +%s.%N)
  printf '%s\t%s\n' "$name" "$(echo "$t1 - $t0" | bc)" >> "$results"
  echo "$name: $(tail -1 "$results" | cut -f2) s"
}
export SANASR_JAVA_OPTS="-Xmx3g"
run cli_2threads "$repo/sana-sr" "$work/in" --output "$work/cli2" "${common[@]}"
run cli_rerun "$repo/sana-sr" "$work/in" --output "$work/cli2" "${common[@]}"
SANASR_JAVA_OPTS="-Xmx3g -Dai.djl.pytorch.num_threads=1" run cli_1thread "$repo/sana-sr" "$work/in" --output "$work/cli1" "${common[@]}"
run spark_local1 "$repo/sana-sr-spark" --master 'local[1]' "$work/in" --output "$work/spark1" "${common[@]}"
run spark_local2 "$repo/sana-sr-spark" --master 'local[2]' "$work/in" --output "$work/spark2" "${common[@]}"
run spark_rerun "$repo/sana-sr-spark" --master 'local[2]' "$work/in" --output "$work/spark2" "${common[@]}"
# the same pixels: every output image of the Spark runs equals the CLI's, byte for byte below the metadata
same=yes
for d in spark1 spark2; do
  "${tool[@]}" same "$work/cli2" "$work/$d" || same=no
done
"$python" - "$results" "$out" "$planes" "$size" "$model" "$tile" "$same" "$work" <<'PY'
import json, os, platform, subprocess, sys, datetime, pathlib, re
runs_file, out, planes, size, model, tile, same, work = sys.argv[1:9]
planes, size = int(planes), int(size)
runs = {l.split("\t")[0]: float(l.split("\t")[1]) for l in open(runs_file) if l.strip()}
out = pathlib.Path(out)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
sidecar = json.load(open(next(pathlib.Path(work, "spark2").glob("*.sanasr.json"))))
outpx = (4 * size) ** 2
cli_fixed, spark_fixed = runs["cli_rerun"], runs["spark_rerun"]
per_plane = {k: (runs[k] - (spark_fixed if k.startswith("spark") else cli_fixed)) / planes
             for k in ("cli_2threads", "cli_1thread", "spark_local1", "spark_local2")}
overhead1 = per_plane["spark_local1"] / per_plane["cli_1thread"] - 1
def mean_entry(d, key):
    v = [float(json.load(open(f))[key]) for f in pathlib.Path(work, d).glob("*.sanasr.json")]
    return sum(v) / len(v)
# time inside the restoration per plane: the CLI's run_time_s (Restorer.restore) against the Spark units' own
# time (engine_model_time_s: Restorer.restoreBand, i.e. read, normalise, tiles): what is left is Spark's
in_task = {"cli_1thread": mean_entry("cli1", "run_time_s"), "spark_local1": mean_entry("spark1", "engine_model_time_s"),
           "cli_2threads": mean_entry("cli2", "run_time_s"), "spark_local2": mean_entry("spark2", "engine_model_time_s")}
overhead2 = per_plane["spark_local2"] / per_plane["cli_2threads"] - 1
# paper: 10,000 planes of 2048² (8192² outputs); network time scales with output pixels (tiles of a fixed size)
core_s_per_mp = per_plane["spark_local1"] / (outpx / 1e6)     # one core, one task
archive_core_h = 10000 * core_s_per_mp * (8192 ** 2 / 1e6) / 3600
data = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": {"cpu": cpu, "cores": os.cpu_count(), "load_average_at_end": os.getloadavg(),
                "java": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]},
    "command": f"bench/spark/run.sh --planes {planes} --size {size} --model {os.path.relpath(model)} --tile {tile}",
    "model": {k: sidecar.get(k) for k in ("model_name", "model_version", "model_sha256")},
    "engine": sidecar.get("engine"), "planes": planes, "input": f"{size}x{size} 8-bit", "output_px": outpx,
    "tile": sidecar.get("tile_size"), "spark_pixels_equal_cli": same == "yes",
    "wall_s": runs, "per_plane_s": per_plane,
    "throughput_output_mp_s": {k: planes * outpx / 1e6 / (runs[k] - (spark_fixed if k.startswith("spark") else cli_fixed))
                               for k in per_plane},
    "spark_overhead_per_plane": {"local[1]_vs_cli_1thread": overhead1, "local[2]_vs_cli_2threads": overhead2},
    "restoration_s_per_plane_inside_the_task": in_task,
    "outside_the_restoration_s_per_plane": {"cli_1thread": per_plane["cli_1thread"] - in_task["cli_1thread"],
                                            "spark_local1": per_plane["spark_local1"] - in_task["spark_local1"]},
    "startup_s": {"spark_job_with_nothing_to_do": spark_fixed, "cli_with_nothing_to_do": cli_fixed},
    "paper_10000_planes_2048": {"core_seconds_per_output_mp": core_s_per_mp, "core_hours": archive_core_h},
}
(out / "results.json").write_text(json.dumps(data, indent=2) + "\n")
def f(x, n=2): return f"{x:.{n}f}"
rows = "\n".join(f"| {k} | {f(runs[k],1)} | {f(per_plane[k],3)} | {f(in_task[k],3)} | {f(data['throughput_output_mp_s'][k],3)} |" for k in per_plane)
outside = data["outside_the_restoration_s_per_plane"]
est = []
for cores, hours in ((8, 12), (8, 1), (16, 12), (16, 1)):
    ex = archive_core_h / hours / cores
    est.append(f"| {cores} cores (8 tasks x 1 thread)" if cores == 8 else f"| {cores} cores (16 tasks x 1 thread)")
    est[-1] += f" | {hours} h | {max(1, -(-archive_core_h // (hours * cores))):.0f} executors ({f(ex,1)} exact) |"
md = f"""# Spark vs the command line (issue 12, item 6)

Generated by `{data['command']}` on {data['date']}; machine: {cpu}, {os.cpu_count()} cores, load average at the
end {", ".join(f(x) for x in os.getloadavg())} (this machine shares its cores with a training job: absolute
times are slower than on a quiet machine, and the ratios are noisy). {data['machine']['java']}.
Model {data['model']['model_name']} {data['model']['model_version']} (sha256 {str(data['model']['model_sha256'])[:12]}...),
tile {data['tile']}; {planes} planes of {size}² 8-bit, outputs {4*size}² ({outpx/1e6:.2f} MP each). Engine: {data['engine']}.
Spark outputs pixel-identical to the CLI's: **{same}**.

Per plane = (wall − the same tool's wall with nothing to do) / planes.

| run | wall s | per plane s | inside the restoration, per plane and task s (local[2]: two at once) | output MP/s |
|---|---|---|---|---|
{rows}

- **Spark overhead per plane**: local[1] vs the CLI with 1 libtorch thread: **{f(100*overhead1,1)} %**;
  local[2] (2 tasks x 1 thread) vs the CLI with 2 threads: {f(100*overhead2,1)} % (target < 10 % at 1024² outputs).
  "Inside the restoration" is the CLI's `run_time_s` per file and the Spark units' own time (`engine_model_time_s`:
  reading, normalising and the tiles); per plane outside it: the CLI {f(outside["cli_1thread"],3)} s, Spark local[1]
  {f(outside["spark_local1"],3)} s (scheduling, shipping the float planes, assembling and writing). Where the two
  "inside" figures differ, the network itself ran at a different speed in the two runs (a shared, loaded machine).
- **Job start-up and shutdown with nothing to do** (JVM, Spark context, listing, summary): Spark
  {f(spark_fixed,1)} s; the CLI {f(cli_fixed,1)} s.

## On paper: 10,000 planes of 2048² (8192² outputs, 67 MP each)

From local[1] above: {f(core_s_per_mp,2)} core-seconds per output MP (network time grows with output pixels at a
fixed tile), so the archive needs about **{f(archive_core_h,0)} core-hours** of this CPU. One task per core, one
libtorch thread per task (what the job sets), plus one assembling task per plane:

| executors of | to finish in | need |
|---|---|---|
{chr(10).join(est)}

Memory per task at 8192² outputs: the float output of a grey plane is 8192² x 4 B x 2 (value and blending
weight) = 512 MiB, under the default `--band-budget-mb 1024`, so planes go whole (a lower budget splits them
into bands); the assembling task holds the plane's floats (256 MiB per component) and its 8- or 16-bit output
(64 or 128 MiB), like the CLI: `--executor-memory` of at least 2 GiB per concurrent task. Not measured here:
a real cluster (network, shared file system), GPUs, and 2048² planes themselves.
"""
(out / "RESULTS.md").write_text(md)
print(md)
PY
