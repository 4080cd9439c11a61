"""MATLAB's bicubic ``imresize`` (antialiased when downscaling, symmetric boundary), a port of BasicSR's."""
from __future__ import annotations

import math

import numpy as np


def _cubic(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    ax2, ax3 = ax ** 2, ax ** 3
    return ((1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1)
            + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))


def _resize_matrix(in_len: int, out_len: int, scale: float) -> np.ndarray:
    """[out_len, in_len] weights of MATLAB's bicubic imresize along one axis (antialiased when
    downscaling, symmetric boundary), as BasicSR's calculate_weights_indices."""
    kernel_width = 4.0
    antialias = scale < 1
    if antialias:
        kernel_width /= scale
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kernel_width / 2)
    p = int(math.ceil(kernel_width)) + 2
    idx = left[:, None] + np.arange(p)[None, :]  # 1-based
    dist = u[:, None] - idx
    w = scale * _cubic(dist * scale) if antialias else _cubic(dist)
    w = w / w.sum(1, keepdims=True)
    j = idx.astype(np.int64) - 1  # 0-based; mirror (MATLAB 'symmetric') outside [0, in_len)
    j = np.where(j < 0, -j - 1, j)
    j = np.where(j >= in_len, 2 * in_len - 1 - j, j)
    j = np.clip(j, 0, in_len - 1)
    m = np.zeros((out_len, in_len))
    np.add.at(m, (np.repeat(np.arange(out_len), p), j.ravel()), w.ravel())
    return m


def imresize(img: np.ndarray, scale: float) -> np.ndarray:
    """MATLAB imresize(img, scale, 'bicubic'). uint8 in -> rounded uint8 out; float in -> float out."""
    x = img.astype(np.float64)
    h, w = x.shape[:2]
    oh, ow = int(math.ceil(h * scale)), int(math.ceil(w * scale))
    mh, mw = _resize_matrix(h, oh, scale), _resize_matrix(w, ow, scale)
    if x.ndim == 2:
        y = mh @ x @ mw.T
    else:  # per channel through BLAS matmuls (einsum would not use BLAS here)
        y = np.stack([mh @ x[..., c] @ mw.T for c in range(x.shape[2])], axis=-1)
    if img.dtype == np.uint8:
        return np.clip(np.round(y), 0, 255).astype(np.uint8)
    return y
