"""Shared plumbing of the training stages: device/threads, autocast, time box, checkpoints, logs, data.

Checkpoint layout in a run folder (``--run``): ``<stage>.pt`` holds {"preset", "state", "optim", "step",
"elapsed", "lora", "done"}; a stage resumes from its own file if present, otherwise it starts from the
previous stage's file. ``<stage>.jsonl`` is the JSON-lines log (one record per logged step).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time
from contextlib import nullcontext
from typing import Callable, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from .. import config as cfgmod
from ..lora import apply_lora
from ..model import SanaSR

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
DEFAULT_DATA = os.path.abspath(os.path.join(REPO_ROOT, "..", "shared", "data", "train"))
STAGES = ("autoencoder", "prior", "adapt", "prune")
CHECKPOINTS = STAGES + ("plain",)   # "plain": the one stage of a model without a latent path (train/plain.py)


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def setup_threads(n: int) -> int:
    """n > 0: use n torch threads. n = 0 (auto): one per core left idle by the 1-minute load average.

    Measured on the 2-core machine: with both cores busy (load ~3) a tiny training step took 0.15 s with
    1 thread and 7.4 s with 2 (OpenMP threads spin-waiting on an oversubscribed CPU); so 2 threads are
    only worth it when the machine is otherwise idle."""
    if n <= 0:
        cores = os.cpu_count() or 1
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
        n = max(1, min(cores, int(cores - load + 0.5)))
    torch.set_num_threads(n)
    return n


def autocast(device: torch.device):
    """bf16 autocast on CUDA, nothing on CPU (runs on torch 1.13 and 2.x)."""
    if device.type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=True)
    return nullcontext()


def base_args(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--run", required=True, help="run folder for checkpoints and logs")
    p.add_argument("--preset", default="compact", choices=sorted(cfgmod.PRESETS))
    p.add_argument("--minutes", type=float, default=10.0, help="time box for this stage (wall clock)")
    p.add_argument("--max-steps", type=int, default=0, help="optional step limit (0 = none)")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = preset default; its 0 = auto by load)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=0, help="batch size (0 = preset default)")
    p.add_argument("--lr-entry", choices=("bicubic", "direct"), default=None, help="override the preset")
    p.add_argument("--lr-guided", choices=("on", "off"), default=None, help="override the preset")
    p.add_argument("--val", default=os.path.join(os.path.dirname(DEFAULT_DATA), "val"),
                   help="validation folder of the slice logged during training (train.validate)")
    p.add_argument("--val-every", type=float, default=90.0, help="seconds between slice logs (0 = off)")
    return p


def preset_from_args(args) -> cfgmod.Preset:
    preset = cfgmod.preset(args.preset)
    if args.lr_entry:
        preset.sr.lr_entry = args.lr_entry
    if args.lr_guided:
        preset.sr.lr_guided = args.lr_guided == "on"
    if args.batch:
        preset.train.batch = args.batch
    return preset


# ---------------------------------------------------------------- checkpoints

def ckpt_path(run: str, stage: str) -> str:
    return os.path.join(run, f"{stage}.pt")


def save_checkpoint(run: str, stage: str, model: SanaSR, optim, step: int, elapsed: float, done: bool,
                    extra: Optional[dict] = None):
    os.makedirs(run, exist_ok=True)
    blob = {"preset": model.preset.to_dict(), "state": model.state_dict(),
            "optim": optim.state_dict() if optim is not None else None, "step": step, "elapsed": elapsed,
            "lora": getattr(model, "lora_spec", None), "done": done, "extra": extra or {}}
    tmp = ckpt_path(run, stage) + ".tmp"
    torch.save(blob, tmp)
    os.replace(tmp, ckpt_path(run, stage))


def model_from_blob(blob: dict) -> SanaSR:
    preset = cfgmod.Preset.from_dict(blob["preset"])
    model = SanaSR(preset)
    spec = blob.get("lora")
    if spec:
        attach_lora(model, spec)
    model.load_state_dict(blob["state"])
    return model


def load_checkpoint(run: str, stage: str, device: torch.device) -> Optional[dict]:
    path = ckpt_path(run, stage)
    if not os.path.exists(path):
        return None
    return torch.load(path, map_location=device)


def previous_stage_blob(run: str, stage: str, device: torch.device) -> Optional[dict]:
    i = STAGES.index(stage)
    for prev in reversed(STAGES[:i]):
        blob = load_checkpoint(run, prev, device)
        if blob is not None:
            return blob
    return None


def attach_lora(model: SanaSR, spec: dict) -> List[str]:
    """spec = {"rank": r, "dit": [patterns], "encoder": [patterns]}; remembered on the model."""
    names = apply_lora(model.sr.dit, spec["dit"], spec["rank"])
    if spec.get("encoder"):
        names += apply_lora(model.sr.encoder, spec["encoder"], spec["rank"])
    model.lora_spec = spec
    return names


class JsonlLog:
    def __init__(self, run: str, stage: str):
        os.makedirs(run, exist_ok=True)
        self.path = os.path.join(run, f"{stage}.jsonl")

    def write(self, **record):
        record["time"] = round(time.time(), 3)
        with open(self.path, "a") as f:
            f.write(json.dumps(record) + "\n")


class TimeBox:
    """Wall-clock budget that continues across resumes (``elapsed`` comes from the checkpoint)."""

    def __init__(self, minutes: float, elapsed: float = 0.0, max_steps: int = 0):
        self.budget = minutes * 60.0
        self.start = time.time() - elapsed
        self.max_steps = max_steps

    @property
    def elapsed(self) -> float:
        return time.time() - self.start

    def running(self, step: int) -> bool:
        if self.max_steps and step >= self.max_steps:
            return False
        return self.elapsed < self.budget


# ---------------------------------------------------------------- data

def guide_and_decoder_params(model: SanaSR) -> list:
    """What stages c and d train besides the DiT/encoder: the LR guide and guide head (unless ``adapt_guide``
    is off), and the whole decoder (``adapt_decoder``) or only its guide projections (nothing more when the
    LR-guided path is off)."""
    sr = model.sr
    if sr.trunk is not None:       # the LR-grid trunk and its latent decoder are always trained
        return list(sr.trunk.parameters()) + (list(sr.decoder.parameters()) if sr.decoder is not None else [])
    guide_modules = (sr.guide, sr.guide_head) if model.preset.train.adapt_guide else ()
    params = [p for m in guide_modules if m is not None for p in m.parameters()]
    if model.preset.train.adapt_decoder:
        return params + list(sr.decoder.parameters())
    return params + [p for st in sr.decoder.stages if st.guide_proj is not None for p in st.guide_proj.parameters()]


class PairSource:
    """Training pairs from sanasr.data / sanasr.degrade (fallback: plain bicubic downscaling)."""

    def __init__(self, root: str, crop: int, scale: int, device: torch.device, seed: int,
                 light_p: Optional[float] = None, photographic_p: Optional[float] = None,
                 plain_p: Optional[float] = None, generic_p: Optional[float] = None,
                 light: Optional[dict] = None):
        self.config = None
        try:
            from ..data import TrainPool
            from ..degrade import make_pairs
            self.pool = TrainPool(root, crop=crop)
            self._pairs = make_pairs
            self.kind = "sanasr.degrade"
            if light_p is not None:
                from ..degrade import DegradationConfig
                self.config = DegradationConfig(light_p=light_p)
                if photographic_p is not None:
                    self.config.photographic_p = photographic_p
                if plain_p is not None:
                    self.config.plain_p = plain_p
                if generic_p is not None:
                    self.config.generic_relabel_p = generic_p
                if light is not None:
                    from ..degrade import LightSettings
                    self.config.light = LightSettings(**light)
        except ImportError:
            from .._fallback_pairs import FallbackPool, fallback_pairs
            self.pool = FallbackPool(root, crop=crop)
            self._pairs = fallback_pairs
            self.kind = "fallback-bicubic"
        self.scale = scale
        self.device = device
        self.gen = torch.Generator().manual_seed(seed)

    def hr(self, n: int) -> Tuple[torch.Tensor, List[str]]:
        hr, sources = self.pool.sample(n, self.gen)
        return hr.to(self.device), sources

    def pairs(self, hr: torch.Tensor, sources: Sequence[str]):
        """-> (lr, hr_target, prompt_ids) on the device."""
        if self.config is not None:
            lr, target, prompts = self._pairs(hr.cpu(), list(sources), self.scale, self.gen, self.config)
        else:
            lr, target, prompts = self._pairs(hr.cpu(), list(sources), self.scale, self.gen)
        return lr.to(self.device), target.to(self.device), prompts.to(self.device)

    def clean_lr(self, hr: torch.Tensor) -> torch.Tensor:
        """The undegraded LR of the autoencoder stage, rounded to 8 bit: antialiased bicubic downscaling (the
        benchmark protocol; 2 batches in 3) or the mean over scale x scale blocks (pixel binning)."""
        if float(torch.rand(1, generator=self.gen).item()) < 2.0 / 3.0:
            size = (hr.shape[-2] // self.scale, hr.shape[-1] // self.scale)
            lr = F.interpolate(hr, size=size, mode="bicubic", align_corners=False, antialias=True)
        else:
            lr = F.avg_pool2d(hr, self.scale)
        return (lr.clamp(0, 1) * 255.0).round() / 255.0


def pair_source(args, preset, device: torch.device, seed: int, degraded: bool = True) -> PairSource:
    """The PairSource of a stage, with the preset's degradation mixture (``degraded``) or without."""
    tc = preset.train
    if not degraded:
        return PairSource(args.data, tc.crop, preset.sr.scale, device, seed)
    return PairSource(args.data, tc.crop, preset.sr.scale, device, seed, light_p=tc.light_p,
                      photographic_p=tc.photographic_p, plain_p=tc.plain_p, generic_p=tc.generic_p,
                      light={"blur_p": tc.light_blur_p, "blur_max": tc.light_blur_max, "noise_p": tc.light_noise_p,
                             "noise_max": tc.light_noise_max, "jpeg_p": tc.light_jpeg_p})


