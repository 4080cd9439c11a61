#!/usr/bin/env python3
"""Validation quality through the plugin's Java path: the real `./sana-sr` CLI (DJL) on the LR images of
sanasr.evaluate's protocols, scored with sanasr.evaluate's metrics.

    /usr/bin/python3 bench/eval_java.py --model models/sana-sr-compact-x4 --val ../shared/data/val \\
        --out bench/quality-java-<name>-<version>.json [--prompt NAME|auto] [--tile N|auto] [--max-side N]
        [--groups set5,set14,science,astro] [--keep DIR [--resume]]

What it does:
1. For every image of the val groups (set5, set14, science, astro) it builds the LR image of every protocol
   (bicubic, realistic, binning) with sanasr.evaluate's own functions (load_image, centre_crop for --max-side,
   mod_crop, degrade(protocol, hr, "group/file"); greyscale stays greyscale) and writes it losslessly as
   PNG to <tmp>/in/<protocol>[-<prompt>]/<group>/<file>.png.
2. It runs the CLI once per protocol folder (once per protocol and prompt under --prompt auto):
   `./sana-sr <folder> --output <out> --model MODEL --recursive --format png --overwrite [--prompt P] [--tile T]`,
   with the CLI's defaults otherwise (tile auto, device auto, percentiles 0.1-99.9). Environment variables such
   as SANASR_JAVA_OPTS pass through.
3. It reads the outputs back (sanasr.evaluate.load_image) and scores them with sanasr.evaluate.measure (PSNR-Y,
   SSIM-Y, colour shift, band energy and correlation);
   the bicubic baseline is sanasr.evaluate.evaluate(val, ["bicubic"]) itself. Means and the headline are
   sanasr.evaluate.summarise over the same rows, so the JSON has the shape of evaluate.py's files, plus
   "path", machine, date, command, plugin and model versions, the model's SHA-256 and the CLI runs.
   A model row's "seconds" is the plugin's own run time for that image (provenance run_time_s).
Differences from `python -m sanasr.evaluate --methods model` are the Java path's: robust percentile
normalisation per plane and back, the plugin's tiling and blending, DJL/libtorch instead of torch.jit in Python.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))

from sanasr import evaluate as ev  # noqa: E402
from sanasr.files import sha256_of  # noqa: E402

PATH = "java (./sana-sr CLI, DJL)"
ALL_GROUPS = tuple(g for members in ev.GROUPS.values() for g in members)


def machine() -> dict:
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:  # what `nproc` prints: the CPUs this process may run on (the CLI inherits them)
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    return {"cpu": model or platform.processor(), "nproc": nproc, "cpus_online": os.cpu_count(),
            "os": platform.platform()}


def model_folder(model: str) -> str:
    """A model folder, or a shipped model name resolved in models/ as the CLI does."""
    if os.path.isfile(os.path.join(model, "model.json")):
        return model
    shipped = os.path.join(ROOT, "models", model)
    if os.path.isfile(os.path.join(shipped, "model.json")):
        return shipped
    raise FileNotFoundError(f"no model.json in {model} nor in {shipped}")


def filtered_val(val: str, groups, tmp: str) -> str:
    """val itself when every group is wanted, else a folder of links to the wanted groups only (so that
    sanasr.evaluate.evaluate sees the same images)."""
    if set(groups) >= set(ALL_GROUPS):
        return val
    sub = os.path.join(tmp, "val")
    os.makedirs(sub, exist_ok=True)
    for g in groups:
        if os.path.isdir(os.path.join(val, g)):
            os.symlink(os.path.abspath(os.path.join(val, g)), os.path.join(sub, g))
    return sub


def write_png(img: np.ndarray, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(img, mode="L" if img.ndim == 2 else "RGB").save(path)


def png_name(name: str) -> str:
    return os.path.splitext(name)[0] + ".png"


def run_cli(cli: str, folder: str, out: str, model: str, prompt, tile, log, resume: bool = False,
            precision: str = "float32") -> dict:
    cmd = [cli, folder, "--output", out, "--model", model, "--recursive", "--format", "png", "--precision", precision]
    if not resume:
        cmd.append("--overwrite")
    if prompt:
        cmd += ["--prompt", prompt]
    if tile:
        cmd += ["--tile", str(tile)]
    print("$ " + shlex.join(cmd), file=log, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - t0
    tail = proc.stdout.strip().splitlines()[-3:]
    for line in tail:
        print("  " + line, file=log)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-4000:]}")
    return {"command": shlex.join(cmd), "wall_seconds": wall, "exit": proc.returncode}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="model folder (model.json + TorchScript) or shipped name")
    ap.add_argument("--val", required=True, help="folder with set5/ set14/ science/ astro/")
    ap.add_argument("--out", help="JSON output path (e.g. bench/quality-java-<name>-<version>.json)")
    ap.add_argument("--prompt", default=None,
                    help="prompt name, or 'auto' (sanasr.evaluate.auto_prompt per image; one CLI run per prompt); "
                         "default: the model's default_prompt (the CLI's default)")
    ap.add_argument("--tile", default=None, help="passed to --tile (default: the CLI's default, auto)")
    ap.add_argument("--max-side", type=int, default=None, help="centre-crop HR sides above N (smoke tests)")
    ap.add_argument("--groups", default=",".join(ALL_GROUPS), help="comma list of val groups (default: all four)")
    ap.add_argument("--cli", default=os.path.join(ROOT, "sana-sr"), help="the launcher (default: ./sana-sr)")
    ap.add_argument("--precision", default=None, choices=("auto", "float32", "bfloat16"),
                    help="passed to the CLI (default: the model's own precision, so the named file is what runs; "
                         "auto may run its bfloat16 variant)")
    ap.add_argument("--keep", default=None,
                    help="work folder to keep (LR inputs, CLI outputs); default: a temporary one")
    ap.add_argument("--resume", action="store_true",
                    help="with --keep: let the CLI skip images whose outputs exist there (a stopped run resumes)")
    args = ap.parse_args(argv)
    log = sys.stderr
    groups = [g for g in args.groups.split(",") if g]
    unknown = set(groups) - set(ALL_GROUPS)
    if unknown:
        ap.error(f"--groups: unknown {sorted(unknown)} (known: {', '.join(ALL_GROUPS)})")

    if args.resume and not args.keep:
        ap.error("--resume needs --keep DIR")
    folder = model_folder(args.model)
    with open(os.path.join(folder, "model.json")) as f:
        desc = json.load(f)
    digest = sha256_of(os.path.join(folder, desc["file"]))
    if digest != desc["sha256"]:
        raise SystemExit(f"sha256 mismatch for {desc['file']}: {digest} != {desc['sha256']}")
    if int(desc["scale"]) != ev.SCALE:
        raise SystemExit(f"evaluation is x{ev.SCALE}; model is x{desc['scale']}")
    if args.prompt not in (None, "auto") and args.prompt not in desc["prompts"]:
        ap.error(f"--prompt {args.prompt}: the model knows {desc['prompts']}")
    default_prompt = desc.get("default_prompt", desc["prompts"][0])
    precision = args.precision or desc.get("precision", "float32")

    work = args.keep or tempfile.mkdtemp(prefix="sanasr-eval-java-")
    if args.keep:
        os.makedirs(work, exist_ok=True)
    try:
        val = filtered_val(args.val, groups, work)
        images = ev.list_images(val)
        if not images:
            raise SystemExit(f"no validation images under {args.val} for groups {groups}")

        # 1. HR and LR exactly as sanasr.evaluate.evaluate builds them; LR written as lossless PNG
        hrs, jobs = {}, {}  # (group, name) -> HR; (protocol, prompt) -> [(group, name, input path)]
        for group, name, path in images:
            hr = ev.mod_crop(ev.centre_crop(ev.load_image(path), args.max_side))
            hrs[(group, name)] = hr
            prompt = ev.auto_prompt(group, name, hr) if args.prompt == "auto" else (args.prompt or None)
            for protocol in ev.PROTOCOLS:
                lr = ev.degrade(protocol, hr, f"{group}/{name}")
                bucket = protocol if args.prompt != "auto" else f"{protocol}-{prompt}"
                dst = os.path.join(work, "in", bucket, group, png_name(name))
                write_png(lr, dst)
                jobs.setdefault((protocol, prompt), []).append((group, name, bucket))
        print(f"{len(images)} images x {len(ev.PROTOCOLS)} protocols written under {work}/in", file=log)

        # 2. the CLI, once per protocol folder (and prompt, under auto)
        runs = []
        for (protocol, prompt), _ in jobs.items():
            bucket = protocol if args.prompt != "auto" else f"{protocol}-{prompt}"
            run = run_cli(args.cli, os.path.join(work, "in", bucket), os.path.join(work, "out", bucket),
                          os.path.abspath(folder), prompt, args.tile, log, resume=args.resume, precision=precision)
            run.update({"protocol": protocol, "prompt": prompt or default_prompt,
                        "images": len(jobs[(protocol, prompt)])})
            runs.append(run)

        # 3. score; the bicubic baseline is sanasr.evaluate's own
        with open(os.devnull, "w") as quiet:
            result = ev.evaluate(val, ["bicubic"], max_side=args.max_side, log=quiet)
        rows = list(result["images"])
        plugin_versions, java = set(), {}
        for (protocol, prompt), members in jobs.items():
            for group, name, bucket in members:
                base = os.path.splitext(name)[0] + f"-SANA-SR-x{ev.SCALE}"
                out_dir = os.path.join(work, "out", bucket, group)
                out = ev.load_image(os.path.join(out_dir, base + ".png"))
                with open(os.path.join(out_dir, base + ".sanasr.json")) as f:
                    prov = json.load(f)
                # under --precision auto|bfloat16 the plugin may run the model's variant, which names it
                if prov.get("model_sha256") != desc["sha256"] and prov.get("model_requested") != desc["name"]:
                    raise SystemExit(f"{group}/{name}: the plugin ran {prov.get('model_sha256')}, not {desc['sha256']}")
                hr = hrs[(group, name)]
                if out.shape != hr.shape:
                    raise SystemExit(f"{group}/{name} {protocol}: output {out.shape} != HR {hr.shape}")
                plugin_versions.add(prov.get("sanasr_plugin_version"))
                for k in ("device", "threads", "tile_size", "tile_overlap", "normalisation_percentiles", "precision"):
                    java.setdefault(k, set()).add(prov.get(k))
                java.setdefault("model_file", set()).add(os.path.basename(prov.get("model_file", "")))
                row = {"group": group, "image": name, "protocol": protocol, "method": "model",
                       "size": [int(hr.shape[1]), int(hr.shape[0])],
                       **ev.measure(out, hr), "seconds": float(prov.get("run_time_s", "nan")),
                       "prompt": prov.get("prompt", prompt or default_prompt), "tiles": prov.get("tiles"),
                       "tile_size": prov.get("tile_size")}
                rows.append(row)
                print(f"{group}/{name} {protocol:9s} model    PSNR-Y {row['psnr_y']:.2f} SSIM-Y {row['ssim_y']:.4f} "
                      f"{row['seconds']:.2f}s", file=log)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    order = {(g, n): i for i, (g, n, _) in enumerate(images)}
    rows.sort(key=lambda r: (order[(r["group"], r["image"])], ev.PROTOCOLS.index(r["protocol"]), r["method"]))
    means = ev.summarise(rows)
    versions = sorted(v for v in plugin_versions if v)
    if len(versions) > 1:
        print(f"warning: the images ran on several plugin builds: {versions}", file=log)
    headline = ev.headline(means)  # as sanasr.evaluate.evaluate
    result.update({
        "path": PATH,
        "val": ev.repo_relative(args.val),
        "groups": groups,
        "methods": ["bicubic", "model"],
        "headline": headline,
        "means": means,
        "images": rows,
        "model": {k: desc.get(k) for k in ("name", "version", "file", "sha256")},
        "prompt": args.prompt or default_prompt,
        "plugin_version": versions[0] if len(versions) == 1 else versions,  # a list: the build changed mid-run
        "java": dict({k: sorted(str(v) for v in vs if v is not None) for k, vs in java.items()},
                     SANASR_JAVA_OPTS=os.environ.get("SANASR_JAVA_OPTS", "")),
        "cli_runs": [dict(r, command=r["command"].replace(work, "<tmp>").replace(ROOT + os.sep, "./")) for r in runs],
        "machine": machine(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": shlex.join(["/usr/bin/python3", ev.repo_relative(os.path.abspath(__file__))]
                              + list(sys.argv[1:] if argv is None else argv)),
    })
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(ev._json_safe(result), f, indent=1)
            f.write("\n")
        print("wrote", args.out, file=log)
    print(table(means, result))
    return 0


def table(means: dict, result: dict) -> str:
    m = result["model"]
    lines = [f"{m['name']} {m['version']} through {result['path']}, prompt {result['prompt']}:", "",
             "| set | protocol | model PSNR-Y | bicubic PSNR-Y | Δ dB | model SSIM-Y | bicubic SSIM-Y "
             "| max abs mean colour shift (1/255) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, per_protocol in means.items():
        for protocol, per_method in per_protocol.items():
            mod, bic = per_method.get("model"), per_method.get("bicubic")
            if not mod or not bic:
                continue
            star = " **(headline)**" if ev.is_headline(name, protocol) else ""
            shift = max(abs(v) for v in mod["colour_shift_rgb"])
            lines.append(f"| {name} | {protocol}{star} | {mod['psnr_y']:.2f} | {bic['psnr_y']:.2f} | "
                         f"{mod['psnr_y'] - bic['psnr_y']:+.2f} | {mod['ssim_y']:.4f} | {bic['ssim_y']:.4f} | "
                         f"{shift:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
