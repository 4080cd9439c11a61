"""Validation: PSNR/SSIM and texture measures on the Y channel for bicubic, Lanczos and exported models.

    /usr/bin/python3 -m sanasr.evaluate --val ../shared/data/val [--model models/<name>]
        [--methods bicubic,lanczos,model] [--out bench/quality-<name>.json] [--max-side N]
        [--prompt NAME|auto] [--tile 256] [--niqe auto|on|off] [--niqe-params FILE] [--protocols bicubic,...]
        [--groups set5,set14,...]

Protocols (x4, HR first cropped to a multiple of 4 from the top-left, as BasicSR's mod-crop):
- ``bicubic``: LR = MATLAB imresize(HR, 1/4, 'bicubic') (antialiased; a port of BasicSR's
  ``imresize``), rounded to uint8.
- ``realistic``: HR (float) -> Gaussian blur sigma 1.2 (scipy, reflect, truncate 4) -> MATLAB bicubic
  x1/4 -> + N(0, 5) in 8-bit units (numpy default_rng seeded with crc32 of "group/file") -> round to
  uint8 -> PIL JPEG quality 75 (PIL's default 4:2:0; greyscale images stay greyscale) -> decode.
- ``binning``: LR = mean of each 4x4 block of HR (a camera's pixel binning, area x1/4), rounded to uint8.

Metrics (BasicSR conventions): output rounded to uint8; Y = BT.601 luma of MATLAB ``rgb2ycbcr``
(16 + (65.481 R + 128.553 G + 24.966 B)/255, not rounded) for colour images and the same formula
with R=G=B for greyscale ones; 4-pixel border shaved; PSNR with peak 255; SSIM with the 11x11
Gaussian window (sigma 1.5), C1 = (0.01*255)^2, C2 = (0.03*255)^2, 'valid' region only.
Colour shift: mean(output - HR) per RGB channel in 8-bit levels (= units of 1/255), same shaved
region. Texture (issue 15; ``evaluation/texture.py``): the band is Y minus its x4 area-downscaled,
bilinear-upscaled copy; ``band_energy`` = mean square of the output's band / that of the truth's,
``band_corr`` = correlation of the two bands. NIQE of the output (``evaluation/niqe.py``, the authors' pristine
model; reported, never a target) is added when the parameter file is there (``--niqe auto``, the default; ``on``
requires it, ``off`` skips it). Seconds: wall time of the upscaling step of one image.

Cost on one core of this machine (31 images, bicubic + Lanczos, three protocols: 186 outputs): 44 s CPU without
NIQE, 58 s with it; NIQE is about 0.1 s and the band measures 0.02 s per output.

Methods: ``bicubic`` (MATLAB imresize x4), ``lanczos`` (PIL LANCZOS x4), ``model`` (TorchScript
model folder, see docs/model-format.md: sha256 checked; input = LR/255, reflect-padded to the
stride, tiled with 2*halo overlap when large, greyscale fed as 3 copies and averaged back).

Groups: set5+set14 (headline: bicubic protocol) and science+astro (headline: realistic and binning
protocols); every protocol is run on every group. ``--max-side N`` centre-crops HR images whose side exceeds N
(before the mod-crop), which keeps runs short for smoke tests; crops do not change pixel statistics
the way resizing would.

The code lives in ``sanasr.evaluation``, one module per seam (``metrics``, ``imresize``, ``protocols``,
``methods``, ``texture``, ``niqe``, ``measures``, ``report``); this module is the driver and the CLI, and keeps the
old import path of every name.
"""
from __future__ import annotations

import argparse
import json
import datetime
import os
import platform
import sys
import time
from typing import List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

# the old import path: every name this module had before the split (private ones included)
from .evaluation.metrics import (  # noqa: F401
    SHAVE, rgb_to_y, shave, psnr, _gaussian_window, ssim, psnr_y, ssim_y, colour_shift)
from .evaluation.imresize import _cubic, _resize_matrix, imresize  # noqa: F401
from .evaluation.protocols import (  # noqa: F401
    SCALE, PROTOCOLS, mod_crop, centre_crop, degrade_bicubic, image_seed, degrade_realistic, degrade_binning,
    degrade)
from .evaluation.methods import (  # noqa: F401
    upscale_bicubic, upscale_lanczos, SCIENCE_KEYWORDS, auto_prompt, ModelRunner)
