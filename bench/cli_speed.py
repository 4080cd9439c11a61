#!/usr/bin/env python3
"""Whole-command CPU speed of `./sana-sr` (issue 10, item 5): a 512x512 RGB PNG (2048x2048 output) against a
16x16 one, so that JVM start, model loading and writing cancel out:

    output MP/s = 2048^2 / (median wall time of the 512 run - median wall time of the 16 run)

    /usr/bin/python3 bench/cli_speed.py [--model models/sana-sr-compact-x4] [--runs 5] [--tiles auto,1024]
        [--out bench/results]

Each run is a fresh process (`./sana-sr IMAGE --output TMP --model M --device cpu --tile T --overwrite`), timed
from outside with wall, user and system CPU seconds (resource.getrusage of the child). The 512 image is the
sample `ihc.png` resized with bicubic interpolation. Writes `cli-speed-<model>.json` and `.md`. Run it on a quiet
machine: other jobs on the 2 cores slow libtorch's threads many times over.
"""
import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def cpu_name() -> str:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def write_json(path: str, doc: dict) -> None:
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def timed(cmd) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({res.returncode}): {res.stderr[-1500:]}")
    return {"wall_s": wall, "user_s": after.ru_utime - before.ru_utime, "sys_s": after.ru_stime - before.ru_stime}


def series(image, model, tile, runs, warmup, tmp, precision) -> dict:
    out = os.path.join(tmp, "out")
    cmd = ["./sana-sr", image, "--output", out, "--model", model, "--device", "cpu", "--tile", tile, "--overwrite",
           "--precision", precision]
    for _ in range(warmup):
        timed(cmd)
    rows = [timed(cmd) for _ in range(runs)]
    sidecar = [f for f in os.listdir(out) if f.endswith(".sanasr.json")]
    prov = json.load(open(os.path.join(out, sidecar[0]))) if sidecar else {}
    med = {k: statistics.median(r[k] for r in rows) for k in ("wall_s", "user_s", "sys_s")}
    return {"image": os.path.relpath(image, REPO) if image.startswith(REPO) else os.path.basename(image),
            "tile": tile, "runs": rows, "median": med,
            "min_wall_s": min(r["wall_s"] for r in rows), "max_wall_s": max(r["wall_s"] for r in rows),
            "tiles_used": prov.get("tiles"), "tile_size_used": prov.get("tile_size"), "threads": prov.get("threads"),
            "precision_ran": prov.get("precision"), "model_file_ran": os.path.basename(prov.get("model_file", ""))}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="models/sana-sr-compact-x4")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--tiles", default="auto,1024", help="tile settings for the 512 image (the 16 one: auto)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--precision", default=None, choices=("auto", "float32", "bfloat16"),
                    help="passed to ./sana-sr (default: the named model's own precision, so its file is what runs)")
    a = ap.parse_args(argv)
    desc = json.load(open(os.path.join(REPO, a.model, "model.json"))) if os.path.isdir(os.path.join(REPO, a.model)) else {}
    precision = a.precision or desc.get("precision", "float32")
    from PIL import Image
    tmp = tempfile.mkdtemp(prefix="sanasr-cli-speed-")
    try:
        big, small = os.path.join(tmp, "ihc512.png"), os.path.join(tmp, "ihc16.png")
        with Image.open(os.path.join(REPO, "sample-images", "ihc.png")) as im:
            im.convert("RGB").resize((512, 512), Image.BICUBIC).save(big)
            im.convert("RGB").resize((16, 16), Image.BICUBIC).save(small)
        base = series(small, a.model, "auto", a.runs, a.warmup, tmp, precision)
        results = []
        for tile in a.tiles.split(","):
            s = series(big, a.model, tile, a.runs, a.warmup, tmp, precision)
            extra = s["median"]["wall_s"] - base["median"]["wall_s"]
            s["output_mpix_per_s"] = 2048 * 2048 / 1e6 / extra if extra > 0 else None
            results.append(s)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    name = desc.get("name", os.path.basename(a.model.rstrip("/")))
    doc = {"benchmark": "whole ./sana-sr run, 512x512 RGB PNG minus 16x16 (issue 10 item 5)",
           "command": "/usr/bin/python3 bench/cli_speed.py " + " ".join(sys.argv[1:] if argv is None else argv),
           "machine": {"cpu": cpu_name(), "cores_available": os.cpu_count(), "platform": platform.platform(),
                       "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
           "model": {"name": name, "version": desc.get("version"), "sha256": desc.get("sha256"),
                     "precision": desc.get("precision", "float32"),
                     "precision_option": precision},
           "small": base, "large": results}
    os.makedirs(a.out, exist_ok=True)
    stem = os.path.join(a.out, f"cli-speed-{name}")
    write_json(stem + ".json", doc)
    m = doc["machine"]
    lines = [f"Whole `./sana-sr` runs of {name} {desc.get('version', '')} ({doc['model']['precision']}), "
             f"{m['cpu']}, {m['cores_available']} cores, {m['date']}; median of {a.runs} runs after {a.warmup} "
             f"warm-up. Output MP/s = 2048² / (512-px run − 16-px run). Target: 2.0.", "",
             "| input | tile | tiles used | wall s (min–max) | user s | sys s | output MP/s |", "|---|---|---|---|---|---|---|"]
    for s in [base] + results:
        mps = s.get("output_mpix_per_s")
        lines.append(f"| {'512×512' if s is not base else '16×16'} | {s['tile']} | {s['tiles_used']} | "
                     f"{s['median']['wall_s']:.2f} ({s['min_wall_s']:.2f}–{s['max_wall_s']:.2f}) | "
                     f"{s['median']['user_s']:.2f} | {s['median']['sys_s']:.2f} | {f'{mps:.2f}' if mps else ''} |")
    with open(stem + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
