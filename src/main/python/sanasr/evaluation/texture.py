"""Texture measures of issue 15, on luma (the Y of ``metrics.rgb_to_y``).

The *band* of an image is the image minus its x4 area-downscaled, bilinear-upscaled copy: the detail that a
x4 input cannot hold. For an output and its ground truth (both mod-cropped to a multiple of 4):

- ``band_energy``: mean square of the output's band over that of the ground truth's band. 1 means as much
  texture as in the truth; bicubic interpolation has little (~0.2), a GAN much more.
- ``band_corr``: Pearson correlation of the output's band with the ground truth's band: how much of that
  texture is the true one.

The band is computed on the whole image, then both measures on the region that PSNR uses (4-pixel border
shaved). Bilinear upscaling uses half-pixel centres with clamped edges (torch's ``align_corners=False``).
Y's affine scaling (219/255, offset 16) cancels in both measures.
"""
from __future__ import annotations

import math
from typing import Tuple

import numpy as np

from .metrics import SHAVE, rgb_to_y, shave

BAND_SCALE = 4


def _bilinear_matrix(in_len: int, factor: int) -> np.ndarray:
    """[in_len * factor, in_len] weights of bilinear upscaling with half-pixel centres and clamped edges."""
    out_len = in_len * factor
    src = np.maximum((np.arange(out_len) + 0.5) / factor - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_len - 1)
    i1 = np.minimum(i0 + 1, in_len - 1)
    frac = src - i0
    m = np.zeros((out_len, in_len))
    np.add.at(m, (np.arange(out_len), i0), 1.0 - frac)
    np.add.at(m, (np.arange(out_len), i1), frac)
    return m


def band(y: np.ndarray, factor: int = BAND_SCALE) -> np.ndarray:
    """y (2-D float, sides divisible by ``factor``) minus its area-down, bilinear-up copy."""
    h, w = y.shape
    if h % factor or w % factor:
        raise ValueError(f"the band needs sides divisible by {factor}; got {w}x{h}")
    low = y.reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))
    up = _bilinear_matrix(h // factor, factor) @ low @ _bilinear_matrix(w // factor, factor).T
    return y - up


def band_measures(out: np.ndarray, hr: np.ndarray, border: int = SHAVE) -> Tuple[float, float]:
    """(band_energy, band_corr) of an 8-bit output against its 8-bit ground truth; NaN where the truth has
    no band (a flat image) or the output's band is zero (correlation undefined)."""
    b_out = shave(band(rgb_to_y(out)), border)
    b_hr = shave(band(rgb_to_y(hr)), border)
    e_out, e_hr = float(np.mean(b_out ** 2)), float(np.mean(b_hr ** 2))
    energy = e_out / e_hr if e_hr > 0 else math.nan
    d_out, d_hr = b_out - b_out.mean(), b_hr - b_hr.mean()
    denom = math.sqrt(float(np.sum(d_out ** 2)) * float(np.sum(d_hr ** 2)))
    corr = float(np.sum(d_out * d_hr)) / denom if denom > 0 else math.nan
    return energy, corr
