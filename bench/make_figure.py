#!/usr/bin/env python3
"""Comparison figure: crops of input, bicubic, Real-ESRGAN, SANA-SR (fidelity and, for a model with prompt
modes, realism and its invented-detail map) and ground truth side by side.

    /usr/bin/python3 bench/make_figure.py --model models/sana-sr-compact-x4 [--out bench/comparison.png]

Each row is one validation image under the `realistic` protocol of sanasr.evaluate (blur, bicubic x1/4, noise,
JPEG 75; the same seeds), a 96x96 crop of the HR grid (24x24 of the LR, shown by nearest-neighbour
enlargement). Real-ESRGAN needs its converted weights (bench/peers/realesrgan.py --convert); without them the
column says so. The realism column runs the model's first realism prompt (``prompt_modes``, issue 15); the map
beside it is the invented detail of that output: per output pixel the RMS, over its 4x4 block, of the output's
band (output minus its 4x4 area-down, bilinear-up copy: the detail a x4 input cannot hold), shown from 0 (black)
to 12 grey levels (white). The crops and their order are those of the earlier figures. ``--rows set14/comic.png,...`` draws only those rows (checks; write them outside bench/ with --out).

Alignment check, printed per row: for every method the integer shift that best matches the ground truth,
(a) within +-4 px on the full-detail crop and (b) within +-48 px (12 LR pixels, beyond the peer's 10-pixel
tile padding) on Gaussian-low-passed crops (sigma 3 px), where the texture a GAN invents no longer decides the
optimum. A panel is reported MISALIGNED when (b) finds a shift of more than 2 px whose error is under half the
aligned one; an invented but aligned panel (Real-ESRGAN on set14/comic under this protocol renders the blurred
jewellery fringe as smooth skin and a plain band) keeps (b) near (0, 0).
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src", "main", "python"))
sys.path.insert(0, os.path.join(HERE, "peers"))

from sanasr import evaluate as ev  # noqa: E402

# (group, file, crop centre as fractions of the HR size, fidelity prompt); photo became a realism prompt in 3.0
ROWS = [("set14", "comic.png", (0.35, 0.45), "generic"),
        ("science", "python3-skimage__ihc.png", (0.5, 0.5), "histology"),
        ("science", "python3-skimage__retina.png", (0.35, 0.55), "generic"),
        ("astro", "stellarium-data__m51-vasey.png", (0.5, 0.5), "astro")]
CROP, CELL, LABEL_H = 96, 192, 18
CONTEXT = 24  # LR pixels of context around the crop for every method
MAP_WHITE = 12.0  # grey levels of band RMS shown as white in the invented-detail map


def invented_detail(out):
    """Per output pixel, the RMS over its 4x4 block of the luma band (see the module docstring), grey levels."""
    from sanasr.evaluation.texture import band
    y = ev.rgb_to_y(out.astype(np.float64)) if out.ndim == 3 else out.astype(np.float64)
    b = band(y)
    h, w = b.shape
    rms = np.sqrt((b ** 2).reshape(h // 4, 4, w // 4, 4).mean(axis=(1, 3)))
    return np.repeat(np.repeat(rms, 4, axis=0), 4, axis=1)


def map_panel(rms):
    grey = np.clip(rms / MAP_WHITE * 255.0, 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def rgb(img):
    return np.repeat(img[..., None], 3, axis=2) if img.ndim == 2 else img


def best_shift(out_full, oy, ox, gt, reach=4):
    """The integer shift (dy, dx) within +-reach of the cut that matches the ground truth best (MSE on
    the mean of the channels), that error and the error at (0, 0): ((dy, dx), best_err, aligned_err).
    (0, 0) means the panel is aligned. Shifts that would leave the method's window are skipped."""
    a = out_full.astype(np.float64)
    a = a.mean(axis=2) if a.ndim == 3 else a
    g = gt.astype(np.float64)
    g = g.mean(axis=2) if g.ndim == 3 else g
    best, aligned = None, None
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            y, x = oy + dy, ox + dx
            if y < 0 or x < 0 or y + CROP > a.shape[0] or x + CROP > a.shape[1]:
                continue
            err = float(np.mean((a[y:y + CROP, x:x + CROP] - g) ** 2))
            if (dy, dx) == (0, 0):
                aligned = err
            if best is None or err < best[0]:
                best = (err, dy, dx)
    return (best[1], best[2]), best[0], aligned


WIDE_REACH, WIDE_SIGMA = 48, 3.0  # HR px: 12 LR pixels, beyond the peer's 10-pixel tile padding


def _low_pass(img):
    a = img.astype(np.float64)
    return ndimage.gaussian_filter(a.mean(axis=2) if a.ndim == 3 else a, WIDE_SIGMA, mode="reflect")


