"""Training image pool: every image of the training folder decoded once, crops sampled on demand.

Augmentation per sample (all randomness from the generator passed to ``sample``):
- detail-seeking crop: ``detail_tries`` random windows are drawn and the one with the largest mean absolute
  luma gradient is kept, except with probability ``flat_keep_p`` (then the first, so flat regions stay in
  the mix). The pool is mostly wallpapers with large smooth areas: on plain random crops bicubic x4 often
  scores above 40 dB, the residual to learn is a few 1/1000s and a model trained for minutes stays at
  bicubic (measured while diagnosing the v0.1 CPU model);
- random crop; with probability ``zoom_p`` the crop first covers a larger window (up to
  ``max_zoom`` x crop, limited by the image) that is area-downscaled to ``crop``: the pool's
  wallpapers are up to 2048 px and very smooth at full resolution, zooming out gives denser detail;
- horizontal flip (p .5) and a 90-degree rotation k in {0,1,2,3} (together: all 8 dihedral views);
- greyscale conversion (BT.601 luma, replicated to 3 channels) with probability ``grey_p``;
- intensity gamma x^g, g log-uniform in ``gamma_range``, with probability ``gamma_p``.

Source tag: 'astro' for stellarium-data__* files (nebula photographs), else 'photo'.
"""
from __future__ import annotations

import math
import os
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")


def source_tag(filename: str) -> str:
    return "astro" if os.path.basename(filename).startswith("stellarium-data__") else "photo"


class TrainPool:
    def __init__(self, root: str, crop: int = 256, grey_p: float = 0.15, gamma_p: float = 0.5,
                 gamma_range: Tuple[float, float] = (0.7, 1.4), zoom_p: float = 0.5, max_zoom: float = 2.0,
                 detail_tries: int = 4, flat_keep_p: float = 0.2):
        self.crop = crop
        self.detail_tries, self.flat_keep_p = max(1, detail_tries), flat_keep_p
        self.grey_p, self.gamma_p, self.gamma_range = grey_p, gamma_p, gamma_range
        self.zoom_p, self.max_zoom = zoom_p, max_zoom
        files = sorted(f for f in os.listdir(root) if f.lower().endswith(IMAGE_EXTENSIONS))
        if not files:
            raise FileNotFoundError(f"no images in {root}")
        self.names: List[str] = files
        self.tags: List[str] = [source_tag(f) for f in files]
        self.images: List[torch.Tensor] = []  # uint8 [3,H,W]
        for f in files:
            with Image.open(os.path.join(root, f)) as im:
                arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
            t = torch.from_numpy(arr.copy()).permute(2, 0, 1).contiguous()
            if min(t.shape[1:]) < crop:  # too small for a crop: enlarge once (rare; none in the pool)
                s = crop / min(t.shape[1:])
                size = (math.ceil(t.shape[1] * s), math.ceil(t.shape[2] * s))
                t = F.interpolate(t[None].float(), size=size, mode="bicubic", align_corners=False)[0]
                t = t.round().clamp(0, 255).to(torch.uint8)
            self.images.append(t)

    def __len__(self) -> int:
        return len(self.images)

    def _rand(self, gen: torch.Generator) -> float:
        return float(torch.rand(1, generator=gen).item())

    def _window(self, gen: torch.Generator) -> Tuple[int, int, int, int]:
        """(image index, window side, y, x) of one random crop window."""
        i = int(torch.randint(len(self.images), (1,), generator=gen).item())
        _, h, w = self.images[i].shape
        c = self.crop
        window = c
        if self._rand(gen) < self.zoom_p:
            limit = min(self.max_zoom, min(h, w) / c)
            if limit > 1:
                window = int(round(c * (1 + self._rand(gen) * (limit - 1))))
        y = int(torch.randint(h - window + 1, (1,), generator=gen).item())
        x = int(torch.randint(w - window + 1, (1,), generator=gen).item())
        return i, window, y, x

    def _detail(self, i: int, window: int, y: int, x: int) -> float:
        """Mean absolute luma gradient of a window (8-bit units), on every other pixel for speed."""
        p = self.images[i][:, y:y + window:2, x:x + window:2].float()
        luma = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
        return float((luma[1:] - luma[:-1]).abs().mean() + (luma[:, 1:] - luma[:, :-1]).abs().mean())

    def _one(self, gen: torch.Generator) -> Tuple[torch.Tensor, str]:
        candidates = [self._window(gen) for _ in range(self.detail_tries)]
        keep_first = self._rand(gen) < self.flat_keep_p
        i, window, y, x = candidates[0] if keep_first else max(candidates, key=lambda cw: self._detail(*cw))
        img = self.images[i]
        c = self.crop
        patch = img[:, y:y + window, x:x + window].float() / 255.0
        if window != c:
            patch = F.interpolate(patch[None], size=(c, c), mode="area")[0]
        if self._rand(gen) < 0.5:
            patch = torch.flip(patch, dims=(2,))
        k = int(torch.randint(4, (1,), generator=gen).item())
        if k:
            patch = torch.rot90(patch, k, dims=(1, 2))
        if self._rand(gen) < self.grey_p:
            grey = 0.299 * patch[0] + 0.587 * patch[1] + 0.114 * patch[2]
            patch = grey.expand(3, -1, -1)
        if self._rand(gen) < self.gamma_p:
            lo, hi = math.log(self.gamma_range[0]), math.log(self.gamma_range[1])
            patch = patch.clamp(0, 1).pow(math.exp(lo + self._rand(gen) * (hi - lo)))
        return patch.contiguous(), self.tags[i]

    def sample(self, n: int, gen: torch.Generator) -> Tuple[torch.Tensor, List[str]]:
        """n augmented crops [n,3,crop,crop] float32 in [0,1] and their source tags."""
        patches, tags = zip(*(self._one(gen) for _ in range(n)))
        return torch.stack(patches).float(), list(tags)
