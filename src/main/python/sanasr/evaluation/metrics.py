"""Full-reference metrics, BasicSR conventions: Y = BT.601 luma of MATLAB ``rgb2ycbcr`` (16 + (65.481 R +
128.553 G + 24.966 B)/255, not rounded) for colour images and the same formula with R=G=B for greyscale ones;
4-pixel border shaved; PSNR with peak 255; SSIM with the 11x11 Gaussian window (sigma 1.5), C1 = (0.01*255)^2,
C2 = (0.03*255)^2, 'valid' region only. Colour shift: mean(output - HR) per RGB channel in 8-bit levels (= units
of 1/255), same shaved region.
"""
from __future__ import annotations

import math
from typing import List

import numpy as np
from scipy import ndimage

SHAVE = 4


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