def alignment(out_full, oy, ox, gt_window):
    """(fine shift, wide low-pass shift, misaligned?) of one method's output over its LR window x4;
    gt_window is the ground truth over the same HR window, so both are low-passed alike before cutting."""
    fine, _, _ = best_shift(out_full, oy, ox, gt_window[oy:oy + CROP, ox:ox + CROP])
    wide, err, err0 = best_shift(_low_pass(out_full), oy, ox,
                                 _low_pass(gt_window)[oy:oy + CROP, ox:ox + CROP], reach=WIDE_REACH)
    misaligned = max(abs(wide[0]), abs(wide[1])) > 2 and err < 0.5 * err0
    return fine, wide, misaligned


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--val", default=os.path.join(HERE, "..", "..", "shared", "data", "val"))
    ap.add_argument("--out", default=os.path.join(HERE, "comparison.png"))
    ap.add_argument("--rows", default=None, help="comma list of group/file: only those rows (e.g. set14/comic.png)")
    args = ap.parse_args(argv)
    rows = ROWS
    if args.rows:
        wanted = args.rows.split(",")
        rows = [r for r in ROWS if f"{r[0]}/{r[1]}" in wanted]
        unknown = set(wanted) - {f"{r[0]}/{r[1]}" for r in rows}
        if unknown:
            ap.error(f"--rows: not in the figure: {sorted(unknown)}")

    runner = ev.ModelRunner(args.model)
    try:
        import realesrgan
        realesrgan.ensure_weights(download=False)
        peer = realesrgan.upscale
    except Exception as e:  # weights not converted here: say so in the figure
        print(f"Real-ESRGAN unavailable: {e}", file=sys.stderr)
        peer = None

    modes = runner.desc.get("prompt_modes", {})
    realism = next((p for p in runner.prompts if modes.get(p) == "realism"), None)
    tag = runner.desc["name"].replace("sana-sr-", "") + " " + runner.desc["version"]
    columns = ["input (LR)", "bicubic", "Real-ESRGAN", tag + (" fidelity" if realism else "")]
    if realism:
        columns += [f"{tag} {realism}", "invented detail (realism)"]
    columns += ["ground truth"]
    sheet = Image.new("RGB", (CELL * len(columns), (CELL + LABEL_H) * len(rows) + LABEL_H), "white")
    draw = ImageDraw.Draw(sheet)
    for c, title in enumerate(columns):
        draw.text((c * CELL + 4, 3), title, fill="black")
    for r, (group, name, (fy, fx), prompt) in enumerate(rows):
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
        gt_win = hr[4 * wy0:4 * (wy0 + lr_win.shape[0]), 4 * wx0:4 * (wx0 + lr_win.shape[1])]
        full = [ev.upscale_bicubic(lr_win), peer(lr_win) if peer else None, rgb(runner.upscale(lr_win, prompt))]
        names = ["bicubic", "Real-ESRGAN", "fidelity"]
        if realism:
            full.append(rgb(runner.upscale(lr_win, realism)))
            names.append(realism)
        assert all(f is None or f.shape[:2] == gt_win.shape[:2] for f in full), \
            [f.shape for f in full if f is not None]
        checks = [alignment(f, oy, ox, gt_win) if f is not None else None for f in full]
        print(f"{group}/{name}: best-matching shift against ground truth (+-4 px / low-pass +-{WIDE_REACH} px): "
              + ", ".join(f"{m} {c[0]} / {c[1]}" if c else f"{m} -"
                          for m, c in zip(names, checks)))
        for m, c in zip(names, checks):
            if c and c[2]:
                print(f"  MISALIGNED: the {m} panel matches the ground truth best {c[1]} px away", file=sys.stderr)
        outs = [lr_big] + [cut(f) if f is not None else None for f in full]
        if realism:
            texture = invented_detail(full[-1])
            outs.append(map_panel(cut(texture)))
            b_gt = cut(invented_detail(gt_win))
            b_err = cut(invented_detail(full[-1].astype(np.float64) - gt_win))   # the band is linear
            print(f"  invented-detail map: mean {cut(texture).mean():.2f} grey levels (ground truth's band "
                  f"{b_gt.mean():.2f}); correlation with the band error of the realism output "
                  f"{np.corrcoef(cut(texture).ravel(), b_err.ravel())[0, 1]:.2f}")
        outs.append(gt)
        assert all(o is None or o.shape[:2] == (CROP, CROP) for o in outs), [o.shape for o in outs if o is not None]
        top = LABEL_H + r * (CELL + LABEL_H)
        draw.text((4, top + CELL + 2), f"{group}/{name} (prompt {prompt}" + (f"; {realism}" if realism else "")
                  + ")", fill="black")
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
