"""Validation: PSNR/SSIM on the Y channel for bicubic, Lanczos and exported models.

    /usr/bin/python3 -m sanasr.evaluate --val ../shared/data/val [--model models/<name>]
        [--methods bicubic,lanczos,model] [--out bench/quality-<name>.json] [--max-side N]
        [--prompt NAME|auto] [--tile 256]

Protocols (x4, HR first cropped to a multiple of 4 from the top-left, as BasicSR's mod-crop):
- ``bicubic``: LR = MATLAB imresize(HR, 1/4, 'bicubic') (antialiased; a port of BasicSR's
  ``imresize``), rounded to uint8.
- ``realistic``: HR (float) -> Gaussian blur sigma 1.2 (scipy, reflect, truncate 4) -> MATLAB bicubic
  x1/4 -> + N(0, 5) in 8-bit units (numpy default_rng seeded with crc32 of "group/file") -> round to
  uint8 -> PIL JPEG quality 75 (PIL's default 4:2:0; greyscale images stay greyscale) -> decode.

Metrics (BasicSR conventions): output rounded to uint8; Y = BT.601 luma of MATLAB ``rgb2ycbcr``
(16 + (65.481 R + 128.553 G + 24.966 B)/255, not rounded) for colour images and the same formula
with R=G=B for greyscale ones; 4-pixel border shaved; PSNR with peak 255; SSIM with the 11x11
Gaussian window (sigma 1.5), C1 = (0.01*255)^2, C2 = (0.03*255)^2, 'valid' region only.
Colour shift: mean(output - HR) per RGB channel in 8-bit levels (= units of 1/255), same shaved
region. Seconds: wall time of the upscaling step of one image.

Methods: ``bicubic`` (MATLAB imresize x4), ``lanczos`` (PIL LANCZOS x4), ``model`` (TorchScript
model folder, see docs/model-format.md: sha256 checked; input = LR/255, reflect-padded to the
stride, tiled with 2*halo overlap when large, greyscale fed as 3 copies and averaged back).

Groups: set5+set14 (headline: bicubic protocol) and science+astro (headline: realistic protocol);
both protocols are run on every group. ``--max-side N`` centre-crops HR images whose side exceeds N
(before the mod-crop), which keeps runs short for smoke tests; crops do not change pixel statistics
the way resizing would.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import time
import zlib
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image
from scipy import ndimage
from .files import sha256_of

SCALE = 4
SHAVE = 4
GROUPS = {"set5+set14": ("set5", "set14"), "science+astro": ("science", "astro")}
HEADLINE = {"set5+set14": "bicubic", "science+astro": "realistic"}
PROTOCOLS = ("bicubic", "realistic")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


# ----------------------------------------------------------------------------- metrics
def rgb_to_y(img: np.ndarray) -> np.ndarray:
    """Y of MATLAB rgb2ycbcr on 8-bit values (float, [16, 235]); 2-D input is treated as R=G=B."""
    x = img.astype(np.float64)
    if x.ndim == 2:
        return 16.0 + (65.481 + 128.553 + 24.966) * x / 255.0
    return 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0


def shave(img: np.ndarray, border: int = SHAVE) -> np.ndarray:
    return img[border:-border, border:-border] if border else img


def psnr(a: np.ndarray, b: np.ndarray, peak: float = 255.0) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(peak * peak / mse)


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    ax = np.arange(size) - size // 2
    g = np.exp(-(ax ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two 2-D arrays in [0,255] (Wang et al. 2004 / BasicSR calculate_ssim)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    g = _gaussian_window()
    r = len(g) // 2

    def filt(x):  # separable Gaussian, then keep the 'valid' part only
        y = ndimage.correlate1d(x, g, axis=0, mode="reflect")
        y = ndimage.correlate1d(y, g, axis=1, mode="reflect")
        return y[r:-r, r:-r]

    mu_a, mu_b = filt(a), filt(b)
    saa = filt(a * a) - mu_a ** 2
    sbb = filt(b * b) - mu_b ** 2
    sab = filt(a * b) - mu_a * mu_b
    m = ((2 * mu_a * mu_b + c1) * (2 * sab + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (saa + sbb + c2))
    return float(m.mean())


def psnr_y(out: np.ndarray, hr: np.ndarray, border: int = SHAVE) -> float:
    return psnr(shave(rgb_to_y(out), border), shave(rgb_to_y(hr), border))


def ssim_y(out: np.ndarray, hr: np.ndarray, border: int = SHAVE) -> float:
    return ssim(shave(rgb_to_y(out), border), shave(rgb_to_y(hr), border))


def colour_shift(out: np.ndarray, hr: np.ndarray, border: int = SHAVE) -> List[float]:
    d = shave(out.astype(np.float64), border) - shave(hr.astype(np.float64), border)
    if d.ndim == 2:
        return [float(d.mean())] * 3
    return [float(d[..., c].mean()) for c in range(3)]


# ----------------------------------------------------------------------------- MATLAB imresize
def _cubic(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    ax2, ax3 = ax ** 2, ax ** 3
    return ((1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1)
            + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))


def _resize_matrix(in_len: int, out_len: int, scale: float) -> np.ndarray:
    """[out_len, in_len] weights of MATLAB's bicubic imresize along one axis (antialiased when
    downscaling, symmetric boundary), as BasicSR's calculate_weights_indices."""
    kernel_width = 4.0
    antialias = scale < 1
    if antialias:
        kernel_width /= scale
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kernel_width / 2)
    p = int(math.ceil(kernel_width)) + 2
    idx = left[:, None] + np.arange(p)[None, :]  # 1-based
    dist = u[:, None] - idx
    w = scale * _cubic(dist * scale) if antialias else _cubic(dist)
    w = w / w.sum(1, keepdims=True)
    j = idx.astype(np.int64) - 1  # 0-based; mirror (MATLAB 'symmetric') outside [0, in_len)
    j = np.where(j < 0, -j - 1, j)
    j = np.where(j >= in_len, 2 * in_len - 1 - j, j)
    j = np.clip(j, 0, in_len - 1)
    m = np.zeros((out_len, in_len))
    np.add.at(m, (np.repeat(np.arange(out_len), p), j.ravel()), w.ravel())
    return m


