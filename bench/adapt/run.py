#!/usr/bin/env python3
"""Benchmark of "Adapt model to my images" (issue 16): does adapting on part of an image help on the rest?

    taskset -c 1 /usr/bin/python3 bench/adapt/run.py [--minutes 1] [--images N] [--out bench/adapt]

For each image of ../shared/data/val/science and astro, and each protocol:
  * binning:          the test input is the right 40 % of the image, binned 4 x 4 (area mean), 8-bit;
                      adaptation gets the left 60 % as it is (`--degradation binning --noise none`);
  * binning+poisson:  the same with Poisson noise of PEAK photons at full scale, on the binned test input
                      and on the left 60 % given to the adaptation (the user's own acquisitions are as noisy as
                      the ones to restore), adapted with `--noise auto`.
The adaptation runs through the real command line (`./sana-sr adapt LEFT.png --name ... --minutes M`, DJL,
one JVM each). The test inputs are then restored by the base model and by the adapted model (the merged
TorchScript file the adaptation wrote) in Python's torch, normalised exactly as the plugin's Restorer does
(robust 0.1-99.9 percentiles of the input plane, RGB together, grey fed as three channels and averaged),
one whole-image forward pass (the plugin tiles; bench/eval_java.py found the two paths within 0.06 dB).
When the adaptation reports "no gain on your images" it writes no model and the user keeps the base model:
the adapted score is then the base score. PSNR on Y (BT.601) for colour, on the grey value otherwise, 8-bit,
4-pixel shave; bicubic is torch's bicubic x4 of the same input.
Time-lapse (synthetic: no real time series is shipped): frame 1 is a science image with Poisson noise;
frame 2 is the same image shifted by a sub-pixel amount (Fourier shift) and re-noised; the model is adapted
on frame 1 (whole) and tested on binned frame 2.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
VAL = ROOT.parent / "shared" / "data" / "val"
GROUPS = ("science", "astro")
PEAK = 100.0
SPLIT = 0.6
SCALE = 4


def load(path: Path) -> np.ndarray:
    im = Image.open(path)
    im = im.convert("L") if im.mode in ("L", "I;16", "I", "P") and im.mode != "P" else im.convert("RGB")
    return np.asarray(im).astype(np.float64)


def mod(a: np.ndarray, m: int) -> np.ndarray:
    return a[: a.shape[0] // m * m, : a.shape[1] // m * m]


def binning(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[0] // SCALE, a.shape[1] // SCALE
    a = a[: h * SCALE, : w * SCALE]
    return a.reshape(h, SCALE, w, SCALE, *a.shape[2:]).mean(axis=(1, 3))


def poisson(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return rng.poisson(np.clip(a, 0, 255) / 255.0 * PEAK) / PEAK * 255.0


def to8(a: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def save(a: np.ndarray, path: Path):
    Image.fromarray(to8(a)).save(path)


def luma(a: np.ndarray) -> np.ndarray:
    if a.ndim == 2:
        return a
    return 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]


def psnr(out: np.ndarray, gt: np.ndarray, shave: int = 4) -> float:
    o = luma(to8(out).astype(np.float64))[shave:-shave, shave:-shave]
    g = luma(to8(gt).astype(np.float64))[shave:-shave, shave:-shave]
    mse = np.mean((o - g) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))


def fourier_shift(a: np.ndarray, dy: float, dx: float) -> np.ndarray:
    def one(p):
        fy = np.fft.fftfreq(p.shape[0])[:, None]
        fx = np.fft.fftfreq(p.shape[1])[None, :]
        return np.real(np.fft.ifft2(np.fft.fft2(p) * np.exp(-2j * np.pi * (fy * dy + fx * dx))))
    return one(a) if a.ndim == 2 else np.stack([one(a[..., c]) for c in range(a.shape[2])], axis=-1)


@torch.no_grad()
def restore(model: torch.jit.ScriptModule, lr8: np.ndarray) -> np.ndarray:
    """The plugin's Restorer, one tile: percentiles of the input plane -> model -> back to intensities."""
    x = lr8.astype(np.float32)
    lo, hi = np.percentile(x, 0.1), np.percentile(x, 99.9)
    if not hi > lo:
        lo, hi = float(x.min()), float(x.max())
    rng = hi - lo if hi > lo else 1.0
    n = (x - lo) / rng
    t = torch.from_numpy(np.repeat(n[None], 3, 0) if n.ndim == 2 else n.transpose(2, 0, 1).copy())[None]
    h, w = t.shape[-2:]
    ph, pw = (-h) % 8, (-w) % 8
    if ph or pw:
        t = F.pad(t, (0, pw, 0, ph), mode="reflect")
    y = model(t.float(), torch.zeros(1))[0, :, : h * SCALE, : w * SCALE].numpy()
    y = y.mean(0) if n.ndim == 2 else y.transpose(1, 2, 0)
    return y * rng + lo


