"""DC-AE style deep-compression autoencoder (32x per side with 6 stages).

Downsampling: stride-2 conv3x3 plus a residual space-to-channel shortcut (pixel-unshuffle, then the mean
over channel groups). Upsampling: nearest x2 + conv3x3 plus a channel-duplicating pixel-shuffle shortcut.
The latent projections have the same kind of shortcuts (group mean in, channel repeat out), which is what
lets DC-AE train at high compression. ResBlocks at high resolution, EViT blocks at low resolution.

The decoder optionally takes one LR-guide feature map per stage (see ``model.LRGuide``); each goes through
a zero-initialised 1x1 projection and is added at the start of its stage.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import RMSNorm2d, make_block
from .config import AEConfig


class PixelUnshuffleChannelAveraging(nn.Module):
    """Space-to-channel shortcut: pixel_unshuffle(f) then average groups of channels to out_ch."""

    def __init__(self, in_ch: int, out_ch: int, factor: int):
        super().__init__()
        assert (in_ch * factor * factor) % out_ch == 0, "in_ch * factor^2 must be a multiple of out_ch"
        self.factor = factor
        self.out_ch = out_ch
        self.group = in_ch * factor * factor // out_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.factor > 1:
            x = F.pixel_unshuffle(x, self.factor)
        b, c, h, w = x.shape
        return x.reshape(b, self.out_ch, self.group, h, w).mean(dim=2)


class ChannelDuplicatingPixelShuffle(nn.Module):
    """Channel-to-space shortcut: repeat channels so that pixel_shuffle(f) yields out_ch."""

    def __init__(self, in_ch: int, out_ch: int, factor: int):
        super().__init__()
        assert (out_ch * factor * factor) % in_ch == 0, "out_ch * factor^2 must be a multiple of in_ch"
        self.factor = factor
        self.repeats = out_ch * factor * factor // in_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.repeat_interleave(self.repeats, dim=1)
        if self.factor > 1:
            x = F.pixel_shuffle(x, self.factor)
        return x


class DownBlock(nn.Module):
    def __init__(self, in_ch: int, out_ch: int):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, 3, stride=2, padding=1)
        self.shortcut = PixelUnshuffleChannelAveraging(in_ch, out_ch, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x) + self.shortcut(x)


class UpBlock(nn.Module):
    def __init__(self, in_ch: int, out_ch: int):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.shortcut = ChannelDuplicatingPixelShuffle(in_ch, out_ch, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest")) + self.shortcut(x)


def _blocks(cfg: AEConfig, kind: str, ch: int, depth: int) -> nn.Sequential:
    return nn.Sequential(*[make_block(kind, ch, cfg.head_dim, cfg.evit_expand, cfg.attn_eps) for _ in range(depth)])


class Encoder(nn.Module):
    """Image -> latent. ``first_stage`` > 0 builds an encoder that starts at a coarser stage of the same
    width ladder (used by the "direct" LR entry: an LR image at 1/4 of the output size starts at stage 2)."""

    def __init__(self, cfg: AEConfig, in_ch: int = 3, first_stage: int = 0):
        super().__init__()
        widths = list(cfg.widths)[first_stage:]
        depths = list(cfg.enc_depths)[first_stage:]
        kinds = list(cfg.block_types)[first_stage:]
        self.conv_in = nn.Conv2d(in_ch, widths[0], 3, padding=1)
        stages = []
        for i, (w, d, k) in enumerate(zip(widths, depths, kinds)):
            mods = [_blocks(cfg, k, w, d)]
            if i < len(widths) - 1:
                mods.append(DownBlock(w, widths[i + 1]))
            stages.append(nn.Sequential(*mods))
        self.stages = nn.Sequential(*stages)
        self.conv_out = nn.Conv2d(widths[-1], cfg.latent_channels, 3, padding=1)
        self.shortcut_out = PixelUnshuffleChannelAveraging(widths[-1], cfg.latent_channels, 1)
        self.downsampling = 2 ** (len(widths) - 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stages(self.conv_in(x))
        return self.conv_out(x) + self.shortcut_out(x)


class DecoderStage(nn.Module):
    def __init__(self, cfg: AEConfig, in_ch: int, out_ch: int, kind: str, depth: int, upsample: bool,
                 guide_ch: int):
        super().__init__()
        self.up = UpBlock(in_ch, out_ch) if upsample else None
        self.guide_proj: Optional[nn.Conv2d] = None
        if guide_ch > 0:
            self.guide_proj = nn.Conv2d(guide_ch, out_ch, 1)
            nn.init.zeros_(self.guide_proj.weight)
            nn.init.zeros_(self.guide_proj.bias)
        self.blocks = _blocks(cfg, kind, out_ch, depth)

    def forward(self, x: torch.Tensor, guide: Optional[torch.Tensor]) -> torch.Tensor:
        if self.up is not None:
            x = self.up(x)
        if self.guide_proj is not None and guide is not None:
            x = x + self.guide_proj(guide)
        return self.blocks(x)


class Decoder(nn.Module):
    """Latent -> image. ``guide_ch`` > 0 adds per-stage LR-guide inputs (in execution order, coarse first)."""

    def __init__(self, cfg: AEConfig, out_ch: int = 3, guide_ch: int = 0):
        super().__init__()
        widths = list(cfg.widths)
        n = len(widths)
        self.conv_in = nn.Conv2d(cfg.latent_channels, widths[-1], 3, padding=1)
        self.shortcut_in = ChannelDuplicatingPixelShuffle(cfg.latent_channels, widths[-1], 1)
        stages = []
        for i in reversed(range(n)):   # coarse -> fine
            stages.append(DecoderStage(cfg, widths[min(i + 1, n - 1)], widths[i], cfg.block_types[i],
                                       cfg.dec_depths[i], upsample=i < n - 1, guide_ch=guide_ch))
        self.stages = nn.ModuleList(stages)
        self.norm_out = RMSNorm2d(widths[0])
        self.conv_out = nn.Conv2d(widths[0], out_ch, 3, padding=1)
        self.upsampling = 2 ** (n - 1)

    def forward(self, z: torch.Tensor, guides: List[torch.Tensor]) -> torch.Tensor:
        x = self.conv_in(z) + self.shortcut_in(z)
        use_guides = len(guides) > 0
        for i, stage in enumerate(self.stages):
            g: Optional[torch.Tensor] = None
            if use_guides:
                g = guides[i]
            x = stage(x, g)
        return self.conv_out(F.relu(self.norm_out(x)))


class AutoEncoder(nn.Module):
    def __init__(self, cfg: AEConfig, guide_ch: int = 0):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg, guide_ch=guide_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x), [])
