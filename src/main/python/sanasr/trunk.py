"""The LR-grid trunk of the compact model and the decoder that brings the restored latent onto its grid.

    lr [N,3,h,w] --head--> f --(TrunkBlock x B, FiLM from latent features at every k-th)--> + f
       --conv 3x3 to 3 s^2, PixelShuffle(s)--> residual [N,3,sh,sw];   output = bicubic(lr) + residual

    z_hat [N,C_lat,h/f,w/f] --LatentToGrid (UpBlock per 2x)--> latent features [N,C_feat,h,w]

Why the capacity sits here (issue 10): on this project's 2-core CPU a plain 0.38M-parameter residual CNN on
the LR grid gains +1.4 dB over bicubic in 5 minutes of training, while the 0.1.0 design, which spent its
compute on 8- and 16-channel decoder stages at full output resolution, stayed within 0.2 dB of bicubic after
34 minutes. The latent path (encoder -> LinearDiT once at sigma* -> this decoder) gives the trunk what a
stack of 3x3 convolutions cannot see: context over the whole tile (the DiT's linear attention is global),
e.g. how noisy or blurred the input is, and the prompt. It enters through zero-initialised FiLM convolutions,
so an untrained model is the plain trunk and an untrained trunk is bicubic.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .autoencoder import UpBlock


class TrunkBlock(nn.Module):
    """conv3x3 - ReLU - conv3x3, scaled by ``res_scale``, plus identity (EDSR); optional FiLM of the branch."""

    def __init__(self, width: int, res_scale: float, cond_ch: int):
        super().__init__()
        self.conv1 = nn.Conv2d(width, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.res_scale = float(res_scale)
        self.film: Optional[nn.Conv2d] = None
        if cond_ch > 0:
            self.film = nn.Conv2d(cond_ch, 2 * width, 1)
            nn.init.zeros_(self.film.weight)
            nn.init.zeros_(self.film.bias)

    def forward(self, x: torch.Tensor, cond: Optional[torch.Tensor]) -> torch.Tensor:
        y = self.conv2(F.relu(self.conv1(x)))
        if self.film is not None and cond is not None:
            gamma, beta = self.film(cond).chunk(2, dim=1)
            y = y * (1 + gamma) + beta
        return x + self.res_scale * y


class LRTrunk(nn.Module):
    """LR image (+ optional features on the LR grid) -> output residual at ``scale`` x the LR size."""

    def __init__(self, width: int, blocks: int, scale: int, res_scale: float = 0.2, cond_ch: int = 0,
                 film_every: int = 2):
        super().__init__()
        self.head = nn.Conv2d(3, width, 3, padding=1)
        self.body = nn.ModuleList([TrunkBlock(width, res_scale, cond_ch if (film_every > 0 and i % film_every == 0)
                                              else 0) for i in range(blocks)])
        self.body_out = nn.Conv2d(width, width, 3, padding=1)
        self.to_output = nn.Conv2d(width, 3 * scale * scale, 3, padding=1)
        # zero-initialised: the untrained trunk adds nothing, so the model starts exactly at bicubic
        nn.init.zeros_(self.to_output.weight)
        nn.init.zeros_(self.to_output.bias)
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, lr: torch.Tensor, cond: Optional[torch.Tensor]) -> torch.Tensor:
        f = self.head(lr)
        x = f
        for block in self.body:
            x = block(x, cond)
        x = self.body_out(x) + f
        return self.shuffle(self.to_output(x))


class LatentToGrid(nn.Module):
    """Latent [N, latent_ch, h/2^k, w/2^k] -> features [N, out_ch, h, w]; ``widths`` coarse to fine, k+1 long."""

    def __init__(self, latent_ch: int, widths: Sequence[int], out_ch: int):
        super().__init__()
        widths = list(widths)
        self.conv_in = nn.Conv2d(latent_ch, widths[0], 3, padding=1)
        self.ups = nn.ModuleList([nn.Sequential(UpBlock(widths[i], widths[i + 1]), nn.SiLU())
                                  for i in range(len(widths) - 1)])
        self.conv_out = nn.Conv2d(widths[-1], out_ch, 3, padding=1)
        self.upsampling = 2 ** (len(widths) - 1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = F.silu(self.conv_in(z))
        for up in self.ups:
            x = up(x)
        return self.conv_out(x)