def schedule_lr(optim, base: float, box: "TimeBox", cosine: bool) -> float:
    """Constant ``base``, or cosine decay from ``base`` to 5 % of it over the stage's time box."""
    lr = base
    if cosine and box.budget > 0:
        frac = min(1.0, box.elapsed / box.budget)
        lr = base * (0.05 + 0.95 * 0.5 * (1.0 + math.cos(math.pi * frac)))
    for group in optim.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)
    return lr


# ---------------------------------------------------------------- losses

def pixel_loss_per_sample(x: torch.Tensor, y: torch.Tensor, fft_weight: float) -> torch.Tensor:
    """L1 plus fft_weight x L1 between the 2-D spectra (real and imaginary parts; a cheap sharpness term),
    for every sample of the batch: [N]."""
    l1 = (x.float() - y.float()).abs().flatten(1).mean(dim=1)
    fx = torch.view_as_real(torch.fft.rfft2(x.float(), norm="ortho"))
    fy = torch.view_as_real(torch.fft.rfft2(y.float(), norm="ortho"))
    return l1 + fft_weight * (fx - fy).abs().flatten(1).mean(dim=1)


def pixel_loss(x: torch.Tensor, y: torch.Tensor, fft_weight: float) -> torch.Tensor:
    """The batch's pixel loss (samples are equal-sized, so the mean of the per-sample losses)."""
    return pixel_loss_per_sample(x, y, fft_weight).mean()


