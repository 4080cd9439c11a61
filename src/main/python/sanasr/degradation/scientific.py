"""Scientific family: a camera/detector model.

PSF-like isotropic Gaussian blur (sigma in HR pixels), pixel binning (area) or bicubic downsampling by
``scale``, Poisson-Gaussian noise at a sampled photon level (``counts = Poisson(peak * x) + N(0, read^2)``,
then divided by ``peak`` again, so the intensity scale of the target is kept), quantisation to 8/12/16 bit
and optionally greyscale-only. 8-bit data is clipped to [0, 1]; 12/16-bit data is not clipped (a camera
offset keeps the noise floor, and the plugin's percentile normalisation yields values slightly outside
[0, 1] too). The sub-type decides the ranges and the label:

=============  =========  ==================  ===============  ========  =====  ==========
label          grey p     PSF sigma (HR px)   peak photons     read e-   bits   extra
=============  =========  ==================  ===============  ========  =====  ==========
fluorescence   0.7        1.0 - 3.0           5 - 500 (log)    0.5 - 3   12/16
brightfield    0.3        0.6 - 2.5           300 - 10000      1 - 10    8/12
histology      0.0        0.5 - 2.0           1000 - 20000     1 - 10    8      JPEG 70-95 p .5
electron       1.0        0.5 - 2.0           10 - 300         0.5 - 5   8/16
generic        0.5        0.0 - 3.0           3 - 10000        0 - 10    8/12/16
astro          0.3        0.8 - 3.0           20 - 5000        1 - 10    16     (astro sources only)
=============  =========  ==================  ===============  ========  =====  ==========

Astro sources in the scientific family get the 'astro' sub-type (a CCD with seeing); other sources draw one
of the first five with probabilities ``DegradationConfig.scientific_mix``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

import torch

from .jpeg import jpeg
from .kernels import filter2d, isotropic_gaussian_kernels, resize
from .noise import add_poisson_gaussian_noise, quantise, rgb_to_grey


@dataclass
class ScientificType:
    label: str
    grey_p: float
    psf_sigma: Tuple[float, float]
    peak: Tuple[float, float]
    read: Tuple[float, float]
    bits: Tuple[int, ...]
    area_p: float = 0.7  # else bicubic downsampling
    jpeg_p: float = 0.0
    jpeg_range: Tuple[float, float] = (70.0, 95.0)


SCIENTIFIC_TYPES = {
    "fluorescence": ScientificType("fluorescence", 0.7, (1.0, 3.0), (5, 500), (0.5, 3), (12, 16), area_p=0.9),
    "brightfield": ScientificType("brightfield", 0.3, (0.6, 2.5), (300, 10000), (1, 10), (8, 12)),
    "histology": ScientificType("histology", 0.0, (0.5, 2.0), (1000, 20000), (1, 10), (8,), area_p=0.5, jpeg_p=0.5),
    "electron": ScientificType("electron", 1.0, (0.5, 2.0), (10, 300), (0.5, 5), (8, 16)),
    "generic": ScientificType("generic", 0.5, (0.0, 3.0), (3, 10000), (0, 10), (8, 12, 16), area_p=0.5),
    "astro": ScientificType("astro", 0.3, (0.8, 3.0), (20, 5000), (1, 10), (16,), area_p=0.9),
}


def scientific_degrade(hr: torch.Tensor, kinds: List[str], scale: int, gen: torch.Generator
                       ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Detector-style degradation; returns (lr, target). kinds: one SCIENTIFIC_TYPES key per sample."""
    n, _, h, w = hr.shape
    dev = hr.device
    types = [SCIENTIFIC_TYPES[k] for k in kinds]

    def per_sample(lo_hi, log=False):
        u = torch.rand(n, generator=gen, device=gen.device).to(dev)
        lo = torch.tensor([t_lo for t_lo, _ in lo_hi], device=dev)
        hi = torch.tensor([t_hi for _, t_hi in lo_hi], device=dev)
        if log:
            return torch.exp(torch.log(lo) + u * (torch.log(hi) - torch.log(lo)))
        return lo + u * (hi - lo)

    def per_sample_p(ps):
        return torch.rand(n, generator=gen, device=gen.device).to(dev) < torch.tensor(ps, device=dev)

    grey = per_sample_p([t.grey_p for t in types])
    sigma = per_sample([t.psf_sigma for t in types])
    peak = per_sample([t.peak for t in types], log=True)
    read = per_sample([t.read for t in types])
    area = per_sample_p([t.area_p for t in types])
    use_jpeg = per_sample_p([t.jpeg_p for t in types])
    quality = per_sample([t.jpeg_range for t in types])
    bit_idx = torch.rand(n, generator=gen, device=gen.device)
    bits = torch.tensor([float(t.bits[min(int(u * len(t.bits)), len(t.bits) - 1)])
                         for t, u in zip(types, bit_idx.tolist())], device=dev)

    target = torch.where(grey.view(-1, 1, 1, 1), rgb_to_grey(hr).expand_as(hr), hr)
    out = filter2d(target, isotropic_gaussian_kernels(sigma))     # the PSF
    size = (h // scale, w // scale)
    out = torch.where(area.view(-1, 1, 1, 1), resize(out, size, "area"), resize(out, size, "bicubic"))
    out = add_poisson_gaussian_noise(out, peak, read, grey, gen)
    out = quantise(out, bits)
    if bool(use_jpeg.any()):
        out = torch.where(use_jpeg.view(-1, 1, 1, 1), jpeg(out.clamp(0, 1), quality), out)
    return out, target