def imresize(img: np.ndarray, scale: float) -> np.ndarray:
    """MATLAB imresize(img, scale, 'bicubic'). uint8 in -> rounded uint8 out; float in -> float out."""
    x = img.astype(np.float64)
    h, w = x.shape[:2]
    oh, ow = int(math.ceil(h * scale)), int(math.ceil(w * scale))
    mh, mw = _resize_matrix(h, oh, scale), _resize_matrix(w, ow, scale)
    if x.ndim == 2:
        y = mh @ x @ mw.T
    else:  # per channel through BLAS matmuls (einsum would not use BLAS here)
        y = np.stack([mh @ x[..., c] @ mw.T for c in range(x.shape[2])], axis=-1)
    if img.dtype == np.uint8:
        return np.clip(np.round(y), 0, 255).astype(np.uint8)
    return y


# ----------------------------------------------------------------------------- protocols
def mod_crop(img: np.ndarray, scale: int = SCALE) -> np.ndarray:
    h, w = img.shape[:2]
    return img[:h - h % scale, :w - w % scale]


def centre_crop(img: np.ndarray, max_side: Optional[int]) -> np.ndarray:
    if not max_side:
        return img
    h, w = img.shape[:2]
    th, tw = min(h, max_side), min(w, max_side)
    y, x = (h - th) // 2, (w - tw) // 2
    return img[y:y + th, x:x + tw]


def degrade_bicubic(hr: np.ndarray) -> np.ndarray:
    return imresize(hr, 1.0 / SCALE)


