"""The upscaling methods under evaluation: ``bicubic`` (MATLAB imresize x4), ``lanczos`` (PIL LANCZOS x4),
``model`` (an exported model folder, docs/model-format.md), and the choice of prompt under ``--prompt auto``."""
from __future__ import annotations

import json
import os
from typing import Optional

import numpy as np
from PIL import Image

from ..files import sha256_of
from .imresize import imresize
from .protocols import SCALE


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
