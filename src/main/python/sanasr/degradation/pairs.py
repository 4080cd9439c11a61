"""The mixture: HR crops -> (LR, target, prompt id) training triples.

Each sample goes to the photographic family (``photographic_p``; of those, a share ``light_p`` to the light
model, the rest to Real-ESRGAN's heavy one) or to the scientific family. Finally a share
``generic_relabel_p`` of all samples (either family) is relabelled 'generic' so that the generic prompt sees
every kind of degradation. ``hr_target`` equals ``hr`` except for greyscale-only scientific samples (both
converted).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence, Tuple

import torch

from .light import LightSettings, light_degrade
from .photographic import RealEsrganSettings, realesrgan_degrade
from .sampling import _bernoulli, _choice
from .scientific import scientific_degrade

try:
    from ..config import PROMPTS
except ImportError:  # the config module is written by another helper; same tuple
    PROMPTS = ("generic", "photo", "fluorescence", "brightfield", "histology", "electron", "astro")


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
