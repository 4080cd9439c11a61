"""Real microscopy for training (``../shared/data/train-micro``): crops normalised as the plugin normalises,
and ``binning`` pairs (issue 18).

The plugin (Java ``Normalizer``) maps each input plane's 0.1 / 99.9 percentiles to 0 and 1 without clipping and
runs the model on that. Training sees the same: each image's percentiles are taken on its x4 binned copy (what the
plugin gets as input) and applied to the HR image and its LR alike, so targets may leave [0, 1] as they do in use.

``binning`` is the degradation of a camera with 4x4 larger pixels: the LR pixel is the mean of its 16 HR pixels.
With ``noise_p`` a sample also gets Poisson-Gaussian detector noise (``peak`` photons at intensity 1, Gaussian
read noise ``read`` in photons), the noise of a real binned acquisition at lower exposure.
"""
from __future__ import annotations

import math
import os
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .degrade import add_poisson_gaussian_noise

MICRO_EXTENSIONS = (".png", ".tif", ".tiff")
PERCENTILES = (0.1, 99.9)     # the plugin's defaults (RestoreOptions)


def load_plane(path: str) -> np.ndarray:
    """A greyscale image as float32 in its own units (8- and 16-bit alike)."""
    with Image.open(path) as im:
        arr = np.asarray(im)
    if arr.ndim == 3:
        arr = arr[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return arr.astype(np.float32)


def normalise_like_plugin(plane: np.ndarray, scale: int) -> np.ndarray:
    """The plane mapped so that the percentiles of its x scale binned copy become 0 and 1."""
    h, w = (plane.shape[0] // scale) * scale, (plane.shape[1] // scale) * scale
    binned = plane[:h, :w].reshape(h // scale, scale, w // scale, scale).mean(axis=(1, 3))
    lo, hi = np.percentile(binned, PERCENTILES)
    rng = hi - lo if hi > lo else 1.0
    return (plane - lo) / rng


class MicroPool:
    """Normalised microscopy planes, sampled as detail-seeking crops with the 8 dihedral views."""

    def __init__(self, root: str, crop: int, scale: int = 4, detail_tries: int = 4, flat_keep_p: float = 0.2):
        files = sorted(f for f in os.listdir(root) if f.lower().endswith(MICRO_EXTENSIONS))
        if not files:
            raise FileNotFoundError(f"no microscopy images in {root}")
        self.crop, self.detail_tries, self.flat_keep_p = crop, detail_tries, flat_keep_p
        self.names: List[str] = files
        self.planes: List[torch.Tensor] = [torch.from_numpy(normalise_like_plugin(load_plane(os.path.join(root, f)),
                                                                                  scale).copy()) for f in files]
        if min(min(p.shape) for p in self.planes) < crop:
            raise ValueError(f"a microscopy image is smaller than the crop {crop}")

    def _window(self, gen: torch.Generator) -> Tuple[int, int, int]:
        i = int(torch.randint(len(self.planes), (1,), generator=gen).item())
        h, w = self.planes[i].shape
        y = int(torch.randint(h - self.crop + 1, (1,), generator=gen).item())
        x = int(torch.randint(w - self.crop + 1, (1,), generator=gen).item())
        return i, y, x

    def _detail(self, i: int, y: int, x: int) -> float:
        p = self.planes[i][y:y + self.crop:2, x:x + self.crop:2]
        return float((p[1:] - p[:-1]).abs().mean() + (p[:, 1:] - p[:, :-1]).abs().mean())

    def _one(self, gen: torch.Generator) -> torch.Tensor:
        windows = [self._window(gen) for _ in range(self.detail_tries)]
        keep_first = float(torch.rand(1, generator=gen).item()) < self.flat_keep_p
        i, y, x = windows[0] if keep_first else max(windows, key=lambda w: self._detail(*w))
        patch = self.planes[i][y:y + self.crop, x:x + self.crop]
        if float(torch.rand(1, generator=gen).item()) < 0.5:
            patch = torch.flip(patch, dims=(1,))
        k = int(torch.randint(4, (1,), generator=gen).item())
        return torch.rot90(patch, k, dims=(0, 1)).contiguous()

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """[n, 3, crop, crop] float32: the grey plane in all three channels, as the plugin feeds it."""
        return torch.stack([self._one(gen) for _ in range(n)])[:, None].expand(-1, 3, -1, -1).contiguous()


def binning_pairs(hr: torch.Tensor, scale: int, gen: torch.Generator, noise_p: float = 0.5,
                  peak: Tuple[float, float] = (20.0, 2000.0), read: Tuple[float, float] = (0.5, 4.0)
                  ) -> torch.Tensor:
    """HR [n,3,H,W] (grey in 3 channels) -> LR [n,3,H/scale,W/scale]: block means, then noise on a share."""
    lr = F.avg_pool2d(hr, scale)
    n = hr.shape[0]
    noisy = torch.rand(n, generator=gen) < noise_p
    if bool(noisy.any()):
        idx = torch.nonzero(noisy).flatten()
        u = torch.rand(2, idx.numel(), generator=gen)
        pk = torch.exp(math.log(peak[0]) + u[0] * (math.log(peak[1]) - math.log(peak[0])))
        rd = read[0] + u[1] * (read[1] - read[0])
        grey = torch.ones(idx.numel(), dtype=torch.bool)
        # the noise model needs non-negative rates: shift each sample's floor to 0 and back
        x = lr[idx]
        floor = x.amin(dim=(1, 2, 3), keepdim=True).clamp_max(0)
        lr[idx] = add_poisson_gaussian_noise(x - floor, pk, rd, grey, gen) + floor
    return lr
