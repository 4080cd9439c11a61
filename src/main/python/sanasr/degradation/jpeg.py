"""Baseline JPEG compression and decompression in torch: batched, one quality per sample, 8-bit output."""
from __future__ import annotations

import math
from typing import Tuple

import torch
import torch.nn.functional as F


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
