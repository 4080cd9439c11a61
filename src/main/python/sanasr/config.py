"""Presets of the SANA-SR factory as dataclasses.

Three presets share one architecture and differ only in size:

* ``tiny``    - the whole pipeline (stages a-e) runs on a CPU in well under 3 minutes; used by the tests.
* ``compact`` - the shipped model: CPU-friendly (8.4 GMACs per 512x512 output; the issue asked about 25) and trainable on a
                2-core CPU in about 40 minutes to something better than bicubic (thanks to the LR-guided path).
* ``full``    - the paper's scale (SANA-600M width 1152 with 16 blocks, DC-AE f32c32 widths 128..1024);
                random weights, for counting parameters and MACs only.

``PROMPTS`` is the prompt vocabulary; its order is the prompt index of the exported model.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

PROMPTS: Tuple[str, ...] = ("generic", "photo", "fluorescence", "brightfield", "histology", "electron", "astro")


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
    sigma_star: float = 0.5       # the fixed flow time at which the DiT is evaluated once
    latent_scale: float = 0.41407  # DC-AE f32c32's scaling factor; re-measured after stage a


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


@dataclass
class Preset:
    name: str
    ae: AEConfig = field(default_factory=AEConfig)
    dit: DiTConfig = field(default_factory=DiTConfig)
    sr: SRConfig = field(default_factory=SRConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    num_prompts: int = len(PROMPTS)

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
                      num_prompts=d.get("num_prompts", len(PROMPTS)))

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


def compact() -> Preset:
    return Preset(
        name="compact",
        # Narrow full-resolution stages: at (16, 32, ...) and a 32-wide guide the model was 26 GMACs and
        # 1.6 s per 512x512 output on 2 cores; these widths give 8.4 GMACs and 0.8 s (measured with torch 1.13).
        ae=AEConfig(widths=(8, 16, 32, 64, 128, 256), enc_depths=(1, 1, 1, 1, 1, 1),
                    dec_depths=(1, 1, 1, 2, 2, 2), latent_channels=32, head_dim=32, evit_expand=4),
        dit=DiTConfig(width=256, depth=6, head_dim=32, cross_heads=4, cross_head_dim=64, tokens_per_prompt=4,
                      freq_dim=256),
        sr=SRConfig(lr_entry="direct", lr_guided=True, guide_width=16, guide_head=True),
        # Stage-c probes on this CPU from one stage-a/b checkpoint (quick in-memory checks, Set5+Set14 bicubic /
        # science+astro realistic, dB against bicubic): guide trained, plain loss -1.65 / -; relative loss and
        # light_p .75 -0.33 / -; the same with the guide frozen after stage a +0.42 / -0.05 (= stage a's own
        # figures: stage c then neither helps nor harms). Shipped 0.1.0 in the same check: +0.14 / +0.01.
        train=TrainConfig(crop=128, batch=4, lora_rank=8, prune_ffn_group=32, prune_blocks=1, adapt_decoder=True,
                           split=(0.3, 0.1, 0.45, 0.15), pix_relative=True, light_p=0.75, adapt_guide=False),
    )


def full() -> Preset:
    return Preset(name="full", ae=AEConfig(), dit=DiTConfig(),
                  sr=SRConfig(lr_entry="bicubic", lr_guided=False))


PRESETS = {"tiny": tiny, "compact": compact, "full": full}


def preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    return PRESETS[name]()
