"""The one-step SR model and its export form.

    LR --(entry)--> z_L = s * E(.)  --DiT once at sigma*-->  z_H = z_L - sigma* * v  --> x_hat = D(z_H / s)

Where the LR enters (``SRConfig.lr_entry``):
  * "bicubic": E is the autoencoder's encoder applied to bicubic x4(LR) at the output size (OSEDiff,
    SANA-SR). Costly: the encoder runs its full-resolution stages on the upsampled image.
  * "direct":  E is an encoder on the LR image itself that starts at the width-ladder stage of the LR
    resolution (stage log2(scale)), so it has log2(32/scale) downsamplings and lands on the same latent
    grid. Cheaper; it cannot start from the stage-a encoder and is trained from scratch in stage c.

LR-guided path (``SRConfig.lr_guided``, documented choice for the CPU-trained compact model): a small
``LRGuide`` CNN turns the LR image into one feature map per decoder stage (strided convs for the coarse
stages, pixel-shuffle for the finer ones); each is added through a zero-initialised 1x1 conv at the start
of its decoder stage, and the output becomes bicubic(LR) + decoder residual (+ ``guide_head`` of the finest
guide features when ``SRConfig.guide_head``: on the CPU, a 3-minute probe with the guide and that head alone
gained +0.14 dB over bicubic after 350 steps, while the full decoder path was still at +0.00 after 300
steps; the decoder then adds what the latent carries). A 32x latent of a small,
briefly trained autoencoder cannot carry pixel-exact detail; with the guide the decoder only has to add
what bicubic misses, so a model trained for minutes on a CPU already beats bicubic. Without the flag the
model is the paper-faithful latent path.

LR-grid trunk (``SRConfig.trunk_width`` > 0, the compact model of issue 10; see trunk.py): the latent
path is the "direct" encoder on the LR image, the DiT once at sigma*, and ``LatentToGrid`` as the decoder,
which brings the restored latent back onto the LR grid, where it modulates the residual trunk:

    x_hat = bicubic(LR) + Trunk(LR, D_grid(z_H / s))

With ``SRConfig.latent_path`` off there is no encoder, DiT or decoder: x_hat = bicubic(LR) + Trunk(LR).

Realism or fidelity, chosen by the prompt (``SRConfig.texture_trunk``, issue 15): a second trunk of the same
shape, trained against a frozen generative prior (Real-ESRGAN x4plus) with fidelity terms, runs for the realism
prompts (``config.REALISM_PROMPTS``); every other prompt runs the fidelity trunk. Both read the same latent path,
whose DiT cross-attends to the prompt. Each image runs one trunk, so realism costs no more than fidelity, and the
fidelity prompts give exactly the fidelity model's output:

    x_hat = bicubic(LR) + lowcut(Trunk_m(LR, D_grid(z_H / s))),   m = realism[prompt] ? texture : fidelity

``SanaSR`` = ``OneStepSR`` (what is exported; forward(image, prompt) is the contract's signature) plus
``hr_encoder``, the autoencoder's encoder kept frozen after stage a to give HR latents (prior training,
latent losses). ``s`` is the ``latent_scale`` buffer, re-measured after stage a to give unit-std latents.
"""
from __future__ import annotations

import math
from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .autoencoder import Decoder, Encoder
from .config import PROMPTS, REALISM_PROMPTS, Preset
from .dit import LinearDiT
from .trunk import LatentToGrid, LRTrunk


class LRGuide(nn.Module):
    """LR image -> feature maps for decoder stages, in decoder execution order (coarsest first)."""

    def __init__(self, width: int, n_stages: int, lr_level: int, num_prompts: int = 0):
        super().__init__()
        assert 0 <= lr_level < n_stages
        # optional per-prompt FiLM of the stem features (zero-initialised: starts prompt-agnostic), so the guide
        # can sharpen for 'photo' and denoise for 'fluorescence' (SRConfig.guide_prompt)
        self.prompt_film: Optional[nn.Embedding] = None
        if num_prompts > 0:
            self.prompt_film = nn.Embedding(num_prompts, 2 * width)
            nn.init.zeros_(self.prompt_film.weight)
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.SiLU(),
                                  nn.Conv2d(width, width, 3, padding=1), nn.SiLU())
        self.down = nn.ModuleList([nn.Sequential(nn.Conv2d(width, width, 3, stride=2, padding=1), nn.SiLU())
                                   for _ in range(n_stages - 1 - lr_level)])
        self.up = nn.ModuleList([nn.Sequential(nn.Conv2d(width, 4 * width, 3, padding=1), nn.PixelShuffle(2),
                                               nn.SiLU()) for _ in range(lr_level)])

    def forward(self, lr: torch.Tensor, prompt: Optional[torch.Tensor] = None) -> List[torch.Tensor]:
        base = self.stem(lr)
        film = self.prompt_film
        if film is not None and prompt is not None:
            gamma, beta = film(prompt.long()).to(base.dtype).chunk(2, dim=1)       # each [N, width]
            base = base * (1 + gamma[:, :, None, None]) + beta[:, :, None, None]
        out: List[torch.Tensor] = [base]
        f = base
        for m in self.down:            # coarser than the LR grid: prepend
            f = m(f)
            out.insert(0, f)
        f = base
        for m in self.up:              # finer than the LR grid: append
            f = m(f)
            out.append(f)
        return out