from .evaluation.report import (  # noqa: F401
    GROUPS, HEADLINE, HEADLINE_KEYS, TEXTURE_KEYS, _mean, summarise, headline, is_headline, markdown, texture_markdown,
    _json_safe)
from .evaluation.texture import band, band_measures  # noqa: F401
from .evaluation.niqe import DEFAULT_PARAMS as NIQE_PARAMS, load_params as load_niqe_params, niqe  # noqa: F401
from .evaluation.measures import measure
from .files import sha256_of  # noqa: F401

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def repo_relative(path: str) -> str:
    """A path as the committed result files name it: relative to the repository root, not this machine's."""
    return os.path.relpath(os.path.abspath(path), REPO_ROOT)


# ----------------------------------------------------------------------------- driver
def machine() -> dict:
    """Where a result was measured (its seconds depend on it)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": cpu, "cores_available": cores, "platform": platform.platform(), "python": platform.python_version()}


def load_image(path: str) -> np.ndarray:
    """uint8 [H,W] for greyscale files (L, LA, 1), else uint8 [H,W,3]."""
    with Image.open(path) as im:
        mode = "L" if im.mode in ("L", "LA", "1") else "RGB"
        return np.asarray(im.convert(mode), dtype=np.uint8).copy()


def list_images(val: str) -> List[Tuple[str, str, str]]:
    """(group, file name, path) for the subfolders named in GROUPS that exist."""
    out = []
    for members in GROUPS.values():
        for group in members:
            folder = os.path.join(val, group)
            if not os.path.isdir(folder):
                continue
            for f in sorted(os.listdir(folder)):
                if f.lower().endswith(IMAGE_EXTENSIONS):
                    out.append((group, f, os.path.join(folder, f)))
    return out


def evaluate(val: str, methods: Sequence[str], model: Optional[str] = None, prompt: Optional[str] = None,
             max_side: Optional[int] = None, tile: int = 256, log=sys.stderr, with_niqe: bool = False,
             niqe_params: str = NIQE_PARAMS, protocols: Sequence[str] = PROTOCOLS,
             groups: Optional[Sequence[str]] = None) -> dict:
    """Every image of ``val`` (of ``groups``, default all) under every protocol and method -> the result dict
    (rows, means, headline). ``with_niqe`` adds NIQE per row (about 0.1 s of CPU per 512x512 output)."""
    unknown = [p for p in protocols if p not in PROTOCOLS]
    if unknown:
        raise ValueError(f"unknown protocol(s) {unknown}; known: {', '.join(PROTOCOLS)}")
    if with_niqe:
        load_niqe_params(niqe_params)   # a missing parameter file stops the run here, not after the first image
    runner = ModelRunner(model, tile=tile) if "model" in methods else None
    images = [im for im in list_images(val) if not groups or im[0] in groups]
    if not images:
        raise FileNotFoundError(f"no validation images under {val}")
    rows = []
    for group, name, path in images:
        hr_full = centre_crop(load_image(path), max_side)
        hr = mod_crop(hr_full)
        chosen = None
        if runner is not None:
            chosen = auto_prompt(group, name, hr) if prompt == "auto" else (prompt or runner.default_prompt)
        for protocol in protocols:
            lr = degrade(protocol, hr, f"{group}/{name}")
            for method in methods:
                t0 = time.perf_counter()
                if method == "bicubic":
                    out = upscale_bicubic(lr)
                elif method == "lanczos":
                    out = upscale_lanczos(lr)
                elif method == "model":
                    out = runner.upscale(lr, chosen)
                else:
                    raise ValueError(f"unknown method {method}")
                seconds = time.perf_counter() - t0
                assert out.shape == hr.shape, (out.shape, hr.shape)
                row = {"group": group, "image": name, "protocol": protocol, "method": method,
                       "size": [int(hr.shape[1]), int(hr.shape[0])]}
                row.update(measure(out, hr, niqe_params if with_niqe else None))
                row["seconds"] = seconds
                if method == "model":
                    row["prompt"] = chosen
                rows.append(row)
                print(f"{group}/{name} {protocol:9s} {method:8s} PSNR-Y {row['psnr_y']:.2f} "
                      f"SSIM-Y {row['ssim_y']:.4f} energy {row['band_energy']:.2f} corr {row['band_corr']:.2f}"
                      + (f" NIQE {row['niqe']:.2f}" if "niqe" in row else "") + f" {seconds:.2f}s", file=log)
    means = summarise(rows)
    evaluated = {r["group"] for r in rows}
    for combined, members in GROUPS.items():    # a combined set with a member left out would stand for a subset
        if combined in means and not set(members) <= evaluated:
            del means[combined]
    result = {
        "format": "sanasr-quality/1",
        "scale": SCALE,
        "val": repo_relative(val),
        "methods": list(methods),
        "max_side": max_side,
        "protocols": {
            "bicubic": "HR mod-crop 4; LR = MATLAB bicubic imresize x1/4 (antialiased), uint8",
            "realistic": "HR mod-crop 4; Gaussian blur sigma 1.2 -> MATLAB bicubic x1/4 -> N(0,5/255) "
                         "(seed crc32 'group/file') -> uint8 -> PIL JPEG q75",
            "binning": "HR mod-crop 4; LR = mean of each 4x4 block (area x1/4), rounded to uint8",
        },
        "metrics": "PSNR/SSIM on Y (BT.601, MATLAB rgb2ycbcr), 4-px border shaved, 8-bit output; "
                   "colour shift = mean(out - HR) per RGB channel in 8-bit levels; "
                   "band = Y minus its x4 area-down, bilinear-up copy: band_energy = mean square of the output's "
                   "band / the truth's, band_corr = Pearson correlation of the two bands (4-px shave)"
                   + ("; niqe = NIQE of the output's rounded Y (pristine model: see 'niqe'; lower = more natural "
                      "statistics; reported, not a target)" if with_niqe else ""),
        "headline": headline(means),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "means": means,
        "images": rows,
    }
    if with_niqe:
        result["niqe"] = {"params": os.path.basename(niqe_params), "sha256": sha256_of(niqe_params)}
    if runner is not None:
        result["model"] = {k: runner.desc.get(k) for k in ("name", "version", "file", "sha256")}
        result["prompt"] = prompt or runner.default_prompt
    return result


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--val", required=True, help="folder with set5/ set14/ science/ astro/")
    ap.add_argument("--model", help="model folder (model.json + TorchScript)")
    ap.add_argument("--methods", default=None, help="comma list of bicubic,lanczos,model")
    ap.add_argument("--out", help="JSON output path")
    ap.add_argument("--max-side", type=int, default=None, help="centre-crop HR sides above N pixels")
    ap.add_argument("--prompt", default=None, help="prompt name, or 'auto' (default: descriptor's default_prompt)")
    ap.add_argument("--tile", type=int, default=256, help="LR tile side for the model")
    ap.add_argument("--protocols", default=",".join(PROTOCOLS), help="comma list (default: all)")
    ap.add_argument("--groups", default="", help="comma list of set5,set14,science,astro (default: all)")
    ap.add_argument("--niqe", nargs="?", const="on", default="auto", choices=("auto", "on", "off"),
                    help="NIQE per output (reported, not a target): auto = when --niqe-params exists (default), "
                         "on = required, off = skipped")
    ap.add_argument("--niqe-params", default=NIQE_PARAMS,
                    help="niqe_pris_params.npz (default: ../shared/reference/ next to the repository)")
    args = ap.parse_args(argv)
    methods = args.methods.split(",") if args.methods else (
        ["bicubic", "lanczos", "model"] if args.model else ["bicubic", "lanczos"])
    if "model" in methods and not args.model:
        ap.error("--methods model needs --model")
    with_niqe = args.niqe == "on" or (args.niqe == "auto" and os.path.exists(args.niqe_params))
    if args.niqe == "auto" and not with_niqe:
        print(f"NIQE skipped: no parameter file at {args.niqe_params} (--niqe-params)", file=sys.stderr)
    try:
        result = evaluate(args.val, methods, args.model, args.prompt, args.max_side, args.tile,
                          with_niqe=with_niqe, niqe_params=args.niqe_params,
                          protocols=[p for p in args.protocols.split(",") if p],
                          groups=[g for g in args.groups.split(",") if g] or None)
    except FileNotFoundError as e:
        ap.error(str(e))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(_json_safe(result), f, indent=1)
            f.write("\n")
    print(markdown(result["means"], methods))
    print()
    print(texture_markdown(result["means"], methods))
    return 0


if __name__ == "__main__":
    sys.exit(main())
