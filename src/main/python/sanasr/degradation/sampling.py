"""Random draws for the degradations, all from the ``torch.Generator`` passed in.

Parameters are drawn on the generator's device and moved to ``device``; image-sized noise is drawn on the
generator's device too, so on CUDA pass a CUDA generator to avoid host->device copies of noise.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import torch


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
