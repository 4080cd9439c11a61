"""The adaptable form of an exported model (issue 16): LoRA adapters with B = 0, for fine-tuning in Java.

    /usr/bin/python3 -m sanasr.adaptable models/sana-sr-compact-x4 [--rank 4]

Reads a model folder (docs/model-format.md), rebuilds the eager ``OneStepSR`` from the descriptor's
``architecture`` and the TorchScript file's state_dict, wraps every convolution of the LR-grid trunk and the
DiT's projections (the preset's ``lora_targets``: qkv, attention and cross-attention projections, the FFN's
1x1 convolutions) in a LoRA adapter whose B is zero, checks that the result computes exactly what the shipped
file computes, and writes ``<name>-adaptable.pt`` beside it. model.json gets an ``adaptable`` entry naming that
file, its SHA-256, the SHA-256 of the shipped file it was made from (the plugin refuses an adaptable file
whose base has since been replaced), the adapter names and the measured speed cost of keeping adapters in
the shipped file (why it is a second file). Rerun it whenever the shipped file changes.

Parameter names in the TorchScript file (what the Java side freezes and merges by):
``<target>.base.weight`` / ``.base.bias`` (the shipped weights, frozen), ``<target>.lora_A.weight`` and
``<target>.lora_B.weight`` (trained). Merged weight = base + scaling * B @ A (reshaped for convolutions).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Dict, List, Tuple

import torch
import torch.nn as nn

from . import config as cfgmod
from .files import sha256_of
from .model import OneStepSR

SUFFIX = "-adaptable.pt"
DEFAULT_RANK = 4


class ConvLoRA(nn.Module):
    """y = conv(x) + scaling * B(A(x)): A has the base convolution's geometry with ``rank`` outputs, B is a 1x1
    convolution back to the base's outputs, zero at the start. Merging gives one convolution of the same shape."""

    def __init__(self, base: nn.Conv2d, rank: int, alpha: float):
        super().__init__()
        if base.groups != 1:
            raise TypeError("ConvLoRA needs groups == 1")
        self.base = base
        self.lora_A = nn.Conv2d(base.in_channels, rank, base.kernel_size, base.stride, base.padding,
                                base.dilation, bias=False, padding_mode=base.padding_mode)
        self.lora_B = nn.Conv2d(rank, base.out_channels, 1, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=5 ** 0.5)
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = float(alpha) / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scaling * self.lora_B(self.lora_A(x))


