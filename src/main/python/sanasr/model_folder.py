"""An exported model folder (docs/model-format.md) back as an eager, trainable model.

The descriptor's ``architecture`` is the preset the file was exported from (after pruning), and the TorchScript
module's state dict has the eager ``OneStepSR``'s parameter names (LoRA is merged before export), so a shipped
release can be continued without its training checkpoints: ``load_folder`` rebuilds ``SanaSR`` and checks that
the rebuilt model reproduces the file's output.
"""
from __future__ import annotations

import json
import os
from typing import Tuple

import torch

from . import config as cfgmod
from .files import sha256_of
from .model import SanaSR


def read_descriptor(folder: str) -> dict:
    with open(os.path.join(folder, "model.json")) as f:
        return json.load(f)


def preset_of(desc: dict) -> cfgmod.Preset:
    arch = {k: v for k, v in desc["architecture"].items() if k != "preset"}
    return cfgmod.Preset.from_dict(arch)


@torch.no_grad()
def load_folder(folder: str, check: bool = True) -> Tuple[SanaSR, dict]:
    """-> (eager model with the file's weights, descriptor). Only float32 files carry trainable weights."""
    desc = read_descriptor(folder)
    if desc.get("precision", "float32") != "float32":
        raise ValueError(f"{folder} holds a {desc['precision']} file; continue from the float32 release")
    pt = os.path.join(folder, desc["file"])
    if sha256_of(pt) != desc["sha256"]:
        raise ValueError(f"{pt}: SHA-256 does not match its descriptor")
    scripted = torch.jit.load(pt, map_location="cpu")
    model = SanaSR(preset_of(desc))
    model.sr.load_state_dict(scripted.state_dict(), strict=True)
    model.eval()
    if check:
        stride = cfgmod.lr_stride(model.preset)
        x = torch.rand(1, 3, 2 * stride, 3 * stride)
        p = torch.zeros(1)
        diff = (model.sr(x, p) - scripted(x, p)).abs().max().item()
        if diff > 1e-5:
            raise RuntimeError(f"rebuilt model differs from {pt} by {diff:.3g}")
    return model, desc
