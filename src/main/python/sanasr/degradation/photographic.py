"""Photographic family, heavy model: Real-ESRGAN's second-order degradation with its default ranges
(``options/train_realesrnet_x4plus.yml``; BasicSR ``degradations.py``/``diffjpeg.py``).

Stage 1 blur (iso/aniso/generalised/plateau Gaussian or sinc, size 7..21), resize up/down/keep, Gaussian or
Poisson noise (grey noise p .4), JPEG 30-95; stage 2 blur (p .8), resize, noise; then 50/50 [resize to
H/scale + final sinc -> JPEG] or [JPEG -> resize + sinc]; round to 8 bit. As in Real-ESRGAN the resize factor
and mode are drawn once per batch (all samples of the family share the intermediate size); kernels, noise and
JPEG quality are drawn per sample. Label: 'photo', or 'astro' for astro sources.

Differences to Real-ESRGAN: the Gaussian/Poisson choice is per sample instead of per batch, the target is
not unsharp-masked (``gt_usm``), and a greyscale HR always gets grey noise (so greyscale inputs stay
greyscale).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

import torch

from .jpeg import jpeg
from .kernels import (RESIZE_MODES, KernelRanges, delta_kernels, filter2d, random_blur_kernels,
                      random_final_sinc_kernels, resize)
from .noise import _split, add_gaussian_noise, add_poisson_noise, is_grey, round_8bit
from .sampling import _bernoulli, _scalar_choice, _uniform


@dataclass
class RealEsrganSettings:
    """Real-ESRGAN x4plus defaults."""
    kernel1: KernelRanges = field(default_factory=KernelRanges)
    kernel2: KernelRanges = field(default_factory=lambda: KernelRanges(sigma=(0.2, 1.5)))
    final_sinc_p: float = 0.8
    resize_prob: Tuple[float, float, float] = (0.2, 0.7, 0.1)
    resize_range: Tuple[float, float] = (0.15, 1.5)
    gaussian_noise_prob: float = 0.5
    noise_range: Tuple[float, float] = (1.0, 30.0)
    poisson_scale_range: Tuple[float, float] = (0.05, 3.0)
    gray_noise_prob: float = 0.4
    jpeg_range: Tuple[float, float] = (30.0, 95.0)
    second_blur_prob: float = 0.8
    resize_prob2: Tuple[float, float, float] = (0.3, 0.4, 0.3)
    resize_range2: Tuple[float, float] = (0.3, 1.2)
    gaussian_noise_prob2: float = 0.5
    noise_range2: Tuple[float, float] = (1.0, 25.0)
    poisson_scale_range2: Tuple[float, float] = (0.05, 2.5)
    gray_noise_prob2: float = 0.4
    jpeg_range2: Tuple[float, float] = (30.0, 95.0)


def _random_noise(x, gen, s: RealEsrganSettings, second: bool, force_grey: torch.Tensor) -> torch.Tensor:
    n, dev = x.shape[0], x.device
    gp = s.gaussian_noise_prob2 if second else s.gaussian_noise_prob
    sig_rng = s.noise_range2 if second else s.noise_range
    poi_rng = s.poisson_scale_range2 if second else s.poisson_scale_range
    grey_p = s.gray_noise_prob2 if second else s.gray_noise_prob
    use_gauss = _bernoulli(gen, n, gp, dev)
    grey = _bernoulli(gen, n, grey_p, dev) | force_grey
    sigma = _uniform(gen, n, *sig_rng, dev) / 255.0
    scale = _uniform(gen, n, *poi_rng, dev)
    out = torch.empty_like(x)
    gi, pi = _split(use_gauss)
    if gi.numel():
        out[gi] = add_gaussian_noise(x[gi], sigma[gi], grey[gi], gen)
    if pi.numel():
        out[pi] = add_poisson_noise(x[pi], scale[pi], grey[pi], gen)
    return out


def _random_resize(x, gen, probs, rng, base_hw) -> torch.Tensor:
    kind = _scalar_choice(gen, probs)  # up, down, keep
    u = float(torch.rand(1, generator=gen, device=gen.device).item())
    if kind == 0:
        s = 1 + u * (rng[1] - 1)
    elif kind == 1:
        s = rng[0] + u * (1 - rng[0])
    else:
        s = 1.0
    mode = RESIZE_MODES[_scalar_choice(gen, (1, 1, 1))]
    return resize(x, (int(base_hw[0] * s), int(base_hw[1] * s)), mode)


def realesrgan_degrade(hr: torch.Tensor, scale: int, gen: torch.Generator,
                       s: Optional[RealEsrganSettings] = None) -> torch.Tensor:
    """Real-ESRGAN's second-order degradation: [B,3,H,W] -> [B,3,H/scale,W/scale] on the 8-bit grid."""
    s = s or RealEsrganSettings()
    n, _, h, w = hr.shape
    dev = hr.device
    grey_in = is_grey(hr)
    k1 = random_blur_kernels(gen, n, s.kernel1, dev)
    k2 = random_blur_kernels(gen, n, s.kernel2, dev)
    k2 = torch.where(_bernoulli(gen, n, s.second_blur_prob, dev).view(-1, 1, 1), k2, delta_kernels(n, device=dev))
    sinc = random_final_sinc_kernels(gen, n, dev, s.final_sinc_p)
    # stage 1
    out = filter2d(hr, k1)
    out = _random_resize(out, gen, s.resize_prob, s.resize_range, (h, w))
    out = _random_noise(out, gen, s, False, grey_in)
    out = jpeg(out.clamp(0, 1), _uniform(gen, n, *s.jpeg_range, dev))
    # stage 2
    out = filter2d(out, k2)
    out = _random_resize(out, gen, s.resize_prob2, s.resize_range2, (h / scale, w / scale))
    out = _random_noise(out, gen, s, True, grey_in)
    q2 = _uniform(gen, n, *s.jpeg_range2, dev)
    mode = RESIZE_MODES[_scalar_choice(gen, (1, 1, 1))]
    if _scalar_choice(gen, (0.5, 0.5)) == 0:
        out = filter2d(resize(out, (h // scale, w // scale), mode), sinc)
        out = jpeg(out.clamp(0, 1), q2)
    else:
        out = jpeg(out.clamp(0, 1), q2)
        out = filter2d(resize(out, (h // scale, w // scale), mode), sinc)
    return round_8bit(out)
