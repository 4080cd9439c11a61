"""Blur kernels (BasicSR's Gaussian family, circular sinc, delta), per-sample convolution and resizing."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Tuple

import torch
import torch.nn.functional as F

from .sampling import _bernoulli, _choice, _uniform

KERNEL_SIZE = 21  # every kernel is padded to this size (Real-ESRGAN's blur_kernel_size)


def _kernel_grid(size: int, device, dtype=torch.float32) -> Tuple[torch.Tensor, torch.Tensor]:
    ax = torch.arange(size, device=device, dtype=dtype) - size // 2
    yy, xx = torch.meshgrid(ax, ax, indexing="ij")
    return xx, yy


def _support_mask(ksize: torch.Tensor, size: int) -> torch.Tensor:
    """[B,size,size] mask of the centred ksize x ksize square (= padding a ksize kernel to size)."""
    xx, yy = _kernel_grid(size, ksize.device)
    r = (ksize // 2).view(-1, 1, 1).to(xx.dtype)
    return ((xx.abs() <= r) & (yy.abs() <= r)).to(xx.dtype)


def gaussian_family_kernels(kind: torch.Tensor, sigma_x: torch.Tensor, sigma_y: torch.Tensor,
                            theta: torch.Tensor, beta: torch.Tensor, ksize: torch.Tensor,
                            size: int = KERNEL_SIZE) -> torch.Tensor:
    """Batched bivariate kernels as in BasicSR.

    kind: 0 Gaussian exp(-q/2), 1 generalised exp(-q^beta/2), 2 plateau 1/(1+q^beta), with
    q = x^T Sigma^-1 x, Sigma = R diag(sx^2, sy^2) R^T. Returns [B,size,size], each summing to 1,
    zero outside its ksize x ksize support.
    """
    device = sigma_x.device
    xx, yy = _kernel_grid(size, device)
    c, s = torch.cos(theta), torch.sin(theta)
    vx, vy = sigma_x ** 2, sigma_y ** 2
    # Sigma = R D R^T; its inverse = R D^-1 R^T
    a = c * c / vx + s * s / vy
    b = c * s * (1 / vx - 1 / vy)
    d = s * s / vx + c * c / vy
    q = (a.view(-1, 1, 1) * xx * xx + 2 * b.view(-1, 1, 1) * xx * yy + d.view(-1, 1, 1) * yy * yy)
    q = q.clamp_min(0)
    beta = beta.view(-1, 1, 1)
    kind = kind.view(-1, 1, 1)
    gauss = torch.exp(-0.5 * q)
    generalised = torch.exp(-0.5 * q.pow(beta))
    plateau = 1.0 / (q.pow(beta) + 1.0)
    k = torch.where(kind == 0, gauss, torch.where(kind == 1, generalised, plateau))
    k = k * _support_mask(ksize, size)
    return k / k.sum(dim=(1, 2), keepdim=True)


def bessel_j1(x: torch.Tensor, points: int = 128) -> torch.Tensor:
    """J1(x) = 1/(2 pi) * integral_0^{2 pi} cos(t - x sin t) dt by the trapezoid rule.

    The integrand is periodic, so the rule converges exponentially; 128 points are exact to
    ~1e-7 for |x| < 60 (sinc kernels need |x| <= pi * 10 * sqrt(2)). Used instead of
    torch.special.bessel_j1, which torch 1.13 lacks.
    """
    t = torch.arange(points, device=x.device, dtype=torch.float64) * (2 * math.pi / points)
    xv = x.to(torch.float64).unsqueeze(-1)
    return torch.cos(t - xv * torch.sin(t)).mean(-1).to(x.dtype)


def sinc_kernels(omega: torch.Tensor, ksize: torch.Tensor, size: int = KERNEL_SIZE) -> torch.Tensor:
    """Batched circular low-pass (2-D sinc) kernels, BasicSR's circular_lowpass_kernel padded to size."""
    xx, yy = _kernel_grid(size, omega.device)
    r = torch.sqrt(xx * xx + yy * yy)
    # the grid has few distinct radii: evaluate J1 there only, then scatter back
    r_unique, inverse = torch.unique(r, return_inverse=True)
    w = omega.view(-1, 1)
    r_safe = torch.where(r_unique > 0, r_unique, torch.ones_like(r_unique))
    k_unique = w * bessel_j1(w * r_safe) / (2 * math.pi * r_safe)
    k_unique = torch.where(r_unique > 0, k_unique, (w ** 2 / (4 * math.pi)).expand_as(k_unique))
    k = k_unique[:, inverse.view(-1)].view(-1, size, size)
    k = k * _support_mask(ksize, size)
    return k / k.sum(dim=(1, 2), keepdim=True)


def delta_kernels(n: int, size: int = KERNEL_SIZE, device=None) -> torch.Tensor:
    k = torch.zeros(n, size, size, device=device)
    k[:, size // 2, size // 2] = 1.0
    return k


@dataclass
class KernelRanges:
    probs: Tuple[float, ...] = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)  # iso aniso gen-iso gen-aniso plat-iso plat-aniso
    sigma: Tuple[float, float] = (0.2, 3.0)
    beta_gen: Tuple[float, float] = (0.5, 4.0)
    beta_plateau: Tuple[float, float] = (1.0, 2.0)
    sinc_p: float = 0.1


def _sample_beta(gen, n, rng: Tuple[float, float], device) -> torch.Tensor:
    # BasicSR: beta ~ U(lo, 1) or U(1, hi) with equal probability
    low = _uniform(gen, n, rng[0], 1.0, device)
    high = _uniform(gen, n, 1.0, rng[1], device)
    return torch.where(_bernoulli(gen, n, 0.5, device), low, high)


