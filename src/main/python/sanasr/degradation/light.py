"""Photographic family, light model: the classic SR benchmark degradations.

A share ``light_p`` of the photographic samples gets this model instead of Real-ESRGAN's, whose heavy
ranges almost never produce these: optional Gaussian blur (p .5, sigma 0.2-1.5 HR px), antialiased bicubic /
area / bilinear downscaling by ``scale``, optional Gaussian noise (p .3, sigma 1-8 /255), optional JPEG
(p .3, quality 60-95), 8 bit. A third of them are plain bicubic x1/scale. Without this share a model learns
that sharpening never pays and stays at bicubic on clean or lightly degraded inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F

from .jpeg import jpeg
from .kernels import delta_kernels, filter2d, isotropic_gaussian_kernels
from .noise import add_gaussian_noise, is_grey, round_8bit
from .sampling import _bernoulli, _choice, _uniform


@dataclass
class LightSettings:
    """Probabilities and upper ends of the light family's blur (sigma, HR px), noise (/255) and JPEG."""
    blur_p: float = 0.5
    blur_max: float = 1.5
    noise_p: float = 0.3
    noise_max: float = 8.0
    jpeg_p: float = 0.3


def light_degrade(hr: torch.Tensor, scale: int, gen: torch.Generator, plain_p: float = 1.0 / 3.0,
                  s: Optional[LightSettings] = None) -> torch.Tensor:
    """Classic benchmark-style degradations (see the module docstring): [B,3,H,W] -> [B,3,H/s,W/s], 8 bit.
    A share ``plain_p`` is plain antialiased bicubic downscaling."""
    s = s or LightSettings()
    n, _, h, w = hr.shape
    dev = hr.device
    plain = _bernoulli(gen, n, plain_p, dev)
    blur = _bernoulli(gen, n, s.blur_p, dev) & ~plain
    sigma = _uniform(gen, n, 0.2, s.blur_max, dev)
    k = torch.where(blur.view(-1, 1, 1), isotropic_gaussian_kernels(sigma), delta_kernels(n, device=dev))
    out = filter2d(hr, k)
    size = (h // scale, w // scale)
    mode = _choice(gen, n, (0.6, 0.25, 0.15)).to(dev)   # antialiased bicubic, area, antialiased bilinear
    mode = torch.where(plain, torch.zeros_like(mode), mode)
    small = torch.empty(n, hr.shape[1], *size, device=dev, dtype=hr.dtype)
    for m, name in enumerate(("bicubic", "area", "bilinear")):
        idx = torch.nonzero(mode == m).flatten()
        if idx.numel():
            x = out[idx]
            small[idx] = (F.interpolate(x, size=size, mode="area") if name == "area" else
                          F.interpolate(x, size=size, mode=name, align_corners=False, antialias=True))
    noisy = _bernoulli(gen, n, s.noise_p, dev) & ~plain
    nsig = torch.where(noisy, _uniform(gen, n, 1.0, s.noise_max, dev) / 255.0, torch.zeros(n, device=dev))
    small = add_gaussian_noise(small, nsig, is_grey(hr), gen)
    use_jpeg = _bernoulli(gen, n, s.jpeg_p, dev) & ~plain
    quality = _uniform(gen, n, 60.0, 95.0, dev)
    if bool(use_jpeg.any()):
        small = torch.where(use_jpeg.view(-1, 1, 1, 1), jpeg(small.clamp(0, 1), quality), small)
    return round_8bit(small.clamp(0, 1))
