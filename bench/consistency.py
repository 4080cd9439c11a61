#!/usr/bin/env python3
"""What `--consistency` does to quality, and what `--precision bfloat16` does to speed, through the real
`./sana-sr` CLI (issue 18, items 4 and 6):

    taskset -c 1 /usr/bin/python3 bench/consistency.py [--val ../shared/data/val] [--groups science,astro]
        [--model sana-sr-compact-x4] [--speed-runs 3] [--out bench/consistency]

1. LR images, from every HR image of the groups (mod-cropped to 4), written as 8-bit PNG:
   - `binning`: the mean of each 4x4 block (what a camera binning 4x4 records), rounded to 8 bits;
   - `binning+noise`: the same, then Poisson-Gaussian detector noise, counts = Poisson(peak * x) + N(0, read^2)
     with x in [0, 1], back to x = counts / peak (seeded per image): `low` peak 1000 photons and read noise 5,
     `high` peak 100 and read noise 2.
2. `./sana-sr <folder> --output <out> --model M --format png --overwrite` on each LR folder, with and without
   `--consistency` (default precision: auto). The outputs are 8-bit like the inputs.
3. PSNR-Y (sanasr.evaluate.psnr_y: BT.601 Y, 4-pixel shave) against the HR image, for the model with and
   without consistency and for bicubic (sanasr.evaluate.upscale_bicubic).
4. Speed: the `binning` folder again with `--precision float32` and `--precision bfloat16`, alternating,
   `--speed-runs` times each; whole-process wall seconds and the sum of the plugin's own run_time_s over the
   images (sidecars); the float32 run's PSNR-Y against the bfloat16 one.
Run it on one core (taskset -c 1): the CLI and libtorch then use one thread. Writes consistency.json and
consistency.md (with machine and date) into --out.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))

from sanasr import evaluate as ev  # noqa: E402

SCALE = 4
NOISE = {"low": (1000.0, 5.0), "high": (100.0, 2.0)}  # (peak photons at x = 1, read noise in photons)


def machine() -> dict:
    cpu, flags = platform.processor(), []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == platform.processor():
                    cpu = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = [x for x in line.split(":", 1)[1].split() if x in ("avx512_bf16", "amx_bf16")]
    except OSError:
        pass
    return {"cpu": cpu, "bf16_flags": flags, "cpus_available": len(os.sched_getaffinity(0)),
            "cpus_online": os.cpu_count(), "platform": platform.platform(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def binning(hr: np.ndarray) -> np.ndarray:
    """The mean of each SCALE x SCALE block, float in 8-bit units."""
    h, w = hr.shape[:2]
    x = hr.astype(np.float64).reshape(h // SCALE, SCALE, w // SCALE, SCALE, *hr.shape[2:])
    return x.mean(axis=(1, 3))


def noisy(lr: np.ndarray, peak: float, read: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.clip(lr / 255.0, 0, 1)
    counts = rng.poisson(peak * x) + rng.normal(0.0, read, size=x.shape)
    return counts / peak * 255.0


def to8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def write_png(img: np.ndarray, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(img, mode="L" if img.ndim == 2 else "RGB").save(path)


def run_cli(folder: str, out: str, model: str, extra, log) -> dict:
    cmd = [os.path.join(ROOT, "sana-sr"), folder, "--output", out, "--model", model, "--format", "png",
           "--overwrite"] + list(extra)
    print("$ " + shlex.join(cmd), file=log, flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-4000:]}")
    sidecars = {}
    for f in sorted(os.listdir(out)):
        if f.endswith(".sanasr.json"):
            with open(os.path.join(out, f)) as fh:
                sidecars[f[:-len("-SANA-SR-x4.sanasr.json")]] = json.load(fh)
    plugin_s = sum(float(p["run_time_s"]) for p in sidecars.values())
    print(f"  {wall:.1f} s wall, {cpu:.1f} s CPU, {plugin_s:.1f} s in the plugin", file=log, flush=True)
    return {"args": list(extra), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "plugin_run_time_s": round(plugin_s, 3),
            "sidecars": sidecars}


def read_output(out: str, stem: str) -> np.ndarray:
    return ev.load_image(os.path.join(out, stem + "-SANA-SR-x4.png"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--val", default=os.path.join(ROOT, "..", "shared", "data", "val"))
    ap.add_argument("--groups", default="science,astro")
    ap.add_argument("--model", default="sana-sr-compact-x4")
    ap.add_argument("--speed-runs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(HERE, "consistency"))
    args = ap.parse_args(argv)
    work = tempfile.mkdtemp(prefix="sanasr-consistency-")
    try:
        return measure(args, work, argv)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(args, work: str, argv) -> int:
    log = sys.stderr
    started = time.perf_counter()
    load_start = [round(x, 2) for x in os.getloadavg()]  # other jobs on the machine slow every run

    hrs, stems = {}, {}
    for group in args.groups.split(","):
        folder = os.path.join(args.val, group)
        for name in sorted(os.listdir(folder)):
            if not name.lower().endswith(ev.IMAGE_EXTENSIONS):
                continue
            stem = f"{group}__{os.path.splitext(name)[0]}"
            hrs[stem] = ev.mod_crop(ev.load_image(os.path.join(folder, name)), SCALE)
            stems[stem] = (group, name)
    degradations = ["binning"] + [f"binning+noise-{k}" for k in NOISE]
    lrs = {}
    for stem, hr in hrs.items():
        lr = binning(hr)
        seed = zlib.crc32(stem.encode())
        lrs[("binning", stem)] = to8(lr)
        for k, (peak, read) in NOISE.items():
            lrs[(f"binning+noise-{k}", stem)] = to8(noisy(lr, peak, read, seed))
    for (deg, stem), lr in lrs.items():
        write_png(lr, os.path.join(work, "in", deg, stem + ".png"))
    print(f"{len(hrs)} images x {len(degradations)} degradations under {work}/in", file=log)

    runs, rows = [], []
    for deg in degradations:
        outs = {}
        for consistency in (False, True):
            out = os.path.join(work, "out", deg + ("-consistent" if consistency else ""))
            r = run_cli(os.path.join(work, "in", deg), out, args.model, ["--consistency"] if consistency else [], log)
            r.update({"degradation": deg, "consistency": consistency})
            outs[consistency] = (out, r)
            runs.append(r)
        for stem, hr in hrs.items():
            lr = lrs[(deg, stem)]
            plain, cons = read_output(outs[False][0], stem), read_output(outs[True][0], stem)
            side = outs[True][1]["sidecars"][stem]
            rows.append({"degradation": deg, "group": stems[stem][0], "image": stems[stem][1],
                         "size": list(hr.shape[:2]),
                         "psnr_y_bicubic": ev.psnr_y(ev.upscale_bicubic(lr), hr),
                         "psnr_y_model": ev.psnr_y(plain, hr), "psnr_y_model_consistency": ev.psnr_y(cons, hr),
                         # how far the stored 8-bit output is from the input, degraded back (fraction of the range)
                         "fidelity_rms": float(outs[False][1]["sidecars"][stem]["fidelity_rms"]),
                         "fidelity_rms_consistency": float(side["fidelity_rms"]),
                         "precision": side["precision"]})

    # speed and agreement of the two precisions, on the clean binning folder
    speed = {"float32": [], "bfloat16": []}
    last = {}
    for i in range(args.speed_runs):
        for precision in (("float32", "bfloat16") if i % 2 == 0 else ("bfloat16", "float32")):
            out = os.path.join(work, "out", "speed-" + precision)
            r = run_cli(os.path.join(work, "in", "binning"), out, args.model, ["--precision", precision], log)
            speed[precision].append({k: r[k] for k in ("wall_s", "cpu_s", "plugin_run_time_s")})
            last[precision] = out
    agree = []
    for stem, hr in hrs.items():
        a, b = read_output(last["float32"], stem), read_output(last["bfloat16"], stem)
        agree.append(ev.psnr_y(b, hr) - ev.psnr_y(a, hr))
    med = {p: {k: statistics.median(x[k] for x in v) for k in ("wall_s", "cpu_s", "plugin_run_time_s")}
           for p, v in speed.items()}

    summary = {}
    for deg in degradations:
        rs = [r for r in rows if r["degradation"] == deg]
        gain = [r["psnr_y_model_consistency"] - r["psnr_y_model"] for r in rs]
        summary[deg] = {"images": len(rs),
                        "psnr_y_bicubic": statistics.mean(r["psnr_y_bicubic"] for r in rs),
                        "psnr_y_model": statistics.mean(r["psnr_y_model"] for r in rs),
                        "psnr_y_model_consistency": statistics.mean(r["psnr_y_model_consistency"] for r in rs),
                        "consistency_gain_db_mean": statistics.mean(gain),
                        "consistency_gain_db_min": min(gain), "consistency_gain_db_max": max(gain),
                        "images_where_consistency_loses": sum(g < 0 for g in gain),
                        "fidelity_rms_mean": statistics.mean(r["fidelity_rms"] for r in rs),
                        "fidelity_rms_consistency_mean": statistics.mean(r["fidelity_rms_consistency"] for r in rs)}
    for r in runs:
        r.pop("sidecars")
    doc = {"what": "PSNR-Y of ./sana-sr with and without --consistency, and bicubic, on binned (and noisy binned) "
                   "LR images; float32 against bfloat16 speed and agreement through ./sana-sr",
           "machine": machine(), "model": args.model, "groups": args.groups.split(","),
           "noise": {k: {"peak_photons": p, "read_noise": r} for k, (p, r) in NOISE.items()},
           "command": "taskset -c 1 /usr/bin/python3 bench/consistency.py " + shlex.join(argv or sys.argv[1:]),
           "summary": summary, "images": rows, "runs": runs,
           "precision_speed": {"runs": speed, "median": med,
                               "wall_ratio_float32_over_bfloat16": med["float32"]["wall_s"] / med["bfloat16"]["wall_s"],
                               "cpu_ratio_float32_over_bfloat16": med["float32"]["cpu_s"] / med["bfloat16"]["cpu_s"],
                               "plugin_ratio_float32_over_bfloat16":
                                   med["float32"]["plugin_run_time_s"] / med["bfloat16"]["plugin_run_time_s"],
                               "psnr_y_bfloat16_minus_float32_db": {"mean": statistics.mean(agree),
                                                                    "min": min(agree), "max": max(agree)}},
           "load_average_start": load_start, "load_average_end": [round(x, 2) for x in os.getloadavg()],
           "bench_seconds": round(time.perf_counter() - started, 1)}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "consistency.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "consistency.md"), "w") as f:
        f.write(markdown(doc))
    print(markdown(doc))
    return 0


def markdown(doc: dict) -> str:
    m, ps = doc["machine"], doc["precision_speed"]
    lines = [f"`./sana-sr` with and without `--consistency` ({doc['model']}, precision auto), "
             f"{', '.join(doc['groups'])} ({doc['summary']['binning']['images']} images), ×4. "
             f"{m['cpu']}, {m['cpus_available']} CPU (taskset), {m['date']}. PSNR-Y in dB, means over the images; "
             f"8-bit PNG in and out. Noise: Poisson-Gaussian on the binned image, "
             + "; ".join(f"{k}: peak {v['peak_photons']:g} photons, read noise {v['read_noise']:g}"
                         for k, v in doc["noise"].items()) + ".", "",
             "| LR | bicubic | model | model + consistency | consistency gain (min … max) | images worse | "
             "fidelity RMS without → with |",
             "|---|---|---|---|---|---|---|"]
    for deg, s in doc["summary"].items():
        lines.append(f"| {deg} | {s['psnr_y_bicubic']:.2f} | {s['psnr_y_model']:.2f} | "
                     f"{s['psnr_y_model_consistency']:.2f} | {s['consistency_gain_db_mean']:+.2f} "
                     f"({s['consistency_gain_db_min']:+.2f} … {s['consistency_gain_db_max']:+.2f}) | "
                     f"{s['images_where_consistency_loses']}/{s['images']} | "
                     f"{s['fidelity_rms_mean']:.4f} → {s['fidelity_rms_consistency_mean']:.4f} |")
    med = ps["median"]
    a = ps["psnr_y_bfloat16_minus_float32_db"]
    lines += ["", f"Precision, same `binning` folder, median of {len(ps['runs']['float32'])} alternating runs each: "
              f"float32 {med['float32']['wall_s']:.1f} s wall, {med['float32']['cpu_s']:.1f} s CPU "
              f"({med['float32']['plugin_run_time_s']:.1f} s in the plugin), bfloat16 {med['bfloat16']['wall_s']:.1f} s "
              f"wall, {med['bfloat16']['cpu_s']:.1f} s CPU ({med['bfloat16']['plugin_run_time_s']:.1f} s): "
              f"float32/bfloat16 = {ps['wall_ratio_float32_over_bfloat16']:.2f}× whole-process wall, "
              f"{ps['cpu_ratio_float32_over_bfloat16']:.2f}× whole-process CPU time, "
              f"{ps['plugin_ratio_float32_over_bfloat16']:.2f}× in the plugin (wall). Load average at the end: "
              f"{doc['load_average_end']}. PSNR-Y bfloat16 − float32: "
              f"{a['mean']:+.4f} dB mean ({a['min']:+.4f} … {a['max']:+.4f}).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