def image_seed(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def degrade_realistic(hr: np.ndarray, seed: int, blur_sigma: float = 1.2, noise_sigma: float = 5.0,
                      jpeg_quality: int = 75) -> np.ndarray:
    x = hr.astype(np.float64)
    sig = (blur_sigma, blur_sigma) if x.ndim == 2 else (blur_sigma, blur_sigma, 0)
    x = ndimage.gaussian_filter(x, sigma=sig, mode="reflect", truncate=4.0)
    x = imresize(x, 1.0 / SCALE)
    x = x + np.random.default_rng(seed).normal(0.0, noise_sigma, size=x.shape)
    lr = np.clip(np.round(x), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(lr).save(buf, format="JPEG", quality=jpeg_quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("L" if lr.ndim == 2 else "RGB"), dtype=np.uint8).copy()


# ----------------------------------------------------------------------------- methods
def upscale_bicubic(lr: np.ndarray) -> np.ndarray:
    return imresize(lr, float(SCALE))


def upscale_lanczos(lr: np.ndarray) -> np.ndarray:
    h, w = lr.shape[:2]
    return np.asarray(Image.fromarray(lr).resize((w * SCALE, h * SCALE), Image.LANCZOS), dtype=np.uint8)




# keyword -> prompt for science/ images under --prompt auto; first match wins
SCIENCE_KEYWORDS = (
    (("sem", "tem", "electron", "hyperspy"), "electron"),
    (("ihc", "histo", "_he_", "stain"), "histology"),
    (("hubble", "moon", "nebula", "galaxy", "stellarium", "astro"), "astro"),
    (("fluo", "gfp", "dapi", "confocal", "nuclei"), "fluorescence"),
    (("cell", "brightfield", "phase"), "brightfield"),
    (("camera", "retina", "photo"), "photo"),
)


REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def repo_relative(path: str) -> str:
    """A path as the committed result files name it: relative to the repository root, not this machine's."""
    return os.path.relpath(os.path.abspath(path), REPO_ROOT)


def auto_prompt(group: str, name: str, img: np.ndarray) -> str:
    """astro/ -> astro, set5/set14 -> photo; science/: keywords in the file name, else a guess from
    the pixels (greyscale with a dark background -> fluorescence, other greyscale -> generic,
    colour -> photo)."""
    if group == "astro":
        return "astro"
    if group in ("set5", "set14"):
        return "photo"
    low = name.lower()
    for keys, prompt in SCIENCE_KEYWORDS:
        if any(k in low for k in keys):
            return prompt
    if img.ndim == 2 or np.allclose(img[..., 0], img[..., 1]) and np.allclose(img[..., 1], img[..., 2]):
        return "fluorescence" if np.median(img) < 40 else "generic"
    return "photo"


class ModelRunner:
    """Runs an exported model folder per docs/model-format.md."""

    def __init__(self, folder: str, tile: int = 256, threads: Optional[int] = None):
        import torch  # imported here so that the baselines need no torch
        self.torch = torch
        if threads:
            torch.set_num_threads(threads)
        with open(os.path.join(folder, "model.json")) as f:
            self.desc = json.load(f)
        path = os.path.join(folder, self.desc["file"])
        digest = sha256_of(path)
        if digest != self.desc["sha256"]:
            raise ValueError(f"sha256 mismatch for {path}: {digest} != {self.desc['sha256']}")
        self.module = torch.jit.load(path, map_location="cpu").eval()
        self.scale = int(self.desc["scale"])
        if self.scale != SCALE:
            raise ValueError(f"evaluation is x{SCALE}; model is x{self.scale}")
        self.stride = int(self.desc["stride"])
        self.halo = int(self.desc.get("halo", 16))
        self.channels = int(self.desc.get("input_channels", 3))
        self.prompts = list(self.desc["prompts"])
        self.default_prompt = self.desc.get("default_prompt", self.prompts[0])
        self.tile = max(self.stride, tile - tile % self.stride)

    def _forward(self, x, prompt_id: int):
        torch = self.torch
        p = torch.full((x.shape[0],), float(prompt_id))
        return self.module(x, p)

    def _run_padded(self, x, prompt_id: int):
        """x [1,C,h,w] with h, w multiples of the stride; tiles of self.tile with 2*halo overlap."""
        _, _, h, w = x.shape
        t, s = self.tile, self.scale
        if h <= t and w <= t:
            return self._forward(x, prompt_id)
        out = x.new_zeros(1, x.shape[1], h * s, w * s)
        step = max(self.stride, (t - 2 * self.halo) // self.stride * self.stride)

        def starts(n):
            if n <= t:
                return [0]
            pos = list(range(0, n - t, step)) + [n - t]
            return sorted(set(pos))

        for y in starts(h):
            th = min(t, h)
            for x0 in starts(w):
                tw = min(t, w)
                res = self._forward(x[:, :, y:y + th, x0:x0 + tw], prompt_id)
                # keep the tile's centre: drop a halo on every side that has a neighbour
                y0 = 0 if y == 0 else self.halo
                y1 = th if y + th >= h else th - self.halo
                xa = 0 if x0 == 0 else self.halo
                xb = tw if x0 + tw >= w else tw - self.halo
                out[:, :, (y + y0) * s:(y + y1) * s, (x0 + xa) * s:(x0 + xb) * s] = \
                    res[:, :, y0 * s:y1 * s, xa * s:xb * s]
        return out

    def upscale(self, lr: np.ndarray, prompt: str) -> np.ndarray:
        torch = self.torch
        prompt_id = self.prompts.index(prompt)
        grey = lr.ndim == 2
        x = torch.from_numpy(lr.astype(np.float32) / 255.0)
        x = x[None, None] if grey else x.permute(2, 0, 1)[None]
        planes = x.shape[1]
        if self.channels == 3 and grey:
            x = x.expand(1, 3, -1, -1).contiguous()
        h, w = x.shape[-2:]
        ph, pw = (-h) % self.stride, (-w) % self.stride
        if ph or pw:
            mode = "reflect" if ph < h and pw < w else "replicate"
            x = torch.nn.functional.pad(x, (0, pw, 0, ph), mode=mode)
        with torch.no_grad():
            if self.channels == x.shape[1]:
                y = self._run_padded(x, prompt_id)
            else:  # a 1-channel model on colour input: channel by channel
                y = torch.cat([self._run_padded(x[:, c:c + 1], prompt_id) for c in range(x.shape[1])], 1)
        y = y[:, :, :h * self.scale, :w * self.scale]
        if planes == 1 and y.shape[1] != 1:
            y = y.mean(1, keepdim=True)
        arr = (y[0].clamp(0, 1) * 255.0).round().to(torch.uint8).permute(1, 2, 0).numpy()
        return arr[..., 0] if grey else arr


# ----------------------------------------------------------------------------- driver
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


def _mean(rows: Sequence[dict], key: str) -> float:
    vals = [r[key] for r in rows]
    return float(np.mean(vals)) if vals else float("nan")


def summarise(rows: List[dict]) -> Dict[str, dict]:
    """Means per (group or folder) x protocol x method."""
    sets = dict(GROUPS)
    for members in GROUPS.values():
        for g in members:
            sets[g] = (g,)
    means: Dict[str, dict] = {}
    for name, members in sets.items():
        for protocol in PROTOCOLS:
            for method in sorted({r["method"] for r in rows}):
                sel = [r for r in rows if r["group"] in members and r["protocol"] == protocol and r["method"] == method]
                if not sel:
                    continue
                shift = np.mean([r["colour_shift_rgb"] for r in sel], axis=0).tolist()
                means.setdefault(name, {}).setdefault(protocol, {})[method] = {
                    "images": len(sel),
                    "psnr_y": _mean(sel, "psnr_y"), "ssim_y": _mean(sel, "ssim_y"),
                    "colour_shift_rgb": shift,
                    "max_abs_colour_shift": float(max(max(abs(v) for v in r["colour_shift_rgb"]) for r in sel)),
                    "seconds_per_image": _mean(sel, "seconds"),
                }
    return means


def markdown(means: Dict[str, dict], methods: Sequence[str]) -> str:
    head = "| set | protocol | " + " | ".join(f"{m} PSNR-Y / SSIM-Y" for m in methods) + " |"
    lines = [head, "|" + "---|" * (2 + len(methods))]
    for name, per_protocol in means.items():
        for protocol, per_method in per_protocol.items():
            star = " **(headline)**" if HEADLINE.get(name) == protocol else ""
            cells = []
            for m in methods:
                v = per_method.get(m)
                cells.append(f"{v['psnr_y']:.2f} / {v['ssim_y']:.4f}" if v else "-")
            lines.append(f"| {name} | {protocol}{star} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def evaluate(val: str, methods: Sequence[str], model: Optional[str] = None, prompt: Optional[str] = None,
             max_side: Optional[int] = None, tile: int = 256, log=sys.stderr) -> dict:
    runner = ModelRunner(model, tile=tile) if "model" in methods else None
    images = list_images(val)
    if not images:
        raise FileNotFoundError(f"no validation images under {val}")
    rows = []
    for group, name, path in images:
        hr_full = centre_crop(load_image(path), max_side)
        hr = mod_crop(hr_full)
        chosen = None
        if runner is not None:
            chosen = auto_prompt(group, name, hr) if prompt == "auto" else (prompt or runner.default_prompt)
        for protocol in PROTOCOLS:
            lr = degrade_bicubic(hr) if protocol == "bicubic" else degrade_realistic(hr, image_seed(f"{group}/{name}"))
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
                       "size": [int(hr.shape[1]), int(hr.shape[0])],
                       "psnr_y": psnr_y(out, hr), "ssim_y": ssim_y(out, hr),
                       "colour_shift_rgb": colour_shift(out, hr), "seconds": seconds}
                if method == "model":
                    row["prompt"] = chosen
                rows.append(row)
                print(f"{group}/{name} {protocol:9s} {method:8s} PSNR-Y {row['psnr_y']:.2f} "
                      f"SSIM-Y {row['ssim_y']:.4f} {seconds:.2f}s", file=log)
    means = summarise(rows)
    headline = {}
    for name, protocol in HEADLINE.items():
        key = name.replace("+", "_") + "_" + protocol
        if name in means and protocol in means[name]:
            headline[key] = {m: {"psnr_y": v["psnr_y"], "ssim_y": v["ssim_y"]} for m, v in means[name][protocol].items()}
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
        },
        "metrics": "PSNR/SSIM on Y (BT.601, MATLAB rgb2ycbcr), 4-px border shaved, 8-bit output; "
                   "colour shift = mean(out - HR) per RGB channel in 8-bit levels",
        "headline": headline,
        "means": means,
        "images": rows,
    }
    if runner is not None:
        result["model"] = {k: runner.desc.get(k) for k in ("name", "version", "file", "sha256")}
        result["prompt"] = prompt or runner.default_prompt
    return result


