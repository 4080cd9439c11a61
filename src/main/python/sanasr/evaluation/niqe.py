"""NIQE (Mittal, Soundararajan, Bovik, "Making a completely blind image quality analyzer", IEEE SPL 2013).

A no-reference measure: the distance between a multivariate Gaussian fitted to natural-scene features of the
image and one fitted to pristine images. Lower = more natural statistics. Smooth images score high (bad) and
invented texture can score low, so it is reported but never steered by.

The pristine model is the authors' (``mu_pris_param``, ``cov_pris_param`` and the 7x7 ``gaussian_window``
in ``../shared/reference/niqe_pris_params.npz``, as shipped by BasicSR). The computation follows the paper and
the MATLAB release's conventions:

1. Y of MATLAB's rgb2ycbcr, rounded to integers (MATLAB works on the uint8 Y image); no border crop; cropped
   to whole 96x96 blocks from the top-left.
2. At two scales (the image, then MATLAB's bicubic imresize by 1/2 with antialiasing): MSCN coefficients
   (y - mu) / (sigma + 1), mu and sigma the local mean and deviation under the Gaussian window with
   replicated borders.
3. Per block (96 px at scale 1, 48 at scale 2), 18 features: an asymmetric generalised Gaussian (AGGD) fit of
   the MSCN values (shape, mean of the left and right scales), and of each of the 4 products with the
   circularly shifted neighbour (horizontal, vertical, both diagonals): shape, mean, left and right scale.
   The AGGD shape comes from moment matching on a grid of shapes 0.2, 0.201, ..., 10.
4. The image's Gaussian: mean of the 36-feature rows (ignoring NaN entries), covariance of the rows without
   NaN; NIQE = sqrt((mu_p - mu)^T pinv((cov_p + cov) / 2) (mu_p - mu)).

Checked against MATLAB's value for Set14's baboon (5.7296, see the parameter file's NOTICE) in the tests.
"""
from __future__ import annotations

import math
import os
from functools import lru_cache
from typing import Tuple

import numpy as np
from scipy import ndimage
from scipy.special import gamma

from .imresize import imresize
from .metrics import rgb_to_y

BLOCK = 96
# the repository's sibling folder ../shared (see README); --niqe-params overrides it
DEFAULT_PARAMS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "..",
                                              "shared", "reference", "niqe_pris_params.npz"))
_SHAPES = np.arange(0.2, 10.001, 0.001)
# moment ratio E[|x|]^2 / E[x^2] of a generalised Gaussian of each grid shape
_RATIOS = gamma(2.0 / _SHAPES) ** 2 / (gamma(1.0 / _SHAPES) * gamma(3.0 / _SHAPES))


@lru_cache(maxsize=4)
def load_params(path: str = DEFAULT_PARAMS) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mu [36], cov [36,36], window [7,7]) of the pristine model."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"NIQE's pristine parameters are not at {path}; pass --niqe-params with the path "
                                "of niqe_pris_params.npz (../shared/reference/ next to the repository)")
    with np.load(path) as z:
        return (z["mu_pris_param"].astype(np.float64).ravel(), z["cov_pris_param"].astype(np.float64),
                z["gaussian_window"].astype(np.float64))


def mscn(img: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Mean-subtracted, contrast-normalised coefficients under ``window`` (replicated borders).

    In float32 and with the 2-D window on purpose: NIQE is sensitive to the last bits here (the AGGD shape is a
    grid search with steps of 0.001), and this is the arithmetic of the reference implementation whose baboon
    value is the check (BasicSR's): it gives 5.72959 against MATLAB's 5.72957. float64 gives 5.72996, two 1-D
    float32 passes 5.72936."""
    x = img.astype(np.float32)
    w = window.astype(np.float32)
    mu = ndimage.correlate(x, w, mode="nearest")
    var = ndimage.correlate(x * x, w, mode="nearest") - mu * mu
    return ((x - mu) / (np.sqrt(np.abs(var)) + 1.0)).astype(np.float64)


def aggd_fit(x: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of x [N, M]: (shape, left scale, right scale) of an asymmetric generalised Gaussian, by moment
    matching on the shape grid. A row without negative (or positive) values gives NaN."""
    neg, pos = x < 0, x > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        left = np.sqrt((np.where(neg, x * x, 0.0)).sum(1) / neg.sum(1))
        right = np.sqrt((np.where(pos, x * x, 0.0)).sum(1) / pos.sum(1))
        g = left / right
        r = np.mean(np.abs(x), 1) ** 2 / np.mean(x * x, 1)
        r_norm = r * (g ** 3 + 1) * (g + 1) / (g ** 2 + 1) ** 2
    shape = np.full(x.shape[0], np.nan)
    ok = np.isfinite(r_norm)
    if ok.any():
        shape[ok] = _SHAPES[np.argmin((_RATIOS[None, :] - r_norm[ok, None]) ** 2, axis=1)]
    with np.errstate(invalid="ignore"):
        k = np.sqrt(gamma(1.0 / shape) / gamma(3.0 / shape))
    return shape, left * k, right * k


def block_features(blocks: np.ndarray) -> np.ndarray:
    """[N, b, b] MSCN blocks -> [N, 18] features."""
    n = blocks.shape[0]
    shape, left, right = aggd_fit(blocks.reshape(n, -1))
    cols = [shape, (left + right) / 2]
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        pair = blocks * np.roll(blocks, (dy, dx), axis=(1, 2))
        shape, left, right = aggd_fit(pair.reshape(n, -1))
        with np.errstate(invalid="ignore"):
            mean = (right - left) * gamma(2.0 / shape) / gamma(1.0 / shape)
        cols += [shape, mean, left, right]
    return np.stack(cols, 1)


def niqe_of_luma(y: np.ndarray, params: Tuple[np.ndarray, np.ndarray, np.ndarray]) -> float:
    """NIQE of a 2-D luma image in [0, 255] (already rounded as the MATLAB release reads it); NaN when it
    holds fewer than two 96x96 blocks."""
    mu_p, cov_p, window = params
    bh, bw = y.shape[0] // BLOCK, y.shape[1] // BLOCK
    if bh * bw < 2:
        return math.nan
    img = y[:bh * BLOCK, :bw * BLOCK].astype(np.float64)
    feats = []
    for scale in (1, 2):
        b = BLOCK // scale
        m = mscn(img, window)
        blocks = m.reshape(bh, b, bw, b).transpose(0, 2, 1, 3).reshape(bh * bw, b, b)
        feats.append(block_features(blocks))
        if scale == 1:
            img = imresize(img, 0.5)
    f = np.concatenate(feats, 1)
    with np.errstate(invalid="ignore"):
        mu = np.nanmean(f, 0)
    complete = f[~np.isnan(f).any(1)]
    if complete.shape[0] < 2:
        return math.nan
    cov = np.cov(complete, rowvar=False)
    d = mu_p - mu
    return float(np.sqrt(d @ np.linalg.pinv((cov_p + cov) / 2) @ d))


def niqe(img: np.ndarray, params_path: str = DEFAULT_PARAMS) -> float:
    """NIQE of an 8-bit image ([H,W] or [H,W,3]) on the rounded Y channel."""
    return niqe_of_luma(np.round(rgb_to_y(img)), load_params(params_path))