class LinearLoRA(nn.Module):
    """y = linear(x) + scaling * B(A(x)), B zero at the start."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = nn.Linear(rank, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=5 ** 0.5)
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = float(alpha) / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scaling * self.lora_B(self.lora_A(x))


def merged_weight(layer: nn.Module) -> torch.Tensor:
    """The base weight with the adapter folded in (what the Java side writes for a merged model)."""
    a, b = layer.lora_A.weight, layer.lora_B.weight
    delta = layer.scaling * (b.reshape(b.shape[0], -1) @ a.reshape(a.shape[0], -1))
    return layer.base.weight + delta.reshape(layer.base.weight.shape)


# ---------------------------------------------------------------- model folder

def read_descriptor(folder: str) -> dict:
    with open(os.path.join(folder, "model.json")) as f:
        return json.load(f)


def load_folder(folder: str) -> Tuple[OneStepSR, dict]:
    """The eager model of a model folder: built from ``architecture``, weights from the TorchScript file."""
    desc = read_descriptor(folder)
    if desc.get("precision", "float32") != "float32":
        raise ValueError(f"{folder}: only float32 models can be made adaptable (precision {desc['precision']})")
    preset = cfgmod.Preset.from_dict(desc["architecture"])
    sr = OneStepSR(preset)
    scripted = torch.jit.load(os.path.join(folder, desc["file"]), map_location="cpu")
    state = scripted.state_dict()
    missing, unexpected = sr.load_state_dict(state, strict=False)
    if unexpected or [k for k in missing if k != "latent_scale"]:
        raise ValueError(f"{folder}: the architecture in model.json does not match {desc['file']} "
                         f"(missing {missing[:5]}, unexpected {unexpected[:5]})")
    return sr.eval(), desc


def _matches(name: str, patterns) -> bool:
    return any(name == p or name.endswith("." + p) for p in patterns)


def adapter_targets(sr: OneStepSR) -> List[str]:
    """Every convolution of the trunk; the DiT's projections named by the preset's LoRA targets."""
    targets = []
    if sr.trunk is not None:
        targets += ["trunk." + n for n, m in sr.trunk.named_modules() if isinstance(m, nn.Conv2d) and m.groups == 1]
    if sr.dit is not None:
        patterns = ("qkv", "attn.proj", "cross.q", "cross.kv", "cross.proj", "ffn.inverted", "ffn.point")
        for n, m in sr.dit.named_modules():
            ok = isinstance(m, nn.Linear) or (isinstance(m, nn.Conv2d) and m.groups == 1)
            if ok and _matches(n, patterns):
                targets.append("dit." + n)
    return targets


def _set_child(root: nn.Module, qualified: str, new: nn.Module):
    parent_name, _, child = qualified.rpartition(".")
    setattr(root.get_submodule(parent_name) if parent_name else root, child, new)


def make_adaptable(sr: OneStepSR, rank: int = DEFAULT_RANK, alpha: float = None, seed: int = 0) -> List[str]:
    """Wraps the targets in place (B = 0, A seeded); returns their names."""
    torch.manual_seed(seed)
    alpha = float(rank if alpha is None else alpha)
    targets = adapter_targets(sr)
    for name in targets:
        m = sr.get_submodule(name)
        _set_child(sr, name, ConvLoRA(m, rank, alpha) if isinstance(m, nn.Conv2d) else LinearLoRA(m, rank, alpha))
    for p in sr.parameters():
        p.requires_grad_(False)
    for n, p in sr.named_parameters():
        if ".lora_" in n:
            p.requires_grad_(True)
    return targets


# ---------------------------------------------------------------- checks and measurements

def probe(h: int, w: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(1, 3, h, w, generator=g)


@torch.no_grad()
def max_difference(a: torch.nn.Module, b: torch.nn.Module, stride: int) -> float:
    worst = 0.0
    for (h, w), p in (((4 * stride, 5 * stride), 0.0), ((3 * stride, 2 * stride), 2.0)):
        x = probe(h, w, h * 31 + w)
        prompt = torch.tensor([p])
        worst = max(worst, (a(x, prompt) - b(x, prompt)).abs().max().item())
    return worst


@torch.no_grad()
def forward_ms(module: torch.nn.Module, side: int, repeats: int) -> float:
    x, p = probe(side, side, 7), torch.zeros(1)
    for _ in range(2):
        module(x, p)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        module(x, p)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def speed_cost(base: torch.nn.Module, adaptable: torch.nn.Module, side: int = 128, repeats: int = 7,
               rounds: int = 3) -> Dict[str, float]:
    """Median forward time of each on a ``side``-pixel input, alternating so that load changes hit both."""
    b, a = [], []
    for _ in range(rounds):
        b.append(forward_ms(base, side, repeats))
        a.append(forward_ms(adaptable, side, repeats))
    base_ms, adapt_ms = min(b), min(a)
    return {"input_side": side, "threads": torch.get_num_threads(), "base_ms": round(base_ms, 2),
            "adaptable_ms": round(adapt_ms, 2), "percent": round(100 * (adapt_ms / base_ms - 1), 1)}


# ---------------------------------------------------------------- the command

def build(folder: str, rank: int = DEFAULT_RANK, measure_speed: bool = True) -> dict:
    """Writes ``<name>-adaptable.pt`` and the ``adaptable`` entry of model.json; returns that entry."""
    sr, desc = load_folder(folder)
    base_file = os.path.join(folder, desc["file"])
    base_sha = sha256_of(base_file)
    if base_sha != desc["sha256"]:
        raise ValueError(f"{base_file} has SHA-256 {base_sha}, model.json says {desc['sha256']}")
    shipped = torch.jit.load(base_file, map_location="cpu").eval()
    stride = int(desc["stride"])
    eager_diff = max_difference(sr, shipped, stride)
    targets = make_adaptable(sr, rank)
    sr.eval()
    scripted = torch.jit.script(sr)
    name = os.path.basename(desc["file"])[:-3] if desc["file"].endswith(".pt") else desc["name"]
    out_name = name + SUFFIX
    out_path = os.path.join(folder, out_name)
    tmp = out_path + ".part"
    torch.jit.save(scripted, tmp)
    loaded = torch.jit.load(tmp, map_location="cpu").eval()
    diff = max_difference(loaded, shipped, stride)
    if diff > 1e-5:
        os.remove(tmp)
        raise RuntimeError(f"the adaptable model differs from {desc['file']} by {diff:.3g}")
    os.replace(tmp, out_path)
    entry = {
        "file": out_name,
        "sha256": sha256_of(out_path),
        "base_file": desc["file"],
        "base_sha256": base_sha,
        "rank": rank,
        "scaling": 1.0,
        "targets": targets,
        "adapter_parameters": sum(p.numel() for n, p in sr.named_parameters() if ".lora_" in n),
        "parameter_names": {"base": "<target>.base.weight", "a": "<target>.lora_A.weight",
                            "b": "<target>.lora_B.weight"},
        "max_abs_difference_to_base": diff,
        "eager_rebuild_max_abs_difference": eager_diff,
        "torch": torch.__version__,
        "command": "python -m sanasr.adaptable " + folder.rstrip("/"),
    }
    if measure_speed:
        entry["speed_cost"] = speed_cost(shipped, loaded)
        entry["speed_cost"]["why_a_second_file"] = (
            "kept adapters cost more than 3 % per forward pass" if entry["speed_cost"]["percent"] > 3
            else "measured under 3 %; kept separate anyway so that the shipped file stays byte-identical")
    desc["adaptable"] = entry
    with open(os.path.join(folder, "model.json.part"), "w") as f:
        json.dump(desc, f, indent=2)
        f.write("\n")
    os.replace(os.path.join(folder, "model.json.part"), os.path.join(folder, "model.json"))
    return entry


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="+", help="model folders (models/<name>)")
    ap.add_argument("--rank", type=int, default=DEFAULT_RANK, help="LoRA rank (4-8)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for the speed measurement")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = ap.parse_args(argv)
    if not 1 <= args.rank <= 64:
        ap.error("--rank must be between 1 and 64")
    torch.set_num_threads(args.threads)
    for folder in args.folders:
        entry = build(folder, args.rank, not args.no_speed)
        print(json.dumps({k: entry[k] for k in ("file", "sha256", "base_sha256", "rank", "adapter_parameters",
                                                "max_abs_difference_to_base")} |
                         {"speed_cost": entry.get("speed_cost")}, indent=1))


if __name__ == "__main__":
    main()