def bicubic(lr8: np.ndarray) -> np.ndarray:
    x = lr8.astype(np.float32)
    t = torch.from_numpy(x[None, None] if x.ndim == 2 else x.transpose(2, 0, 1)[None].copy())
    y = F.interpolate(t, scale_factor=SCALE, mode="bicubic", align_corners=False)[0].numpy()
    return y[0] if x.ndim == 2 else y.transpose(1, 2, 0)


def adapt(inputs, name: str, models: Path, minutes: float, noise: str, log: Path, steps: int = 0) -> dict:
    cmd = [str(ROOT / "sana-sr"), "adapt", *map(str, inputs), "--name", name, "--models-dir", str(models),
           "--minutes", str(minutes), "--degradation", "binning", "--noise", noise, "--seed", "1"]
    if steps:
        cmd += ["--steps", str(steps)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr + "\n")
    folder = models / name
    info = {"exit": p.returncode, "wall_s": round(wall, 1),
            "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
            "written": (folder / "model.json").is_file(),
            "message": (p.stdout.strip().splitlines() or [""])[-2 if p.returncode == 0 else -1][:300]
            .replace(str(models), "<models>")}
    if info["written"]:
        a = json.loads((folder / "model.json").read_text())["adaptation"]
        info.update(steps=a["steps"], best_step=a["best_step"], adapt_minutes=a["minutes"],
                    held_out=a["held_out_psnr"], noise_estimate=[i.get("noise_estimate") for i in a["images"]])
    elif p.returncode not in (0, 1):
        raise RuntimeError(f"adapt failed ({p.returncode}): {p.stderr[-2000:]}")
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=1.0, help="time budget per adaptation")
    ap.add_argument("--steps", type=int, default=0, help="stop each adaptation after N steps (0: the minutes decide)")
    ap.add_argument("--images", type=int, default=0, help="only the first N images (0: all)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "adapt"))
    ap.add_argument("--base", default=str(ROOT / "models" / "sana-sr-compact-x4"))
    ap.add_argument("--report-partial", metavar="JSON",
                    help="only write results.json / RESULTS.md from the rows of an unfinished run's results-partial.json")
    args = ap.parse_args(argv)
    if args.report_partial:
        rows = json.loads(Path(args.report_partial).read_text())
        base_desc = json.loads((Path(args.base) / "model.json").read_text())
        write(args, rows, None, base_desc, None)
        return
    torch.set_num_threads(1)
    work = Path(tempfile.mkdtemp(prefix="sanasr-bench-adapt-"))
    models, inputs = work / "models", work / "in"
    inputs.mkdir(parents=True)
    log = Path(args.out) / "adapt-log.txt"
    log.write_text("")
    base_desc = json.loads((Path(args.base) / "model.json").read_text())
    base = torch.jit.load(str(Path(args.base) / base_desc["file"])).eval()
    files = [p for g in GROUPS for p in sorted((VAL / g).glob("*.png"))]
    if args.images:
        files = files[: args.images]
    rows = []
    started = time.time()
    for protocol in ("binning", "binning+poisson"):
        for path in files:
            group = path.parent.name
            seed = sum(map(ord, protocol + path.name))
            rng = np.random.default_rng(seed)
            hr = mod(load(path), SCALE)
            x0 = int(round(SPLIT * hr.shape[1] / SCALE)) * SCALE
            left, right = hr[:, :x0], hr[:, x0:]
            lr = binning(right)
            if protocol == "binning+poisson":
                lr = poisson(lr, rng)
                left = poisson(left, rng)
            lr8 = to8(lr)
            stem = f"{group}__{path.stem}__{protocol.replace('+', '-')}"
            save(left, inputs / f"{stem}__left.png")
            info = adapt([inputs / f"{stem}__left.png"], stem.replace("_", "-").lower()[:60], models, args.minutes,
                         "auto" if "poisson" in protocol else "none", log, args.steps)
            base_out = restore(base, lr8)
            row = {"protocol": protocol, "group": group, "image": path.name, "hr_size": list(hr.shape[:2]),
                   "adapt_size": list(left.shape[:2]), "test_size": list(right.shape[:2]),
                   "bicubic": psnr(bicubic(lr8), right), "base": psnr(base_out, right)}
            if info["written"]:
                name = stem.replace("_", "-").lower()[:60]
                adapted = torch.jit.load(str(models / name / f"{name}.pt")).eval()
                row["adapted"] = psnr(restore(adapted, lr8), right)
            else:
                row["adapted"] = row["base"]
            row["adapted_minus_base"] = row["adapted"] - row["base"]
            row["adapt"] = info
            rows.append(row)
            print(f"[{time.time() - started:6.0f}s] {protocol:16s} {group}/{path.name:45s} bicubic {row['bicubic']:.2f} "
                  f"base {row['base']:.2f} adapted {row['adapted']:.2f} ({row['adapted_minus_base']:+.2f}) "
                  f"{'written' if info['written'] else 'no gain'} steps {info.get('steps', '-')} wall {info['wall_s']} s "
                  f"cpu {info['cpu_s']} s", flush=True)
            (Path(args.out) / "results-partial.json").write_text(json.dumps(rows, indent=1) + "\n")
    # time-lapse: synthetic
    tl_src = VAL / "science" / "python3-skimage__cell.png"
    rng = np.random.default_rng(7)
    hr = mod(load(tl_src), 32)
    frame1 = poisson(hr, rng)
    shifted = fourier_shift(hr, 0.37, -0.61)
    frame2_lr8 = to8(poisson(binning(shifted), rng))
    save(frame1, inputs / "timelapse__frame1.png")
    info = adapt([inputs / "timelapse__frame1.png"], "timelapse", models, args.minutes, "auto", log, args.steps)
    tl = {"source": "science/" + tl_src.name, "synthetic": True,
          "how": "frame 1 = image + Poisson noise (peak %g); frame 2 = the image Fourier-shifted by (0.37, -0.61) px, "
                 "binned 4x4, re-noised; adapt on frame 1, test on frame 2 against the shifted image" % PEAK,
          "bicubic": psnr(bicubic(frame2_lr8), shifted), "base": psnr(restore(base, frame2_lr8), shifted)}
    if info["written"]:
        tl["adapted"] = psnr(restore(torch.jit.load(str(models / "timelapse" / "timelapse.pt")).eval(), frame2_lr8),
                             shifted)
    else:
        tl["adapted"] = tl["base"]
    tl["adapt"] = info
    print("time-lapse", json.dumps({k: tl[k] for k in ("bicubic", "base", "adapted")}), flush=True)

    write(args, rows, tl, base_desc, started)
    shutil.rmtree(work, ignore_errors=True)


def write(args, rows, tl, base_desc, started):
    summary = {}
    for protocol in ("binning", "binning+poisson"):
        rs = [r for r in rows if r["protocol"] == protocol]
        if not rs:
            continue
        summary[protocol] = {
            "images": len(rs),
            "mean_bicubic": float(np.mean([r["bicubic"] for r in rs])),
            "mean_base": float(np.mean([r["base"] for r in rs])),
            "mean_adapted": float(np.mean([r["adapted"] for r in rs])),
            "mean_adapted_minus_base": float(np.mean([r["adapted_minus_base"] for r in rs])),
            "worst_adapted_minus_base": float(np.min([r["adapted_minus_base"] for r in rs])),
            "models_written": sum(r["adapt"]["written"] for r in rs),
            "mean_wall_s_per_adaptation": float(np.mean([r["adapt"]["wall_s"] for r in rs])),
            "mean_cpu_s_per_adaptation": float(np.mean([r["adapt"]["cpu_s"] for r in rs])),
            "mean_steps": float(np.mean([r["adapt"].get("steps", 0) for r in rs if r["adapt"]["written"]] or [0])),
        }
    result = {
        "what": "issue 16 benchmark: adapt on the left 60 % of each image, test on the right 40 %",
        "command": "taskset -c 1 /usr/bin/python3 bench/adapt/run.py --minutes %g --steps %d" % (args.minutes, args.steps),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu": platform.processor() or platform.machine(), "cores_used": 1,
                    "note": "taskset -c 1 on a 2-core machine, the core shared with other builds: wall time > CPU time",
                    "python": sys.version.split()[0], "torch": torch.__version__},
        "base_model": {"name": base_desc["name"], "version": base_desc["version"], "sha256": base_desc["sha256"]},
        "minutes_budget": args.minutes, "steps_budget": args.steps, "poisson_peak": PEAK,
        "summary": summary, "rows": rows, "timelapse": tl,
        "total_wall_minutes": round((time.time() - started) / 60, 1) if started else None,
        "complete": tl is not None,
    }
    out = Path(args.out)
    (out / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    (out / "RESULTS.md").write_text(markdown(result))
    if tl is not None:
        (out / "results-partial.json").unlink(missing_ok=True)
    print(json.dumps(summary, indent=1))


def markdown(r: dict) -> str:
    lines = ["# Adapt model to my images: benchmark", "",
             f"`{r['command']}` on {r['date'][:10]}; base model {r['base_model']['name']} "
             f"{r['base_model']['version']}; {r['minutes_budget']} min cap and {r['steps_budget'] or 'no'} step limit per adaptation; "
             f"{r['machine']['note']}. Total {r['total_wall_minutes']} min wall. Generated by bench/adapt/run.py "
             "(see its docstring for the protocol).", "",
             "| protocol | images | bicubic | base | adapted | adapted - base (mean) | worst image | models written "
             "| wall s / adaptation | CPU s / adaptation | steps |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for p, s in r["summary"].items():
        lines.append(f"| {p} | {s['images']} | {s['mean_bicubic']:.2f} | {s['mean_base']:.2f} | {s['mean_adapted']:.2f} "
                     f"| {s['mean_adapted_minus_base']:+.2f} dB | {s['worst_adapted_minus_base']:+.2f} dB "
                     f"| {s['models_written']} | {s['mean_wall_s_per_adaptation']:.0f} "
                     f"| {s['mean_cpu_s_per_adaptation']:.0f} | {s['mean_steps']:.0f} |")
    lines += ["", "PSNR in dB (Y or grey, 8-bit, 4-px shave) on the right 40 % of each image.", "",
              "| protocol | image | bicubic | base | adapted | adapted - base | model written | steps | held-out gain |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row in r["rows"]:
        a = row["adapt"]
        ho = a.get("held_out", {}).get("gain")
        lines.append(f"| {row['protocol']} | {row['group']}/{row['image']} | {row['bicubic']:.2f} | {row['base']:.2f} "
                     f"| {row['adapted']:.2f} | {row['adapted_minus_base']:+.2f} | {'yes' if a['written'] else 'no gain'} "
                     f"| {a.get('steps', '-')} | {'' if ho is None else '%+.2f' % ho} |")
    t = r["timelapse"]
    if t is None:
        lines += ["", "**Partial run**: the benchmark was stopped before every image and the time-lapse were done; "
                  "the rows above are all that was measured.", ""]
        return "\n".join(lines) + "\n"
    lines += ["", "## Time-lapse (synthetic)", "", t["how"] + f" (source {t['source']}).", "",
              "| bicubic | base | adapted | model written | steps |", "|---|---|---|---|---|",
              f"| {t['bicubic']:.2f} | {t['base']:.2f} | {t['adapted']:.2f} | "
              f"{'yes' if t['adapt']['written'] else 'no gain'} | {t['adapt'].get('steps', '-')} |", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
