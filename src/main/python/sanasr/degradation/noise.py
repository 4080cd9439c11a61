"""Noise and quantisation: Gaussian, Poisson (BasicSR's photographic model), Poisson-Gaussian detector
noise, bit-depth quantisation; greyscale helpers."""
from __future__ import annotations

from typing import Tuple

import torch

from .sampling import _poisson, _randn_like


def rgb_to_grey(x: torch.Tensor) -> torch.Tensor:
    """ITU-R BT.601 luma, [B,3,H,W] -> [B,1,H,W]."""
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


def is_grey(x: torch.Tensor, tol: float = 1e-6) -> torch.Tensor:
    """[B] bool: all channels equal."""
    return ((x - x[:, :1]).abs().amax(dim=(1, 2, 3)) <= tol)


def _split(mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    return torch.nonzero(mask).flatten(), torch.nonzero(~mask).flatten()


def add_gaussian_noise(x: torch.Tensor, sigma: torch.Tensor, grey: torch.Tensor, gen: torch.Generator,
                       clip: bool = True) -> torch.Tensor:
    """x + N(0, sigma^2) per sample (sigma in [0,1] units); grey[i] -> same noise in every channel."""
    noise = torch.empty_like(x)
    gi, ci = _split(grey)
    if ci.numel():
        noise[ci] = _randn_like(x[ci], gen)
    if gi.numel():
        noise[gi] = _randn_like(x[gi], gen, channels=1).expand(-1, x.shape[1], -1, -1)
    out = x + noise * sigma.view(-1, 1, 1, 1)
    return out.clamp(0, 1) if clip else out


def add_poisson_noise(x: torch.Tensor, scale: torch.Tensor, grey: torch.Tensor, gen: torch.Generator,
                      clip: bool = True) -> torch.Tensor:
    """BasicSR's generate_poisson_noise_pt: the number of distinct 8-bit values sets the photon
    scale (2^ceil(log2(n_unique))); the noise is then multiplied by ``scale``."""
    b = x.shape[0]
    img = torch.clamp((x * 255.0).round(), 0, 255) / 255.0
    levels = (img * 255).round().long().view(b, -1)
    offsets = torch.arange(b, device=x.device).view(-1, 1) * 256
    hist = torch.bincount((levels + offsets).flatten(), minlength=256 * b).view(b, 256)
    n_unique = (hist > 0).sum(1).clamp_min(2).to(torch.float64)
    vals = torch.pow(2.0, torch.ceil(torch.log2(n_unique))).to(x.dtype).view(-1, 1, 1, 1)
    noise = torch.empty_like(x)
    gi, ci = _split(grey)
    if ci.numel():
        noise[ci] = _poisson(img[ci] * vals[ci], gen) / vals[ci] - img[ci]
    if gi.numel():
        g = rgb_to_grey(img[gi])
        noise[gi] = (_poisson(g * vals[gi], gen) / vals[gi] - g).expand(-1, x.shape[1], -1, -1)
    out = x + noise * scale.view(-1, 1, 1, 1)
    return out.clamp(0, 1) if clip else out


def add_poisson_gaussian_noise(x: torch.Tensor, peak: torch.Tensor, read: torch.Tensor, grey: torch.Tensor,
                               gen: torch.Generator) -> torch.Tensor:
    """Detector noise: (Poisson(peak * x) + N(0, read^2)) / peak, peak photons at x = 1."""
    pk = peak.view(-1, 1, 1, 1)
    rd = read.view(-1, 1, 1, 1)
    rate = x.clamp_min(0) * pk
    counts = torch.empty_like(x)
    gi, ci = _split(grey)
    if ci.numel():
        counts[ci] = _poisson(rate[ci], gen) + _randn_like(x[ci], gen) * rd[ci]
    if gi.numel():
        # a greyscale sample has equal channels: one noisy plane, replicated
        mono = _poisson(rate[gi, :1], gen) + _randn_like(x[gi], gen, channels=1) * rd[gi]
        counts[gi] = mono.expand(-1, x.shape[1], -1, -1)
    return counts / pk


def quantise(x: torch.Tensor, bits: torch.Tensor) -> torch.Tensor:
    """Round to 2^bits - 1 levels over [0,1] per sample; 8-bit samples are also clipped."""
    levels = (torch.pow(2.0, bits.to(x.dtype)) - 1).view(-1, 1, 1, 1)
    q = torch.round(x * levels) / levels
    return torch.where((bits <= 8).view(-1, 1, 1, 1), q.clamp(0, 1), q)


def round_8bit(x: torch.Tensor) -> torch.Tensor:
    return torch.clamp((x * 255.0).round(), 0, 255) / 255.0
