"""Degradations that turn HR crops into (LR, target, prompt) training triples.

Two families are mixed in every batch:

(a) **Photographic** - Real-ESRGAN's second-order model with its default ranges
    (``options/train_realesrnet_x4plus.yml``; BasicSR ``degradations.py``/``diffjpeg.py``):
    stage 1 blur (iso/aniso/generalised/plateau Gaussian or sinc, size 7..21), resize
    up/down/keep, Gaussian or Poisson noise (grey noise p .4), JPEG 30-95; stage 2 blur (p .8),
    resize, noise; then 50/50 [resize to H/scale + final sinc -> JPEG] or [JPEG -> resize +
    sinc]; round to 8 bit. As in Real-ESRGAN the resize factor and mode are drawn once per
    batch (all samples of the family share the intermediate size); kernels, noise and JPEG
    quality are drawn per sample. Label: 'photo', or 'astro' for astro sources.
    Differences to Real-ESRGAN: the Gaussian/Poisson choice is per sample instead of per batch,
    the target is not unsharp-masked (``gt_usm``), and a greyscale HR always gets grey noise
    (so greyscale inputs stay greyscale).

    A share ``light_p`` of the photographic samples gets the **light** model instead, the classic SR
    benchmark degradations that Real-ESRGAN's heavy ranges almost never produce: optional Gaussian blur
    (p .5, sigma 0.2-1.5 HR px), antialiased bicubic / area / bilinear downscaling by ``scale``,
    optional Gaussian noise (p .3, sigma 1-8 /255), optional JPEG (p .3, quality 60-95), 8 bit.
    A third of them are plain bicubic x1/scale. Without this share a model learns that sharpening
    never pays and stays at bicubic on clean or lightly degraded inputs.

(b) **Scientific** - a camera/detector model: PSF-like isotropic Gaussian blur (sigma in HR
    pixels), pixel binning (area) or bicubic downsampling by ``scale``, Poisson-Gaussian noise
    at a sampled photon level (``counts = Poisson(peak * x) + N(0, read^2)``, then divided by
    ``peak`` again, so the intensity scale of the target is kept), quantisation to 8/12/16 bit
    and optionally greyscale-only. 8-bit data is clipped to [0, 1]; 12/16-bit data is not
    clipped (a camera offset keeps the noise floor, and the plugin's percentile normalisation
    yields values slightly outside [0, 1] too). The sub-type decides the ranges and the label:

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

    Astro sources in the scientific family get the 'astro' sub-type (a CCD with seeing);
    other sources draw one of the first five with probabilities ``scientific_mix``.

Finally a share ``generic_relabel_p`` of all samples (either family) is relabelled 'generic'
so that the generic prompt sees every kind of degradation.

``hr_target`` equals ``hr`` except for greyscale-only scientific samples (both converted).

All randomness comes from the ``torch.Generator`` passed in. Parameters are drawn on the
generator's device and moved; image-sized noise is drawn on the generator's device too, so on
CUDA pass a CUDA generator to avoid host->device copies of noise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

try:
    from .config import PROMPTS
except ImportError:  # the config module is written by another helper; same tuple
    PROMPTS = ("generic", "photo", "fluorescence", "brightfield", "histology", "electron", "astro")

KERNEL_SIZE = 21  # every kernel is padded to this size (Real-ESRGAN's blur_kernel_size)


# ----------------------------------------------------------------------------- randomness
def _uniform(gen: torch.Generator, n: int, lo: float, hi: float, device) -> torch.Tensor:
    return (torch.rand(n, generator=gen, device=gen.device) * (hi - lo) + lo).to(device)


def _log_uniform(gen, n, lo, hi, device) -> torch.Tensor:
    return torch.exp(_uniform(gen, n, math.log(lo), math.log(hi), device))


def _bernoulli(gen, n, p, device) -> torch.Tensor:
    return torch.rand(n, generator=gen, device=gen.device).to(device) < p


def _choice(gen, n, probs: Sequence[float]) -> torch.Tensor:
    """n indices drawn from a categorical distribution (on the generator's device)."""
    p = torch.tensor(list(probs), dtype=torch.float64, device=gen.device)
    return torch.multinomial(p, n, replacement=True, generator=gen)


def _scalar_choice(gen, probs: Sequence[float]) -> int:
    return int(_choice(gen, 1, probs).item())


def _randn_like(x: torch.Tensor, gen: torch.Generator, channels: Optional[int] = None) -> torch.Tensor:
    shape = list(x.shape)
    if channels is not None:
        shape[1] = channels
    return torch.randn(shape, generator=gen, device=gen.device, dtype=x.dtype).to(x.device)


def _poisson(rate: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    return torch.poisson(rate.to(gen.device), generator=gen).to(rate.device)


# ----------------------------------------------------------------------------- kernels
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


# ----------------------------------------------------------------------------- noise
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


# ----------------------------------------------------------------------------- JPEG
_LUMA_TABLE = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
_CHROMA_TABLE = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99] + [99] * 32


def jpeg_tables(quality: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """IJG quality scaling of the JPEG Annex K tables: [B,8,8] luma and chroma (quality rounded to int)."""
    q = quality.round().clamp(1, 100).to(torch.float32)
    scale = torch.where(q < 50, 5000.0 / q, 200.0 - 2.0 * q).view(-1, 1, 1)
    out = []
    for base in (_LUMA_TABLE, _CHROMA_TABLE):
        t = torch.tensor(base, dtype=torch.float32, device=quality.device).view(1, 8, 8)
        out.append(torch.floor((t * scale + 50.0) / 100.0).clamp(1, 255))
    return out[0], out[1]


def _dct_basis(device, dtype) -> torch.Tensor:
    """The 64 orthonormal 8x8 DCT-II basis images as conv filters [64,1,8,8] (JPEG's transform)."""
    n = torch.arange(8, dtype=torch.float64)
    m = torch.cos((2 * n + 1) * n.view(-1, 1) * math.pi / 16) * math.sqrt(2 / 8)
    m[0] /= math.sqrt(2)  # m[u, x]
    basis = m.view(8, 1, 8, 1) * m.view(1, 8, 1, 8)  # [u, v, y, x]
    return basis.reshape(64, 1, 8, 8).to(device=device, dtype=dtype)


def _blockwise(plane: torch.Tensor, table: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """Quantise planes [B,P,H,W] (H,W multiples of 8, level-shifted) with tables [B,8,8]:
    a stride-8 convolution with the DCT basis is the blockwise DCT, its transpose the IDCT."""
    b, p, h, w = plane.shape
    coef = F.conv2d(plane.reshape(b * p, 1, h, w), basis, stride=8)  # [B*P,64,H/8,W/8]
    t = table.reshape(b, 1, 64, 1, 1).expand(b, p, 64, 1, 1).reshape(b * p, 64, 1, 1)
    coef = torch.round(coef / t) * t
    return F.conv_transpose2d(coef, basis, stride=8).view(b, p, h, w)


def jpeg(x: torch.Tensor, quality: torch.Tensor, subsample: bool = True) -> torch.Tensor:
    """Baseline JPEG compress/decompress in torch: [B,3,H,W] in [0,1], quality [B] (1..100).

    JFIF YCbCr, 8x8 DCT with quality-scaled standard tables, 4:2:0 chroma subsampling (2x2 mean,
    triangle/bilinear upsampling like libjpeg's fancy upsampling) unless subsample=False, edge
    replication to whole MCUs, output rounded to 8 bit.
    """
    b, c, h, w = x.shape
    assert c == 3, "jpeg expects RGB"
    mcu = 16 if subsample else 8
    ph, pw = (-h) % mcu, (-w) % mcu
    v = x.clamp(0, 1) * 255.0
    v = F.pad(v, (0, pw, 0, ph), mode="replicate") if (ph or pw) else v
    r, g, bl = v[:, 0], v[:, 1], v[:, 2]
    y = 0.299 * r + 0.587 * g + 0.114 * bl
    cb = -0.168736 * r - 0.331264 * g + 0.5 * bl + 128.0
    cr = 0.5 * r - 0.418688 * g - 0.081312 * bl + 128.0
    ty, tc = jpeg_tables(quality.to(x.device))
    basis = _dct_basis(x.device, x.dtype)
    y = _blockwise(y.unsqueeze(1) - 128.0, ty, basis)[:, 0] + 128.0
    chroma = torch.stack([cb, cr], 1)
    if subsample:
        chroma = F.avg_pool2d(chroma, 2)
    chroma = _blockwise(chroma - 128.0, tc, basis) + 128.0
    if subsample:
        chroma = F.interpolate(chroma, scale_factor=2, mode="bilinear", align_corners=False)
    cb, cr = chroma[:, 0] - 128.0, chroma[:, 1] - 128.0
    r = y + 1.402 * cr
    g = y - 0.344136 * cb - 0.714136 * cr
    bl = y + 1.772 * cb
    out = torch.stack([r, g, bl], 1)[:, :, :h, :w]
    return torch.clamp(out.round(), 0, 255) / 255.0


# ----------------------------------------------------------------------------- pipelines
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


@dataclass
class LightSettings:
    """Probabilities and upper ends of the light family's blur (sigma, HR px), noise (/255) and JPEG."""
    blur_p: float = 0.5
    blur_max: float = 1.5
    noise_p: float = 0.3
    noise_max: float = 8.0
    jpeg_p: float = 0.3


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


@dataclass
class DegradationConfig:
    photographic_p: float = 0.5
    light_p: float = 0.5          # share of the photographic samples given light_degrade
    plain_p: float = 1.0 / 3.0    # share of the light samples that are plain bicubic downscaling
    light: LightSettings = field(default_factory=LightSettings)
    scientific_mix: Tuple[Tuple[str, float], ...] = (
        ("fluorescence", 0.25), ("brightfield", 0.15), ("histology", 0.15), ("electron", 0.2), ("generic", 0.25))
    generic_relabel_p: float = 0.1
    realesrgan: RealEsrganSettings = field(default_factory=RealEsrganSettings)


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


def make_pairs(hr: torch.Tensor, sources: Sequence[str], scale: int, gen: torch.Generator,
               config: Optional[DegradationConfig] = None
               ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """HR batch [n,3,H,W] in [0,1] -> (lr [n,3,H/scale,W/scale], hr_target [n,3,H,W], prompt ids [n])."""
    cfg = config or DegradationConfig()
    n, c, h, w = hr.shape
    assert c == 3 and h % scale == 0 and w % scale == 0, "HR must be RGB with sides divisible by scale"
    assert len(sources) == n
    dev = hr.device
    photographic = _bernoulli(gen, n, cfg.photographic_p, torch.device("cpu")).tolist()
    light = _bernoulli(gen, n, cfg.light_p, torch.device("cpu")).tolist()
    names = [m for m, _ in cfg.scientific_mix]
    mix = _choice(gen, n, [p for _, p in cfg.scientific_mix]).tolist()
    relabel = _bernoulli(gen, n, cfg.generic_relabel_p, torch.device("cpu")).tolist()

    lr = torch.empty(n, c, h // scale, w // scale, device=dev, dtype=hr.dtype)
    target = hr.clone()
    labels = [""] * n
    heavy_idx = [i for i in range(n) if photographic[i] and not light[i]]
    light_idx = [i for i in range(n) if photographic[i] and light[i]]
    sci_idx = [i for i in range(n) if not photographic[i]]
    for chosen, fn in ((heavy_idx, lambda x: realesrgan_degrade(x, scale, gen, cfg.realesrgan)),
                       (light_idx, lambda x: light_degrade(x, scale, gen, cfg.plain_p, cfg.light))):
        if chosen:
            idx = torch.tensor(chosen, device=dev)
            lr[idx] = fn(hr[idx])
            for i in chosen:
                labels[i] = "astro" if sources[i] == "astro" else "photo"
    if sci_idx:
        kinds = ["astro" if sources[i] == "astro" else names[mix[i]] for i in sci_idx]
        idx = torch.tensor(sci_idx, device=dev)
        lo, tg = scientific_degrade(hr[idx], kinds, scale, gen)
        lr[idx] = lo
        target[idx] = tg
        for i, k in zip(sci_idx, kinds):
            labels[i] = k
    labels = ["generic" if relabel[i] else labels[i] for i in range(n)]
    prompt_ids = torch.tensor([PROMPTS.index(l) for l in labels], dtype=torch.long, device=dev)
    return lr, target, prompt_ids
