#!/usr/bin/env python3
"""Comparison figure: crops of input, bicubic, Real-ESRGAN, SANA-SR and ground truth side by side.

    /usr/bin/python3 bench/make_figure.py --model models/sana-sr-compact-x4 [--out bench/comparison.png]

Each row is one validation image under the `realistic` protocol of sanasr.evaluate (blur, bicubic x1/4, noise,
JPEG 75; the same seeds), a 96x96 crop of the HR grid (24x24 of the LR, shown by nearest-neighbour
enlargement). Real-ESRGAN needs its converted weights (bench/peers/realesrgan.py --convert); without them the
column says so.
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src", "main", "python"))
sys.path.insert(0, os.path.join(HERE, "peers"))

from sanasr import evaluate as ev  # noqa: E402

# (group, file, crop centre as fractions of the HR size, prompt)
ROWS = [("set14", "comic.png", (0.35, 0.45), "photo"),
        ("science", "python3-skimage__ihc.png", (0.5, 0.5), "histology"),
        ("science", "python3-skimage__retina.png", (0.35, 0.55), "photo"),
        ("astro", "stellarium-data__m51-vasey.png", (0.5, 0.5), "astro")]
CROP, CELL, LABEL_H = 96, 192, 18
CONTEXT = 24  # LR pixels of context around the crop for every method


def rgb(img):
    return np.repeat(img[..., None], 3, axis=2) if img.ndim == 2 else img


def best_shift(out_full, oy, ox, gt, reach=4):
    """The integer shift (dy, dx) within +-reach of the cut that matches the ground truth best (MSE on
    the mean of the channels): (0, 0) when the panel is aligned. A GAN's invented texture lowers PSNR
    but does not move this optimum."""
    g = gt.astype(np.float64).mean(axis=2)
    best = None
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            y, x = oy + dy, ox + dx
            if y < 0 or x < 0 or y + CROP > out_full.shape[0] or x + CROP > out_full.shape[1]:
                continue
            err = np.mean((out_full[y:y + CROP, x:x + CROP].astype(np.float64).mean(axis=2) - g) ** 2)
            if best is None or err < best[0]:
                best = (err, dy, dx)
    return best[1], best[2]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--val", default=os.path.join(HERE, "..", "..", "shared", "data", "val"))
    ap.add_argument("--out", default=os.path.join(HERE, "comparison.png"))
    args = ap.parse_args(argv)

    runner = ev.ModelRunner(args.model)
    try:
        import realesrgan
        realesrgan.ensure_weights(download=False)
        peer = realesrgan.upscale
    except Exception as e:  # weights not converted here: say so in the figure
        print(f"Real-ESRGAN unavailable: {e}", file=sys.stderr)
        peer = None

    columns = ["input (LR)", "bicubic", "Real-ESRGAN", runner.desc["name"] + " " + runner.desc["version"], "ground truth"]
    sheet = Image.new("RGB", (CELL * len(columns), (CELL + LABEL_H) * len(ROWS) + LABEL_H), "white")
    draw = ImageDraw.Draw(sheet)
    for c, title in enumerate(columns):
        draw.text((c * CELL + 4, 3), title, fill="black")
    for r, (group, name, (fy, fx), prompt) in enumerate(ROWS):
        hr = ev.mod_crop(rgb(ev.load_image(os.path.join(args.val, group, name))))
        lr = ev.degrade_realistic(hr, ev.image_seed(f"{group}/{name}"))
        # one HR crop origin (a multiple of 4, inside the image); every panel is cut at that same place
        y0 = int(np.clip(int(fy * hr.shape[0]) - CROP // 2, 0, hr.shape[0] - CROP)) // 4 * 4
        x0 = int(np.clip(int(fx * hr.shape[1]) - CROP // 2, 0, hr.shape[1] - CROP)) // 4 * 4
        lr_crop = lr[y0 // 4:(y0 + CROP) // 4, x0 // 4:(x0 + CROP) // 4]
        lr_big = np.asarray(Image.fromarray(lr_crop).resize((CROP, CROP), Image.NEAREST))
        # methods run on an LR window with up to CONTEXT pixels around the crop, then the crop is cut out
        wy0, wx0 = max(0, y0 // 4 - CONTEXT), max(0, x0 // 4 - CONTEXT)
        lr_win = np.ascontiguousarray(lr[wy0:(y0 + CROP) // 4 + CONTEXT, wx0:(x0 + CROP) // 4 + CONTEXT])
        oy, ox = y0 - 4 * wy0, x0 - 4 * wx0

        def cut(img):
            return img[oy:oy + CROP, ox:ox + CROP]

        gt = hr[y0:y0 + CROP, x0:x0 + CROP]
        full = [ev.upscale_bicubic(lr_win), peer(lr_win) if peer else None, rgb(runner.upscale(lr_win, prompt))]
        shifts = [best_shift(f, oy, ox, gt) if f is not None else None for f in full]
        print(f"{group}/{name}: best-matching shift of bicubic, Real-ESRGAN, model against ground truth: {shifts}")
        outs = [lr_big] + [cut(f) if f is not None else None for f in full] + [gt]
        assert all(o is None or o.shape[:2] == (CROP, CROP) for o in outs), [o.shape for o in outs if o is not None]
        top = LABEL_H + r * (CELL + LABEL_H)
        draw.text((4, top + CELL + 2), f"{group}/{name} (prompt {prompt})", fill="black")
        for c, img in enumerate(outs):
            if img is None:
                draw.text((c * CELL + 10, top + CELL // 2), "weights not converted", fill="red")
                continue
            tile = Image.fromarray(np.ascontiguousarray(img[..., :3]).astype(np.uint8)).resize((CELL, CELL), Image.NEAREST)
            sheet.paste(tile, (c * CELL, top))
    sheet.save(args.out)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
