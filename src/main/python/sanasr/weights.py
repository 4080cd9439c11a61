"""Model weights as files: numpy .npz (``save_npz`` / ``load_npz``, independent of the torch version: the GPU
machine's PyTorch 2.x brings weights back this way) and stage checkpoints (.pt); ``load_model`` reads either.

Kept apart from ``export`` so that ``count`` can load a checkpoint without importing ``export``, which
imports ``count`` (the two used to import each other).
"""
from __future__ import annotations

import json

import numpy as np
import torch

from . import config as cfgmod
from .model import SanaSR

PRESET_KEY = "__preset__"
LORA_KEY = "__lora__"


def save_npz(model: SanaSR, path: str):
    arrays = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    arrays[PRESET_KEY] = np.frombuffer(json.dumps(model.preset.to_dict()).encode(), dtype=np.uint8)
    arrays[LORA_KEY] = np.frombuffer(json.dumps(getattr(model, "lora_spec", None)).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


def load_npz(path: str) -> SanaSR:
    from .train.common import attach_lora
    with np.load(path) as z:
        preset = cfgmod.Preset.from_dict(json.loads(z[PRESET_KEY].tobytes().decode()))
        lora = json.loads(z[LORA_KEY].tobytes().decode()) if LORA_KEY in z.files else None
        model = SanaSR(preset)
        if lora:
            attach_lora(model, lora)
        state = model.state_dict()
        model.load_state_dict({k: torch.from_numpy(z[k]).to(state[k].dtype) for k in state})
    return model


def load_model(path: str) -> SanaSR:
    """A stage checkpoint (.pt) or weights (.npz)."""
    if path.endswith(".npz"):
        return load_npz(path)
    from .train.common import model_from_blob
    return model_from_blob(torch.load(path, map_location="cpu"))