def _json_safe(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None if math.isnan(o) else "inf"
    if isinstance(o, dict):
        return {k: _json_safe(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_json_safe(v) for v in o]
    return o


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--val", required=True, help="folder with set5/ set14/ science/ astro/")
    ap.add_argument("--model", help="model folder (model.json + TorchScript)")
    ap.add_argument("--methods", default=None, help="comma list of bicubic,lanczos,model")
    ap.add_argument("--out", help="JSON output path")
    ap.add_argument("--max-side", type=int, default=None, help="centre-crop HR sides above N pixels")
    ap.add_argument("--prompt", default=None, help="prompt name, or 'auto' (default: descriptor's default_prompt)")
    ap.add_argument("--tile", type=int, default=256, help="LR tile side for the model")
    args = ap.parse_args(argv)
    methods = args.methods.split(",") if args.methods else (
        ["bicubic", "lanczos", "model"] if args.model else ["bicubic", "lanczos"])
    if "model" in methods and not args.model:
        ap.error("--methods model needs --model")
    result = evaluate(args.val, methods, args.model, args.prompt, args.max_side, args.tile)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(_json_safe(result), f, indent=1)
            f.write("\n")
    print(markdown(result["means"], methods))
    return 0


if __name__ == "__main__":
    sys.exit(main())
