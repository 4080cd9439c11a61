#!/usr/bin/env python3
"""The README's picture: input, SANA-SR output and fidelity map of the main job (README command 1).

    /usr/bin/python3 docs/make_readme_figure.py sample-images/cell.png sample-images/restored docs/sample-result.png

The fidelity map (output averaged back onto the input grid minus the input, in units of the normalisation range)
is shown in blue (output darker than measured) - white (agrees) - red (brighter), clipped at +-0.1.
"""
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

PANEL = 384
LIMIT = 0.1


def panel(img, title):
    canvas = Image.new("RGB", (PANEL, PANEL + 18), "white")
    k = PANEL / max(img.width, img.height)   # fit inside the panel, aspect kept
    size = (max(1, round(img.width * k)), max(1, round(img.height * k)))
    canvas.paste(img.convert("RGB").resize(size, Image.NEAREST if k > 1 else Image.LANCZOS), (0, 18))
    ImageDraw.Draw(canvas).text((4, 3), title, fill="black")
    return canvas


def diverging(f):
    t = np.clip(np.nan_to_num(f) / LIMIT, -1, 1)
    r = np.where(t > 0, 1.0, 1.0 + t)
    b = np.where(t < 0, 1.0, 1.0 - t)
    g = 1.0 - np.abs(t)
    return Image.fromarray((np.stack([r, g, b], -1) * 255).astype(np.uint8))


def main(src, folder, out):
    stem = os.path.splitext(os.path.basename(src))[0]
    base = os.path.join(folder, f"{stem}-SANA-SR-x4")
    with open(base + ".sanasr.json") as f:
        prov = json.load(f)
    fid = np.asarray(Image.open(base + "-fidelity.tif"), dtype=np.float32)
    panels = [panel(Image.open(src), f"input {Image.open(src).size[0]}x{Image.open(src).size[1]}"),
              panel(Image.open(base + ".tif"), f"SANA-SR x4 ({prov.get('model_name', '')} {prov.get('model_version', '')})"),
              panel(diverging(fid), f"fidelity map (+-{LIMIT}), rms {float(prov.get('fidelity_rms', 'nan')):.4f}")]
    sheet = Image.new("RGB", (PANEL * len(panels), PANEL + 18), "white")
    for i, p in enumerate(panels):
        sheet.paste(p, (i * PANEL, 0))
    sheet.save(out)
    print("wrote", out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
