#!/usr/bin/env python3
"""Realism beside Real-ESRGAN, and the plugin's own fidelity map of the realism output (issue 15's check).

    /usr/bin/python3 docs/make_realism_figure.py [--model models/sana-sr-compact-x4] [--image set14/baboon.png] \
        [--out docs/realism-result.png] [--json bench/realism/map-check.json]

A 384x384 crop of a validation photo is degraded with sanasr.evaluate's realistic protocol (blur, x1/4, noise,
JPEG 75; its seed), written as a PNG, and restored by the real `./sana-sr` twice: with the model's default
(fidelity) prompt and with its first realism prompt, `--fidelity-map` on both. Real-ESRGAN x4plus (bench/peers)
runs on the same input. The figure shows input, Real-ESRGAN, fidelity, realism, ground truth, and the two
channels of the realism output's fidelity map as the plugin wrote them: consistency (blue darker / red brighter
than measured, +-0.1 of the range) and invented detail (black 0 to white 0.1 of the range).

The check, printed and written to --json: per input pixel, the correlation of the realism output's
invented-detail map with (a) the block RMS of the realism output's band error against the ground truth (where the
texture is not the true one) and (b) the block RMS of realism minus fidelity (where realism added detail), and the
same two for the consistency channel's magnitude. A map that shows where texture was invented has (b) high.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageSequence

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "src", "main", "python"))
sys.path.insert(0, os.path.join(REPO, "bench", "peers"))
from sanasr import evaluate as ev  # noqa: E402
from sanasr.evaluation.texture import band  # noqa: E402

CROP, PANEL, LABEL = 384, 256, 18


def run_sana_sr(src, out, model, prompt, precision):
    cmd = ["./sana-sr", src, "--output", out, "--model", model, "--fidelity-map", "--overwrite", "--precision", precision]
    if prompt:
        cmd += ["--prompt", prompt]
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    stem = os.path.join(out, os.path.splitext(os.path.basename(src))[0] + "-SANA-SR-x4")
    img = np.asarray(Image.open(stem + ".tif").convert("RGB"))
    with Image.open(stem + "-fidelity.tif") as tif:
        planes = [np.asarray(p.copy(), dtype=np.float64) for p in ImageSequence.Iterator(tif)]
    with open(stem + ".sanasr.json") as f:
        prov = json.load(f)
    half = len(planes) // 2          # consistency channels first, then invented detail (docs/model-format.md)
    return img, np.mean(planes[:half], axis=0), np.mean(planes[half:], axis=0), prov


def block_rms(x, k=4):
    h, w = x.shape
    return np.sqrt((x ** 2).reshape(h // k, k, w // k, k).mean(axis=(1, 3)))


def luma(img):
    return ev.rgb_to_y(img.astype(np.float64))


def corr(a, b):
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def panel(img, title):
    canvas = Image.new("RGB", (PANEL, PANEL + LABEL), "white")
    canvas.paste(Image.fromarray(img).resize((PANEL, PANEL), Image.NEAREST), (0, LABEL))
    ImageDraw.Draw(canvas).text((4, 3), title, fill="black")
    return canvas


def diverging(f, limit=0.1):
    t = np.clip(np.nan_to_num(f) / limit, -1, 1)
    rgb = np.stack([np.where(t > 0, 1.0, 1.0 + t), 1.0 - np.abs(t), np.where(t < 0, 1.0, 1.0 - t)], -1)
    return (rgb * 255).astype(np.uint8)


def grey(f, limit=0.1):
    g = (np.clip(np.nan_to_num(f) / limit, 0, 1) * 255).astype(np.uint8)
    return np.repeat(g[..., None], 3, axis=2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="models/sana-sr-compact-x4")
    ap.add_argument("--val", default=os.path.join(REPO, "..", "shared", "data", "val"))
    ap.add_argument("--image", default="set14/baboon.png")
    ap.add_argument("--precision", default="auto", help="passed to ./sana-sr")
    ap.add_argument("--out", default=os.path.join(HERE, "realism-result.png"))
    ap.add_argument("--json", default=os.path.join(REPO, "bench", "realism", "map-check.json"))
    a = ap.parse_args(argv)
    with open(os.path.join(REPO, a.model, "model.json")) as f:
        desc = json.load(f)
    realism = next(p for p in desc["prompts"] if desc.get("prompt_modes", {}).get(p) == "realism")
    hr = ev.mod_crop(ev.load_image(os.path.join(a.val, a.image)))
    y0, x0 = (hr.shape[0] - CROP) // 8 * 4, (hr.shape[1] - CROP) // 8 * 4
    gt = hr[y0:y0 + CROP, x0:x0 + CROP]
    lr = ev.degrade_realistic(gt, ev.image_seed(a.image))
    import realesrgan
    peer = realesrgan.upscale(lr)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "input.png")
        Image.fromarray(lr).save(src)
        fid, fid_cons, fid_inv, fid_prov = run_sana_sr(src, os.path.join(tmp, "fidelity"), a.model, None, a.precision)
        real, cons, inv, prov = run_sana_sr(src, os.path.join(tmp, "realism"), a.model, realism, a.precision)
    texture_error = block_rms(band(luma(real)) - band(luma(gt))) / 255.0
    added = block_rms(luma(real) - luma(fid)) / 255.0
    check = {"image": a.image, "crop": [x0, y0, CROP, CROP], "protocol": "realistic", "prompt": realism,
             "model": {k: desc[k] for k in ("name", "version", "sha256")},
             "provenance": {k: prov.get(k) for k in ("prompt", "prompt_mode", "fidelity_rms", "invented_detail_rms",
                                                     "model_prior", "precision")},
             "fidelity_provenance": {k: fid_prov.get(k) for k in ("prompt", "prompt_mode", "fidelity_rms",
                                                                  "invented_detail_rms")},
             "invented_detail_vs_texture_error_corr": corr(inv, texture_error),
             "invented_detail_vs_realism_minus_fidelity_corr": corr(inv, added),
             "consistency_abs_vs_texture_error_corr": corr(np.abs(cons), texture_error),
             "consistency_abs_vs_realism_minus_fidelity_corr": corr(np.abs(cons), added),
             "invented_detail_mean": {"realism": float(np.nanmean(inv)), "fidelity": float(np.nanmean(fid_inv))}}
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(check, f, indent=1)
        f.write("\n")
    print(json.dumps(check, indent=1))
    up = np.asarray(Image.fromarray(lr).resize((CROP, CROP), Image.NEAREST))
    tag = f"SANA-SR {desc['version']}"
    panels = [panel(up, "input (realistic protocol)"), panel(peer, "Real-ESRGAN x4plus"),
              panel(fid, f"{tag} {desc['default_prompt']} (fidelity)"), panel(real, f"{tag} {realism} (realism)"),
              panel(gt, "ground truth"),
              panel(diverging(np.kron(cons, np.ones((4, 4)))), "map of realism: consistency"),
              panel(grey(np.kron(inv, np.ones((4, 4)))), "map of realism: invented detail"),
              panel(grey(np.kron(fid_inv, np.ones((4, 4)))), "map of fidelity: invented detail")]
    cols = 4
    sheet = Image.new("RGB", (cols * PANEL, 2 * (PANEL + LABEL)), "white")
    for i, p in enumerate(panels):
        sheet.paste(p, ((i % cols) * PANEL, (i // cols) * (PANEL + LABEL)))
    sheet.save(a.out)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
