"""LoRA for nn.Linear and 1x1 nn.Conv2d: wrap by name patterns, merge / unmerge, strip for export.

y = base(x) + (alpha / rank) * B(A(x)), A Gaussian-initialised, B zero (so wrapping changes nothing).
A pattern matches a module whose qualified name equals it or ends with "." + pattern
("attn.proj" matches "blocks.3.attn.proj").
"""
from __future__ import annotations

from typing import Iterable, List, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoRALayer(nn.Module):
    """Wraps a Linear or a 1x1 Conv2d (groups 1)."""

    def __init__(self, base: nn.Module, rank: int, alpha: float = None):
        super().__init__()
        if isinstance(base, nn.Linear):
            fan_in, fan_out = base.in_features, base.out_features
        elif isinstance(base, nn.Conv2d) and base.kernel_size == (1, 1) and base.groups == 1:
            fan_in, fan_out = base.in_channels, base.out_channels
        else:
            raise TypeError(f"LoRA supports Linear and 1x1 Conv2d, got {base}")
        self.base = base
        self.rank = rank
        self.scaling = (alpha if alpha is not None else rank) / rank
        self.lora_A = nn.Parameter(torch.randn(rank, fan_in) / rank)
        self.lora_B = nn.Parameter(torch.zeros(fan_out, rank))
        self.merged = False
        self.enabled = True

    def delta_weight(self) -> torch.Tensor:
        return self.scaling * (self.lora_B @ self.lora_A)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.base(x)
        if self.merged or not self.enabled:
            return y
        if isinstance(self.base, nn.Linear):
            return y + self.scaling * F.linear(F.linear(x, self.lora_A), self.lora_B)
        a = F.conv2d(x, self.lora_A.unsqueeze(-1).unsqueeze(-1))
        return y + self.scaling * F.conv2d(a, self.lora_B.unsqueeze(-1).unsqueeze(-1))

    @torch.no_grad()
    def merge(self):
        if not self.merged:
            self.base.weight.add_(self.delta_weight().reshape(self.base.weight.shape).to(self.base.weight.dtype))
            self.merged = True

    @torch.no_grad()
    def unmerge(self):
        if self.merged:
            self.base.weight.sub_(self.delta_weight().reshape(self.base.weight.shape).to(self.base.weight.dtype))
            self.merged = False


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(name == p or name.endswith("." + p) for p in patterns)


def _set_child(root: nn.Module, qualified: str, new: nn.Module):
    parent_name, _, child = qualified.rpartition(".")
    parent = root.get_submodule(parent_name) if parent_name else root
    setattr(parent, child, new)


def apply_lora(root: nn.Module, patterns: Sequence[str], rank: int, alpha: float = None) -> List[str]:
    """Wrap every matching Linear / 1x1 Conv2d under ``root``; returns the wrapped names."""
    targets = []
    for name, mod in root.named_modules():
        if isinstance(mod, LoRALayer) or ".base" in name or name.endswith("base"):
            continue
        ok_conv = isinstance(mod, nn.Conv2d) and mod.kernel_size == (1, 1) and mod.groups == 1
        if (isinstance(mod, nn.Linear) or ok_conv) and _matches(name, patterns):
            targets.append(name)
    for name in targets:
        _set_child(root, name, LoRALayer(root.get_submodule(name), rank, alpha))
    return targets


def lora_layers(root: nn.Module) -> Iterable[LoRALayer]:
    return (m for m in root.modules() if isinstance(m, LoRALayer))


def lora_parameters(root: nn.Module) -> List[nn.Parameter]:
    return [p for m in lora_layers(root) for p in (m.lora_A, m.lora_B)]


def set_lora_enabled(root: nn.Module, enabled: bool):
    for m in lora_layers(root):
        m.enabled = enabled


def merge_lora(root: nn.Module):
    for m in lora_layers(root):
        m.merge()


def unmerge_lora(root: nn.Module):
    for m in lora_layers(root):
        m.unmerge()


def strip_lora(root: nn.Module) -> int:
    """Merge and replace every LoRALayer by its base module (for export and pruning); returns the count."""
    names = [n for n, m in root.named_modules() if isinstance(m, LoRALayer)]
    for name in names:
        layer = root.get_submodule(name)
        layer.merge()
        _set_child(root, name, layer.base)
    return len(names)