def _sample_ksize(gen, n, device) -> torch.Tensor:
    return (torch.randint(0, 8, (n,), generator=gen, device=gen.device) * 2 + 7).to(device)  # 7..21 odd


def random_blur_kernels(gen: torch.Generator, n: int, ranges: KernelRanges, device) -> torch.Tensor:
    """Real-ESRGAN's random_mixed_kernels (or sinc with p=sinc_p) for n samples: [n,21,21]."""
    ksize = _sample_ksize(gen, n, device)
    kind_idx = _choice(gen, n, ranges.probs).to(device)
    iso = (kind_idx % 2) == 0
    family = kind_idx // 2  # 0 gauss, 1 generalised, 2 plateau
    sx = _uniform(gen, n, *ranges.sigma, device)
    sy = torch.where(iso, sx, _uniform(gen, n, *ranges.sigma, device))
    theta = torch.where(iso, torch.zeros_like(sx), _uniform(gen, n, -math.pi, math.pi, device))
    beta = torch.where(family == 1, _sample_beta(gen, n, ranges.beta_gen, device),
                       _sample_beta(gen, n, ranges.beta_plateau, device))
    k = gaussian_family_kernels(family, sx, sy, theta, beta, ksize)
    use_sinc = _bernoulli(gen, n, ranges.sinc_p, device)
    small = ksize < 13
    omega = torch.where(small, _uniform(gen, n, math.pi / 3, math.pi, device),
                        _uniform(gen, n, math.pi / 5, math.pi, device))
    if not bool(use_sinc.any()):
        return k
    return torch.where(use_sinc.view(-1, 1, 1), sinc_kernels(omega, ksize), k)


def isotropic_gaussian_kernels(sigma: torch.Tensor) -> torch.Tensor:
    """[n,21,21] isotropic Gaussians of the given sigmas (HR pixels), support 2 ceil(3 sigma) + 1 in [3, 21];
    sigma 0 would divide by zero, so tiny sigmas become a delta."""
    n = sigma.shape[0]
    dev = sigma.device
    ksize = (2 * torch.ceil(3 * sigma) + 1).long().clamp(3, KERNEL_SIZE)
    s = sigma.clamp_min(1e-3)
    return gaussian_family_kernels(torch.zeros(n, dtype=torch.long, device=dev), s, s, torch.zeros(n, device=dev),
                                   torch.ones(n, device=dev), ksize)


def random_final_sinc_kernels(gen, n, device, p: float = 0.8) -> torch.Tensor:
    ksize = _sample_ksize(gen, n, device)
    omega = _uniform(gen, n, math.pi / 3, math.pi, device)
    ks = sinc_kernels(omega, ksize)
    use = _bernoulli(gen, n, p, device)
    return torch.where(use.view(-1, 1, 1), ks, delta_kernels(n, device=device))


def _safe_pad(x: torch.Tensor, p: int) -> torch.Tensor:
    mode = "reflect" if p < min(x.shape[-2:]) else "replicate"
    return F.pad(x, (p, p, p, p), mode=mode)


def _fft_size(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n (fast FFT lengths)."""
    m = n
    while True:
        k = m
        for p in (2, 3, 5):
            while k % p == 0:
                k //= p
        if k == 1:
            return m
        m += 1


def filter2d(x: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Convolve each sample of x [B,C,H,W] with its own kernel [B,k,k] (reflect padding).

    A true convolution (not a correlation). Large kernels go through the FFT, which on the CPU
    is several times faster than a grouped 21x21 convolution.
    """
    b, c, h, w = x.shape
    # trim all-zero borders shared by the batch: a 21-px padded 7-px kernel costs 9x less
    k = kernels.shape[-1]
    idx = torch.nonzero(kernels.abs().sum(0) > 0)
    r = int((idx - k // 2).abs().max().item()) if idx.numel() else 0
    kernels = kernels[:, k // 2 - r:k // 2 + r + 1, k // 2 - r:k // 2 + r + 1].to(x.dtype)
    kk = 2 * r + 1
    if r == 0:
        return x * kernels.view(b, 1, 1, 1)
    xp = _safe_pad(x, r)
    if kk <= 7:
        weight = torch.flip(kernels, dims=(-2, -1)).repeat_interleave(c, dim=0).view(b * c, 1, kk, kk)
        return F.conv2d(xp.reshape(1, b * c, h + 2 * r, w + 2 * r), weight, groups=b * c).view(b, c, h, w)
    hp, wp = _fft_size(xp.shape[-2]), _fft_size(xp.shape[-1])  # extra zero padding is harmless
    spec = torch.fft.rfft2(xp, s=(hp, wp)) * torch.fft.rfft2(kernels, s=(hp, wp)).unsqueeze(1)
    full = torch.fft.irfft2(spec, s=(hp, wp))
    # circular == linear convolution for indices >= kk-1, which is exactly the 'valid' part
    return full[..., 2 * r:2 * r + h, 2 * r:2 * r + w].contiguous()


# ----------------------------------------------------------------------------- resize
RESIZE_MODES = ("area", "bilinear", "bicubic")


def resize(x: torch.Tensor, size: Tuple[int, int], mode: str) -> torch.Tensor:
    size = (max(1, int(size[0])), max(1, int(size[1])))
    if mode == "area":
        return F.interpolate(x, size=size, mode="area")
    return F.interpolate(x, size=size, mode=mode, align_corners=False)
