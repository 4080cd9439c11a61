"""PSNR-Y/SSIM-Y of Real-ESRGAN x4plus on the validation set, with sanasr.evaluate's protocols.

Reuses the public helpers of src/main/python/sanasr/evaluate.py (degradations,
metrics, summaries), so the numbers are comparable with bench/quality-*.json
of the other methods; evaluate.py has no hook for an external method, hence
this driver. Bicubic rows are included as an in-file reference.

  nice -n 15 /usr/bin/python3 bench/peers/evaluate_realesrgan.py --val ../shared/data/val \
      [--groups set5,science,astro] [--threads 1] [--out bench/quality-realesrgan.json] [--resume]

The JSON is rewritten after every image, so an interrupted run keeps its rows
("finished": false). `--table` recomputes the means of an existing JSON and prints them.
"""
from __future__ import annotations

import argparse
from collections import Counter
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src" / "main" / "python"))
import realesrgan  # noqa: E402
from sanasr import evaluate as ev  # noqa: E402

METHOD = "realesrgan"


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def summarise_complete(rows) -> dict:
    """ev.summarise, minus combined sets (e.g. set5+set14) with a member not evaluated:
    their mean would silently stand for a subset."""
    evaluated = {r["group"] for r in rows}
    means = ev.summarise(rows)
    for name, members in ev.GROUPS.items():
        if name in means and not set(members) <= evaluated:
            del means[name]
    return means


def run(val: str, groups, threads: int, tile: int, out: str, device: str, resume: bool = False,
        protocols=None, niqe_params=None) -> dict:
    protocols = list(protocols or ev.PROTOCOLS)
    torch.set_num_threads(threads)
    model = realesrgan.load_model(device)
    images = [(g, n, p) for g, n, p in ev.list_images(val) if not groups or g in groups]
    if groups:  # in the order asked for, so a run cut short still has whole groups first
        images.sort(key=lambda item: groups.index(item[0]))
    if not images:
        raise FileNotFoundError(f"no validation images for groups {groups} under {val}")
    rows = []
    if resume and os.path.exists(out):   # keep the rows of images done by an earlier, interrupted run
        with open(out) as f:
            rows = [r for r in json.load(f).get("images", []) if any(r["group"] == g and r["image"] == n for g, n, _ in images)]
        per_image = Counter((r["group"], r["image"]) for r in rows)
        complete = {k for k, v in per_image.items() if v == 2 * len(protocols)}
        rows = [r for r in rows if (r["group"], r["image"]) in complete]
        images = [(g, n, p) for g, n, p in images if (g, n) not in complete]
        print(f"resuming: {len(complete)} images already done", flush=True)
    result = {
        "format": "sanasr-quality/1",
        "scale": ev.SCALE,
        "val": ev.repo_relative(val),
        "groups_evaluated": sorted({g for g, _, _ in images}),
        "methods": ["bicubic", METHOD],
        "protocols_evaluated": protocols,
        "protocols": "as sanasr.evaluate (bicubic: MATLAB imresize x1/4; realistic: blur 1.2, "
                     "x1/4, N(0,5), JPEG q75, seeded per image; binning: 4x4 block means)",
        "metrics": "sanasr.evaluate: PSNR/SSIM on Y (BT.601), 4-px shave, 8-bit output; band energy and "
                   "correlation (issue 15)",
        "realesrgan": {
            "weights": f"npm {realesrgan.NPM_PACKAGE} {realesrgan.MODEL_NAME}.bin "
                       f"(sha256 {realesrgan.WEIGHTS_SHA256}), ncnn -> PyTorch fp32 (bench/peers)",
            "tile_lr": tile, "pad_lr": realesrgan.DEFAULT_PAD, "border": realesrgan.DEFAULT_BORDER,
            "grey_input": "run as RGB, returned as BT.601 luma",
        },
        "machine": {"cpu": cpu_name(), "cores": os.cpu_count(), "torch_threads": threads,
                    "device": device, "torch": torch.__version__, "platform": platform.platform(),
                    "note": "shared machine; run under nice -n 15 next to other jobs, so seconds are upper bounds"},
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    for group, name, path in images:
        hr = ev.mod_crop(ev.load_image(path))
        for protocol in protocols:
            lr = ev.degrade(protocol, hr, f"{group}/{name}")
            for method in ("bicubic", METHOD):
                start = time.perf_counter()
                if method == "bicubic":
                    sr = ev.upscale_bicubic(lr)
                else:
                    sr = realesrgan.upscale(lr, tile=tile, model=model)
                seconds = time.perf_counter() - start
                assert sr.shape == hr.shape, (sr.shape, hr.shape)
                row = {"group": group, "image": name, "protocol": protocol, "method": method,
                       "size": [int(hr.shape[1]), int(hr.shape[0])], **ev.measure(sr, hr, niqe_params), "seconds": seconds}
                rows.append(row)
                print(f"{group}/{name} {protocol:9s} {method:10s} PSNR-Y {row['psnr_y']:.2f} "
                      f"SSIM-Y {row['ssim_y']:.4f} {seconds:.1f}s", flush=True)
        result["means"] = summarise_complete(rows)
        result["images"] = rows
        result["finished"] = False
        _write(out, result)
    result["finished"] = True
    result["date_finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    _write(out, result)
    print(ev.markdown(result["means"], ["bicubic", METHOD]))
    print(ev.texture_markdown(result["means"], ["bicubic", METHOD]))
    return result


def _write(path: str, result: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(ev._json_safe(result), f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--val", default=str(realesrgan.REPO_ROOT.parent / "shared" / "data" / "val"))
    parser.add_argument("--groups", default="", help="comma list of set5,set14,science,astro (default: all)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tile", type=int, default=realesrgan.DEFAULT_TILE)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default=str(realesrgan.REPO_ROOT / "bench" / "quality-realesrgan.json"))
    parser.add_argument("--protocols", default="", help="comma list of bicubic,realistic,binning (default: all)")
    parser.add_argument("--niqe", action="store_true", help="add NIQE (sanasr.evaluate's pristine parameters)")
    parser.add_argument("--resume", action="store_true", help="keep the finished images of an existing --out")
    parser.add_argument("--table", action="store_true",
                        help="only recompute the means of --out from its rows, rewrite it and print the table")
    args = parser.parse_args(argv)
    if args.table:
        with open(args.out) as f:
            result = json.load(f)
        result["means"] = summarise_complete(result["images"])
        _write(args.out, result)
        print(ev.markdown(result["means"], ["bicubic", METHOD]))
        return 0
    groups = [g for g in args.groups.split(",") if g]
    protocols = [p for p in args.protocols.split(",") if p] or None
    run(args.val, groups, args.threads, args.tile, args.out, args.device, resume=args.resume, protocols=protocols,
        niqe_params=ev.NIQE_PARAMS if args.niqe else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
