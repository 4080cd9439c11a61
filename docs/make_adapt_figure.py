#!/usr/bin/env python3
"""The README's before/after picture of "Adapt model to my images", through the real command line.

    taskset -c 1 /usr/bin/python3 docs/make_adapt_figure.py [--steps 30] [--out docs/adapt-before-after.png]

A science image (scikit-image's cell, ../shared/data/val/science) is split: `./sana-sr adapt` learns from its
left 60 %; the right 40 %, binned 4 x 4, is restored by `./sana-sr --model sana-sr-compact-x4` (before) and
`./sana-sr --model <adapted>` (after). Panels: a crop of the input (nearest neighbour), bicubic, before, after,
and the ground truth, each with its PSNR on the whole right part.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT.parent / "shared" / "data" / "val" / "science" / "python3-skimage__cell.png"
PANEL = 256


def psnr(a, b, shave=4):
    a = a.astype(np.float64)[shave:-shave, shave:-shave]
    b = b.astype(np.float64)[shave:-shave, shave:-shave]
    return 10 * np.log10(255.0 ** 2 / np.mean((a - b) ** 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--out", default=str(ROOT / "docs" / "adapt-before-after.png"))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sanasr-adapt-figure-"))
    hr = np.asarray(Image.open(SRC).convert("L")).astype(np.float64)
    hr = hr[: hr.shape[0] // 4 * 4, : hr.shape[1] // 4 * 4]
    x0 = int(round(0.6 * hr.shape[1] / 4)) * 4
    left, right = hr[:, :x0], hr[:, x0:]
    h, w = right.shape[0] // 4, right.shape[1] // 4
    lr = np.clip(np.rint(right.reshape(h, 4, w, 4).mean(axis=(1, 3))), 0, 255).astype(np.uint8)
    Image.fromarray(left.astype(np.uint8)).save(work / "left.png")
    Image.fromarray(lr).save(work / "right-binned.png")
    models = work / "models"
    env = dict(os.environ, SANASR_MODELS=str(models))
    sh = str(ROOT / "sana-sr")
    subprocess.run([sh, "adapt", str(work / "left.png"), "--name", "cell-left", "--models-dir", str(models),
                    "--steps", str(args.steps), "--minutes", "10", "--seed", "1"], check=True, env=env)
    outs = {}
    for label, model in (("before", "sana-sr-compact-x4"), ("after", "cell-left")):
        d = work / label
        subprocess.run([sh, str(work / "right-binned.png"), "--model", model, "--output", str(d), "--format", "png"],
                       check=True, env=env)
        outs[label] = np.asarray(Image.open(d / "right-binned-SANA-SR-x4.png").convert("L"))
    t = torch.from_numpy(lr.astype(np.float32))[None, None]
    bic = np.clip(np.rint(F.interpolate(t, scale_factor=4, mode="bicubic", align_corners=False)[0, 0].numpy()),
                  0, 255).astype(np.uint8)
    gt = right.astype(np.uint8)
    cy, cx, s = gt.shape[0] // 2 - 64, gt.shape[1] // 2 - 64, 128
    crops = [("input (binned x4)", np.repeat(np.repeat(lr, 4, 0), 4, 1), None), ("bicubic", bic, psnr(bic, gt)),
             ("before: sana-sr-compact-x4", outs["before"], psnr(outs["before"], gt)),
             ("after: adapted on the left 60 %", outs["after"], psnr(outs["after"], gt)), ("ground truth", gt, None)]
    canvas = Image.new("RGB", (len(crops) * (PANEL + 4), PANEL + 34), "white")
    draw = ImageDraw.Draw(canvas)
    for i, (title, img, p) in enumerate(crops):
        tile = Image.fromarray(img[cy:cy + s, cx:cx + s]).resize((PANEL, PANEL), Image.NEAREST)
        canvas.paste(tile.convert("RGB"), (i * (PANEL + 4), 34))
        draw.text((i * (PANEL + 4) + 3, 3), title, fill="black")
        if p is not None:
            draw.text((i * (PANEL + 4) + 3, 18), "%.2f dB (whole right part)" % p, fill="black")
    canvas.save(args.out)
    print("before %.2f dB, after %.2f dB, bicubic %.2f dB -> %s" % (psnr(outs["before"], gt), psnr(outs["after"], gt),
                                                                  psnr(bic, gt), args.out))


if __name__ == "__main__":
    sys.exit(main())