class OneStepSR(nn.Module):
    """The exported model: forward(image [N,3,h,w] float32, prompt [N] float32) -> [N,3,scale*h,scale*w]."""

    def __init__(self, preset: Preset):
        super().__init__()
        ae, sr = preset.ae, preset.sr
        n = len(ae.widths)
        lr_level = int(round(math.log2(sr.scale)))
        assert 2 ** lr_level == sr.scale, "scale must be a power of two"
        self.scale = sr.scale
        self.sigma_star = float(sr.sigma_star)
        self.direct = sr.lr_entry == "direct"
        if sr.lr_entry not in ("bicubic", "direct"):
            raise ValueError(f"lr_entry must be 'bicubic' or 'direct', got {sr.lr_entry!r}")
        self.guided = bool(sr.lr_guided) and sr.trunk_width <= 0
        self.latent_path = sr.trunk_width <= 0 or bool(sr.latent_path)
        self.encoder: Optional[Encoder] = Encoder(ae, first_stage=lr_level if self.direct else 0) \
            if self.latent_path else None
        self.trunk: Optional[LRTrunk] = None
        self.guide: Optional[LRGuide] = None
        self.guide_head: Optional[nn.Conv2d] = None
        if sr.trunk_width > 0:
            if not self.direct:
                raise ValueError("the LR-grid trunk needs lr_entry 'direct' (its latent lives on the LR image)")
            self.trunk = LRTrunk(sr.trunk_width, sr.trunk_blocks, sr.scale, sr.trunk_res_scale,
                                 sr.latent_features if self.latent_path else 0, sr.trunk_film_every)
            self.decoder = LatentToGrid(ae.latent_channels, list(reversed(ae.widths))[:n - lr_level],
                                        sr.latent_features) if self.latent_path else None
        else:
            self.decoder = Decoder(ae, guide_ch=sr.guide_width if self.guided else 0)
        if self.guided:
            self.guide = LRGuide(sr.guide_width, n, lr_level, preset.num_prompts if sr.guide_prompt else 0)
            # the residual head starts at zero, so an untrained model is exactly bicubic: with a random head
            # the first few hundred CPU steps went into undoing a -15 dB start
            nn.init.zeros_(self.decoder.conv_out.weight)
            nn.init.zeros_(self.decoder.conv_out.bias)
            if sr.guide_head:
                self.guide_head = nn.Conv2d(sr.guide_width, 3, 3, padding=1)
                nn.init.zeros_(self.guide_head.weight)
                nn.init.zeros_(self.guide_head.bias)
        self.dit: Optional[LinearDiT] = LinearDiT(preset.dit, ae.latent_channels, preset.num_prompts) \
            if self.latent_path else None
        self.register_buffer("latent_scale", torch.tensor(float(sr.latent_scale)))
        self.residual_lowcut = int(sr.residual_lowcut)
        self.num_prompts = preset.num_prompts
        self.texture: Optional[LRTrunk] = None
        self.texture_gain = float(sr.texture_gain)
        if sr.texture_trunk:
            if self.trunk is None:
                raise ValueError("texture_trunk needs the LR-grid trunk (trunk_width > 0)")
            self.texture = LRTrunk(sr.trunk_width, sr.trunk_blocks, sr.scale, sr.trunk_res_scale,
                                   sr.latent_features if self.latent_path else 0, sr.trunk_film_every)
        # 1.0 for the prompts that run the texture trunk: a buffer of texture models, so their file carries the
        # choice; a plain attribute elsewhere, so earlier releases keep their state dict
        realism = torch.tensor([1.0 if sr.texture_trunk and p in REALISM_PROMPTS else 0.0
                                for p in PROMPTS[:preset.num_prompts]])
        if sr.texture_trunk:
            self.register_buffer("realism", realism)
        else:
            self.realism = realism

    def upsample(self, lr: torch.Tensor) -> torch.Tensor:
        return F.interpolate(lr, scale_factor=float(self.scale), mode="bicubic", align_corners=False)

    def encode(self, lr: torch.Tensor) -> torch.Tensor:
        x = lr if self.direct else self.upsample(lr)
        if self.encoder is None:
            raise RuntimeError("this model has no latent path")
        return self.encoder(x) * self.latent_scale

    def one_step(self, z_l: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        t = torch.full([z_l.shape[0]], 1000.0 * self.sigma_star, dtype=torch.float32, device=z_l.device)
        if self.dit is None:
            raise RuntimeError("this model has no latent path")
        v = self.dit(z_l, t, prompt)
        return z_l - self.sigma_star * v

    def decode(self, z: torch.Tensor, lr: torch.Tensor, prompt: Optional[torch.Tensor] = None) -> torch.Tensor:
        if self.trunk is not None:
            cond: Optional[torch.Tensor] = None
            if self.decoder is not None:
                cond = self.decoder(z / self.latent_scale)
            return self.upsample(lr) + self.trunk(lr, cond)
        guides: List[torch.Tensor] = []
        if self.guide is not None:
            guides = self.guide(lr, prompt)
        if self.decoder is None:
            raise RuntimeError("this model has no decoder")
        out = self.decoder(z / self.latent_scale, guides)
        if self.guide_head is not None and len(guides) > 0:
            out = out + self.guide_head(guides[-1])
        if self.guided:
            out = out + self.upsample(lr)
        return out

    def residual(self, image: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        """Trunk models: what the network adds to bicubic(image) (the forward pass less the bicubic skip)."""
        if self.trunk is None:
            raise RuntimeError("residual() is for trunk models")
        cond: Optional[torch.Tensor] = None
        if self.latent_path and self.decoder is not None:
            p = prompt.long().clamp(0, self.num_prompts - 1)
            cond = self.decoder(self.one_step(self.encode(image), p) / self.latent_scale)
        return self.without_low_frequencies(self.trunk_residual(image, cond, prompt))

    def trunk_residual(self, image: torch.Tensor, cond: Optional[torch.Tensor], prompt: torch.Tensor) -> torch.Tensor:
        """The trunk each image's prompt selects: the texture trunk for realism prompts, else the fidelity trunk.
        A batch of one mode runs one trunk; a mixed batch runs both and picks per image."""
        trunk = self.trunk
        if trunk is None:
            raise RuntimeError("trunk_residual() is for trunk models")
        texture = self.texture
        if texture is None:
            return trunk(image, cond)
        g = self.realism[prompt.long().clamp(0, self.num_prompts - 1)]            # [N], 0 or 1
        if bool((g == 0).all()):
            return trunk(image, cond)
        if bool((g == 1).all()):
            return self.amplified(texture(image, cond))
        pick = g.view(-1, 1, 1, 1) > 0.5
        return torch.where(pick, self.amplified(texture(image, cond)), trunk(image, cond))

    def amplified(self, r: torch.Tensor) -> torch.Tensor:
        """The texture residual with its band x ``texture_gain`` (SRConfig.texture_gain)."""
        if self.texture_gain == 1.0:
            return r
        low = F.interpolate(F.avg_pool2d(r.float(), self.scale), scale_factor=float(self.scale), mode="bilinear",
                            align_corners=False).to(r.dtype)
        return r + (self.texture_gain - 1.0) * (r - low)

    def without_low_frequencies(self, r: torch.Tensor) -> torch.Tensor:
        """[N,3,sh,sw] residual minus its low-frequency part (``SRConfig.residual_lowcut``; identity when 0)."""
        k = self.residual_lowcut
        if k <= 0:
            return r
        low = F.avg_pool2d(r.float(), self.scale)       # [N,3,h,w] block means; float: no bf16 replicate pad on CPU
        low = F.avg_pool2d(F.pad(low, [k // 2, k // 2, k // 2, k // 2], mode="replicate"), k, stride=1)
        return r - F.interpolate(low, scale_factor=float(self.scale), mode="bicubic", align_corners=False).to(r.dtype)

    def forward(self, image: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        if self.trunk is not None:     # trunk models: bicubic + residual, with or without the latent path
            return self.upsample(image) + self.residual(image, prompt)
        p = prompt.long().clamp(0, self.num_prompts - 1)
        z_h = self.one_step(self.encode(image), p)
        return self.decode(z_h, image, p)


class SanaSR(nn.Module):
    """Training-time container: the exported ``sr`` model plus the frozen HR encoder of the autoencoder."""

    def __init__(self, preset: Preset):
        super().__init__()
        self.preset = preset
        self.sr = OneStepSR(preset)
        self.hr_encoder = Encoder(preset.ae)

    def hr_latent(self, hr: torch.Tensor) -> torch.Tensor:
        return self.hr_encoder(hr) * self.sr.latent_scale

    def reconstruct(self, hr: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
        """Stage a: HR -> latent -> decoder (guided by ``lr`` when the LR-guided path is on)."""
        return self.sr.decode(self.hr_latent(hr), lr)

    def forward(self, lr: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        return self.sr(lr, prompt)


def build_model(preset: Preset) -> SanaSR:
    return SanaSR(preset)
