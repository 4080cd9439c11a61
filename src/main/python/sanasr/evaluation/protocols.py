"""The x4 degradation protocols of the validation (HR first cropped to a multiple of 4 from the top-left, as
BasicSR's mod-crop).

- ``bicubic``: LR = MATLAB imresize(HR, 1/4, 'bicubic') (antialiased), rounded to uint8.
- ``realistic``: HR (float) -> Gaussian blur sigma 1.2 (scipy, reflect, truncate 4) -> MATLAB bicubic x1/4
  -> + N(0, 5) in 8-bit units (numpy default_rng seeded with crc32 of "group/file") -> round to uint8 -> PIL
  JPEG quality 75 (PIL's default 4:2:0; greyscale images stay greyscale) -> decode.
- ``binning``: LR = mean of each 4x4 block of HR (a camera's pixel binning, i.e. area downscaling), rounded to
  uint8 like the others (numpy's round, half to even: a mean of 16 integers ends in .5 when the sum is 8 mod 16).
"""
from __future__ import annotations

import io
import zlib
from typing import Optional

import numpy as np
from PIL import Image
from scipy import ndimage

from .imresize import imresize

SCALE = 4
PROTOCOLS = ("bicubic", "realistic", "binning")


def mod_crop(img: np.ndarray, scale: int = SCALE) -> np.ndarray:
    h, w = img.shape[:2]
    return img[:h - h % scale, :w - w % scale]


def centre_crop(img: np.ndarray, max_side: Optional[int]) -> np.ndarray:
    if not max_side:
        return img
    h, w = img.shape[:2]
    th, tw = min(h, max_side), min(w, max_side)
    y, x = (h - th) // 2, (w - tw) // 2
    return img[y:y + th, x:x + tw]


def degrade_bicubic(hr: np.ndarray) -> np.ndarray:
    return imresize(hr, 1.0 / SCALE)


def image_seed(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def degrade_realistic(hr: np.ndarray, seed: int, blur_sigma: float = 1.2, noise_sigma: float = 5.0,
                      jpeg_quality: int = 75) -> np.ndarray:
    x = hr.astype(np.float64)
    sig = (blur_sigma, blur_sigma) if x.ndim == 2 else (blur_sigma, blur_sigma, 0)
    x = ndimage.gaussian_filter(x, sigma=sig, mode="reflect", truncate=4.0)
    x = imresize(x, 1.0 / SCALE)
    x = x + np.random.default_rng(seed).normal(0.0, noise_sigma, size=x.shape)
    lr = np.clip(np.round(x), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(lr).save(buf, format="JPEG", quality=jpeg_quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("L" if lr.ndim == 2 else "RGB"), dtype=np.uint8).copy()


def degrade_binning(hr: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """Area mean over ``scale`` x ``scale`` blocks of a mod-cropped uint8 HR, rounded to uint8."""
    h, w = hr.shape[:2]
    if h % scale or w % scale:
        raise ValueError(f"binning needs sides divisible by {scale} (mod-crop first); got {w}x{h}")
    blocks = hr.astype(np.float64).reshape(h // scale, scale, w // scale, scale, *hr.shape[2:])
    return np.clip(np.round(blocks.mean(axis=(1, 3))), 0, 255).astype(np.uint8)


def degrade(protocol: str, hr: np.ndarray, key: str) -> np.ndarray:
    """The LR of ``hr`` under ``protocol``; ``key`` ("group/file") seeds the realistic protocol's noise."""
    if protocol == "bicubic":
        return degrade_bicubic(hr)
    if protocol == "realistic":
        return degrade_realistic(hr, image_seed(key))
    if protocol == "binning":
        return degrade_binning(hr)
    raise ValueError(f"unknown protocol {protocol!r}; known: {', '.join(PROTOCOLS)}")