def psnr(x: torch.Tensor, y: torch.Tensor) -> float:
    mse = F.mse_loss(x.float().clamp(0, 1), y.float().clamp(0, 1)).item()
    return 10.0 * torch.log10(torch.tensor(1.0 / max(mse, 1e-12))).item()


def sr_pixel_loss(sr, out: torch.Tensor, lr: torch.Tensor, target: torch.Tensor, tc) -> torch.Tensor:
    """The SR stages' pixel loss: plain, or each sample's relative to bicubic's on it (``pix_relative``), so that
    the large errors of heavily degraded samples do not drown the clean ones (see TrainConfig.pix_relative)."""
    if tc.pix_relative:
        with torch.no_grad():
            ref = pixel_loss_per_sample(sr.upsample(lr), target, tc.fft_weight).clamp_min(1e-3)
        return (pixel_loss_per_sample(out, target, tc.fft_weight) / ref).mean()
    return pixel_loss(out, target, tc.fft_weight)


def first_stage_start(args, stage: str):
    """A stage that starts from the preset (no previous stage): device, threads, seed, and its own checkpoint
    if present (resume) -> (device, blob or None, model)."""
    device = pick_device(args.device)
    preset = preset_from_args(args)
    setup_threads(args.threads or preset.train.threads)
    torch.manual_seed(args.seed)
    blob = load_checkpoint(args.run, stage, device)
    return device, blob, (model_from_blob(blob) if blob else SanaSR(preset))


def optimiser_step(optim, loss, params, max_norm: float = 1.0) -> None:
    """One update shared by every stage: backward, clip the gradient norm (bf16 spikes), step."""
    optim.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    optim.step()
