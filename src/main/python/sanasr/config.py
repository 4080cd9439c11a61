"""Presets of the SANA-SR factory as dataclasses.

Three presets share one architecture and differ only in size:

* ``tiny``    - the whole pipeline (stages a-e) runs on a CPU in well under 3 minutes; used by the tests
                (the decoder-to-output design of 0.1.0, with the LR guide).
* ``tiny-trunk`` - the compact design at test size (tests, Java/Python parity fixture).
* ``compact`` - the shipped model (issue 10): a residual trunk on the LR grid, modulated by the SANA-SR latent
                path (DC-AE-style encoder, LinearDiT once at sigma*, LoRA, pruning); see trunk.py and model.py.
* ``compact-plain`` and ``reference`` - the ablation: compact without the latent path, and the plain
                reference network of issue 10 (trained with plain L1).
* ``full``    - the paper's scale (SANA-600M width 1152 with 16 blocks, DC-AE f32c32 widths 128..1024);
                random weights, for counting parameters and MACs only.

``PROMPTS`` is the prompt vocabulary; its order is the prompt index of the exported model. A model knows the
first ``Preset.num_prompts`` of them: releases up to 2.0 the seven ``BASE_PROMPTS``; a model with a texture
trunk (issue 15) also ``realistic`` (realism, like ``photo``) and ``faithful`` (fidelity, like ``generic``).
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

BASE_PROMPTS: Tuple[str, ...] = ("generic", "photo", "fluorescence", "brightfield", "histology", "electron", "astro")
PROMPTS: Tuple[str, ...] = BASE_PROMPTS + ("realistic", "faithful")
# prompts that run the texture trunk (SRConfig.texture_trunk); every other prompt runs the fidelity trunk
REALISM_PROMPTS: Tuple[str, ...] = ("photo", "realistic")


@dataclass
class AEConfig:
    """DC-AE style deep-compression autoencoder; len(widths)-1 downsamplings, so 6 widths give 32x."""
    widths: Tuple[int, ...] = (128, 256, 512, 512, 1024, 1024)
    enc_depths: Tuple[int, ...] = (2, 2, 2, 3, 3, 3)
    dec_depths: Tuple[int, ...] = (3, 3, 3, 3, 3, 3)
    # "res" = ResBlock, "evit" = EfficientViT block (multi-scale linear attention + GLU MBConv)
    block_types: Tuple[str, ...] = ("res", "res", "res", "evit", "evit", "evit")
    latent_channels: int = 32
    head_dim: int = 32            # attention head width in the EViT blocks
    evit_expand: int = 4          # GLUMBConv expansion in the EViT blocks
    attn_eps: float = 1e-15       # DC-AE's eps for the linear attention normaliser

    @property
    def compression(self) -> int:
        return 2 ** (len(self.widths) - 1)


@dataclass
class DiTConfig:
    """SANA-style LinearDiT on the latent grid (patch 1, no positional embedding)."""
    width: int = 1152
    depth: int = 16
    head_dim: int = 32            # self-attention head width (heads = width / 32)
    cross_heads: int = 16
    cross_head_dim: int = 72
    mlp_ratio: float = 2.5
    tokens_per_prompt: int = 4    # learned prompt tokens the DiT cross-attends to
    freq_dim: int = 256           # sinusoidal timestep embedding size
    attn_eps: float = 1e-8        # SANA's eps for the linear attention normaliser
    # Structure after pruning (None = uniform): heads kept and FFN hidden size per block.
    block_heads: Optional[List[int]] = None
    block_ffn: Optional[List[int]] = None

    def heads(self, i: int) -> int:
        return self.block_heads[i] if self.block_heads is not None else self.width // self.head_dim

    def ffn(self, i: int) -> int:
        return self.block_ffn[i] if self.block_ffn is not None else int(self.width * self.mlp_ratio)


@dataclass
class SRConfig:
    """How the one-step SR model is wired."""
    scale: int = 4
    # "bicubic": bicubic x scale to the output size, then the autoencoder's encoder (OSEDiff / SANA-SR);
    # "direct":  a separate encoder on the LR image with the same latent grid (fewer downsamplings).
    lr_entry: str = "bicubic"
    # LR-guided path: the decoder receives LR features at every stage and the output is
    # bicubic(LR) + predicted residual (see model.py). Off for the paper-faithful path.
    lr_guided: bool = False
    guide_width: int = 32
    # LR-guided path only: a zero-initialised 3x3 conv from the finest guide features straight to the output
    # residual, beside the decoder (see model.py)
    guide_head: bool = False
    # LR-guided path only: the guide's features are modulated per prompt (FiLM, zero-initialised; model.py).
    # Off: in a 6-minute CPU stage-c probe it did not stop the loss on clean inputs (Set5+Set14 -0.46 dB against
    # bicubic, -0.33 without it); left for a longer (GPU) run, where the guide should not be prompt-agnostic
    guide_prompt: bool = False
    # LR-grid trunk (trunk.py; issue 10): width > 0 replaces the decoder-to-output design. The output is
    # bicubic(LR) + the trunk's pixel-shuffled residual; the restored latent is decoded back onto the LR grid
    # and modulates every ``trunk_film_every``-th trunk block (FiLM, zero-initialised).
    trunk_width: int = 0
    trunk_blocks: int = 8
    trunk_res_scale: float = 0.2
    trunk_film_every: int = 2
    latent_features: int = 32     # channels of the latent decoded onto the LR grid
    # trunk models only: False removes the encoder, DiT and latent decoder (the ablation's plain trunk)
    latent_path: bool = True
    sigma_star: float = 0.5       # the fixed flow time at which the DiT is evaluated once
    latent_scale: float = 0.41407  # DC-AE f32c32's scaling factor; re-measured after stage a
    # trunk models: > 0 removes the residual's low frequencies, its block means on the LR grid smoothed over this
    # many LR pixels and brought back by bicubic upsampling. Bicubic interpolation already has the image's low
    # frequencies right, and what a network adds there is a bias: 2.0's checkpoints darkened a smooth
    # microscopy image (scikit-image's cell) by 0.5-0.7 grey levels, -6 to -9 dB against bicubic.
    residual_lowcut: int = 0
    # issue 15: a second LR-grid trunk of the same shape for the realism prompts (config.REALISM_PROMPTS), trained
    # against the frozen generative prior; the other prompts run ``trunk`` unchanged, so fidelity mode stays the
    # parent release's output. Both trunks read the same latent path (encoder, prompt-conditioned DiT).
    texture_trunk: bool = False
    # texture trunk only: its residual's band (the residual minus the bilinear upsampling of its scale x scale
    # block means: the detail a x scale input cannot hold) is multiplied by this; the block means, which the
    # measurement constrains, are left as trained (sanasr.train.realism calibrates it on training crops)
    texture_gain: float = 1.0


@dataclass
class TrainConfig:
    """Stage hyper-parameters; the minute split is used by train/all.py."""
    crop: int = 128               # HR crop (output size) during training
    batch: int = 4
    lr_ae: float = 1e-3
    lr_prior: float = 5e-4
    lr_adapt: float = 5e-4
    lr_recover: float = 2e-4
    fft_weight: float = 0.1
    w_latent_l2: float = 1e-4     # stage a: penalty on the raw latent's mean square (pins its scale)
    flow_shift: float = 3.0
    lora_rank: int = 8
    lora_targets: Tuple[str, ...] = ("qkv", "attn.proj", "cross.q", "cross.kv", "cross.proj",
                                     "ffn.inverted", "ffn.point")
    adapt_encoder: str = "full"   # "full" fine-tune of the encoder in stage c, or "lora"
    adapt_decoder: bool = False   # stages c/d also fine-tune the decoder (see train/adapt.py)
    light_p: float = 0.5          # stages c/d: share of the photographic pairs given degrade.light_degrade
    photographic_p: float = 0.5   # stages c/d: share of photographic (Real-ESRGAN or light) pairs, rest scientific
    plain_p: float = 1.0 / 3.0    # share of the light pairs that are plain antialiased bicubic downscaling
    cosine: bool = False          # cosine decay of each stage's learning rate over its time box
    generic_p: float = 0.1        # share of the degraded pairs labelled 'generic' (the default prompt)
    # the light family's blur / noise / JPEG probabilities and upper ends (degrade.LightSettings)
    light_blur_p: float = 0.5
    light_blur_max: float = 1.5
    light_noise_p: float = 0.3
    light_noise_max: float = 8.0
    light_jpeg_p: float = 0.3
    adapt_guide: bool = True      # stages c/d also train the LR guide and guide head (False: frozen after a)
    # stages c/d: each sample's pixel loss divided by bicubic's on it. With the plain mean, the noisy
    # scientific and Real-ESRGAN samples (bicubic errors many times larger) dominated: the compact model
    # learnt a denoiser (+4.6 dB on a fluorescence pair) that cost Set5+Set14 1.7 dB against bicubic.
    pix_relative: bool = False
    w_latent: float = 0.5
    w_align: float = 0.1
    w_consistency: float = 0.1
    prune_blocks: int = 1
    prune_heads_frac: float = 0.25
    prune_ffn_frac: float = 0.25
    prune_ffn_group: int = 16     # FFN channels are ranked and removed in groups of this size
    split: Tuple[float, ...] = (0.35, 0.15, 0.35, 0.15)  # a, b, c, d (d includes recovery)
    threads: int = 0              # torch threads; 0 = auto (see train.common.setup_threads)


def lr_stride(preset: "Preset") -> int:
    """Input sides must be multiples of this: the latent grid's step on the LR image (1 without a latent)."""
    if preset.sr.trunk_width > 0 and not preset.sr.latent_path:
        return 1
    return max(1, preset.ae.compression // preset.sr.scale)


@dataclass
class Preset:
    name: str
    ae: AEConfig = field(default_factory=AEConfig)
    dit: DiTConfig = field(default_factory=DiTConfig)
    sr: SRConfig = field(default_factory=SRConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    num_prompts: int = len(BASE_PROMPTS)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict) -> "Preset":
        def tup(x):
            return tuple(x) if isinstance(x, list) else x
        ae = AEConfig(**{k: tup(v) for k, v in d["ae"].items()})
        dit = DiTConfig(**d["dit"])
        sr = SRConfig(**d["sr"])
        train = TrainConfig(**{k: tup(v) for k, v in d.get("train", {}).items()})
        return Preset(name=d["name"], ae=ae, dit=dit, sr=sr, train=train,
                      num_prompts=d.get("num_prompts", len(BASE_PROMPTS)))

    def copy(self) -> "Preset":
        return copy.deepcopy(self)


def tiny() -> Preset:
    return Preset(
        name="tiny",
        ae=AEConfig(widths=(8, 8, 16, 16, 32, 32), enc_depths=(1, 1, 1, 1, 1, 1), dec_depths=(1, 1, 1, 1, 1, 1),
                    latent_channels=8, head_dim=8, evit_expand=2),
        dit=DiTConfig(width=32, depth=2, head_dim=8, cross_heads=2, cross_head_dim=8, tokens_per_prompt=2,
                      freq_dim=32),
        sr=SRConfig(lr_entry="bicubic", lr_guided=True, guide_width=8, guide_head=True),
        train=TrainConfig(crop=64, batch=2, lora_rank=2, prune_ffn_group=8, prune_blocks=1, adapt_decoder=True),
    )


def tiny_trunk() -> Preset:
    """The compact design (LR-grid trunk + latent path) at test size: the tests and the parity fixture."""
    return Preset(
        name="tiny-trunk",
        ae=AEConfig(widths=(8, 8, 16, 16, 32, 32), enc_depths=(1, 1, 1, 1, 1, 1), dec_depths=(1, 1, 1, 1, 1, 1),
                    block_types=("res", "res", "res", "res", "evit", "evit"), latent_channels=8, head_dim=8,
                    evit_expand=2),
        dit=DiTConfig(width=32, depth=2, head_dim=8, cross_heads=2, cross_head_dim=8, tokens_per_prompt=2,
                      freq_dim=32),
        sr=SRConfig(lr_entry="direct", trunk_width=8, trunk_blocks=2, trunk_film_every=1, latent_features=8),
        train=TrainConfig(crop=64, batch=2, lora_rank=2, prune_ffn_group=8, prune_blocks=1, adapt_decoder=True,
                          pix_relative=True, cosine=True),
    )


def compact() -> Preset:
    """The shipped model (issue 10): an LR-grid residual trunk (48 wide, 8 blocks: the size of the plain
    reference network, which is what a 2-core CPU can train in under 90 minutes and run at > 2 output MP/s)
    fed by the SANA-SR latent path: a DC-AE-style encoder on the LR image to a 32x latent (relative to the
    output; ``ae.widths`` has 6 entries, 5 gives 16x), the LinearDiT once at sigma*, LoRA-adapted and pruned,
    the restored latent decoded back onto the LR grid and modulating the trunk."""
    return Preset(
        name="compact",
        # narrow, mostly convolutional encoder and a 128-wide DiT: with (8..256) widths, EViT from stage 3 and
        # a 192-wide DiT the latent path took 0.47 s of 0.70 s per 1 MP output on 2 cores; these take ~0.07 s
        ae=AEConfig(widths=(8, 16, 16, 32, 64, 128), enc_depths=(1, 1, 1, 1, 1, 1),
                    dec_depths=(1, 1, 1, 1, 1, 1), block_types=("res", "res", "res", "res", "evit", "evit"),
                    latent_channels=32, head_dim=32, evit_expand=4),
        dit=DiTConfig(width=128, depth=4, head_dim=32, cross_heads=4, cross_head_dim=32, tokens_per_prompt=4,
                      freq_dim=128),
        sr=SRConfig(lr_entry="direct", trunk_width=48, trunk_blocks=8, trunk_film_every=4, latent_features=32),
        # The degradation mix (clean 38 %, light 38 %, Real-ESRGAN 14 %, scientific 10 %): with photographic .75 /
        # light .7 / plain 1/3 (clean 18 %, Real-ESRGAN 22 %, scientific 25 %) five minutes of it took the plain
        # trunk on the validation slice from +1.20 dB (after its clean phase) to -0.55 dB on bicubic inputs.
        # The light family combines blur, noise and JPEG more often than its defaults (.5 / .3 / .3): the ablation
        # models (plain 0.45 and those defaults) gained +1.0 dB on bicubic but only +0.2 to +0.5 on realistic inputs
        # (blur 1.2 + noise 5/255 + JPEG 75, a combination the defaults drew for ~5 % of the light pairs).
        train=TrainConfig(crop=128, batch=16, lr_ae=1e-3, lr_prior=5e-4, lr_adapt=5e-4, lr_recover=2e-4,
                          lora_rank=8, prune_ffn_group=32, prune_blocks=1, adapt_decoder=True, adapt_guide=True,
                          split=(0.35, 0.08, 0.42, 0.15), pix_relative=True, photographic_p=0.9, light_p=0.85,
                          plain_p=0.5, cosine=True, fft_weight=0.05, generic_p=0.3, light_blur_p=0.7,
                          light_blur_max=2.0, light_noise_p=0.6, light_noise_max=10.0, light_jpeg_p=0.6),
    )


def compact_plain() -> Preset:
    """Ablation (b): ``compact`` with the latent path (encoder, DiT, latent decoder) removed."""
    p = compact()
    p.name = "compact-plain"
    p.sr.latent_path = False
    return p


def reference() -> Preset:
    """Ablation (c): the plain reference network of issue 10 (3x3 conv to 48, 8 residual blocks x 0.2, long
    skip, zero-initialised conv + PixelShuffle(4), plus bicubic; 0.38M parameters), trained with plain L1 on
    the same data (no clean-first phase, no relative loss, no spectral term)."""
    p = compact_plain()
    p.name = "reference"
    p.sr.trunk_film_every = 0
    p.train.pix_relative = False
    p.train.fft_weight = 0.0
    p.train.split = (0.0, 1.0)
    p.train.lr_adapt = 1e-3       # the Adam 1e-3 with cosine decay
    return p


def full() -> Preset:
    return Preset(name="full", ae=AEConfig(), dit=DiTConfig(),
                  sr=SRConfig(lr_entry="bicubic", lr_guided=False))


PRESETS = {"tiny": tiny, "tiny-trunk": tiny_trunk, "compact": compact, "compact-plain": compact_plain, "reference": reference, "full": full}


def preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    return PRESETS[name]()
