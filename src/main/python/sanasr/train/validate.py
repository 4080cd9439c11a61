"""A small validation slice that training logs as it goes: PSNR-Y gain over bicubic interpolation.

Centre crops (``side`` HR px) of a few ``../shared/data/val`` images under every protocol of
``sanasr.evaluate`` (bicubic, realistic, binning), run through the eager model with the default prompt. The slice
is for watching a run, not for reporting: the reported figures come from ``sanasr.evaluate`` on whole images.
Training never sees these images; only the logged numbers depend on them.
"""
from __future__ import annotations

import os
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

SLICE: Tuple[Tuple[str, str], ...] = (
    ("set5", "baby.png"), ("set5", "butterfly.png"), ("set14", "zebra.png"), ("set14", "comic.png"),
    ("science", "python3-skimage__cell.png"), ("science", "python3-skimage__retina.png"),
    ("astro", "stellarium-data__m51-vasey.png"),
)


class ValSlice:
    def __init__(self, root: str, side: int = 128, names: Sequence[Tuple[str, str]] = SLICE,
                 every_seconds: float = 90.0):
        from .. import evaluate as EV
        self.EV = EV
        self.every = every_seconds
        self.last = 0.0
        self.items: List[dict] = []
        for group, name in names:
            path = os.path.join(root, group, name)
            if not os.path.exists(path):
                continue
            hr = EV.mod_crop(EV.centre_crop(EV.load_image(path), side))
            entry = {"hr": hr}
            for proto in EV.PROTOCOLS:
                lr = EV.degrade(proto, hr, f"{group}/{name}")
                entry[proto] = (lr, EV.psnr_y(EV.upscale_bicubic(lr), hr))
            self.items.append(entry)

    def __len__(self) -> int:
        return len(self.items)

    @torch.no_grad()
    def measure(self, sr: torch.nn.Module, prompt: int = 0) -> Dict[str, float]:
        """Mean PSNR-Y minus bicubic's, per protocol, on the slice."""
        was_training = sr.training
        sr.eval()
        device = next(sr.parameters()).device
        out: Dict[str, float] = {}
        for proto in self.EV.PROTOCOLS:
            deltas = []
            for item in self.items:
                lr, bic = item[proto]
                x = torch.from_numpy(lr.astype(np.float32) / 255.0)
                grey = x.ndim == 2
                x = (x[None].expand(3, -1, -1) if grey else x.permute(2, 0, 1))[None].contiguous().to(device)
                y = sr(x, torch.tensor([float(prompt)], device=device))[0].float().clamp(0, 1).cpu()
                y = y.mean(dim=0) if grey else y.permute(1, 2, 0)
                img = (y.numpy() * 255.0).round().astype(np.uint8)
                deltas.append(self.EV.psnr_y(img, item["hr"]) - bic)
            out[f"val_{proto}_delta"] = round(float(np.mean(deltas)), 4)
        sr.train(was_training)
        return out

    def maybe_log(self, log, sr: torch.nn.Module, stage: str, step: int, elapsed: float,
                  force: bool = False) -> Optional[Dict[str, float]]:
        if not self.items or (not force and time.time() - self.last < self.every):
            return None
        self.last = time.time()
        res = self.measure(sr)
        log.write(stage=stage, step=step, elapsed=elapsed, **res)
        return res


def val_slice(args) -> Optional[ValSlice]:
    """The slice for a stage's ``args`` (``--val``; ``--val-every`` 0 switches it off)."""
    root = getattr(args, "val", None)
    every = getattr(args, "val_every", 90.0)
    if not root or not os.path.isdir(root) or every <= 0:
        return None
    return ValSlice(root, every_seconds=every)
