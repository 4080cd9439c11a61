"""Every per-image measure of an output against its ground truth, as one row's fields."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .metrics import colour_shift, psnr_y, ssim_y
from .niqe import niqe
from .texture import band_measures


def measure(out: np.ndarray, hr: np.ndarray, niqe_params: Optional[str] = None) -> dict:
    """psnr_y, ssim_y, colour_shift_rgb, band_energy, band_corr; and niqe (of the output alone) when
    ``niqe_params`` names the pristine parameters."""
    energy, corr = band_measures(out, hr)
    row = {"psnr_y": psnr_y(out, hr), "ssim_y": ssim_y(out, hr), "colour_shift_rgb": colour_shift(out, hr),
           "band_energy": energy, "band_corr": corr}
    if niqe_params:
        row["niqe"] = niqe(out, niqe_params)
    return row
