"""Parameters and MACs per component for a preset and an output size.

    /usr/bin/python3 -m sanasr.count --preset full --size 512
    /usr/bin/python3 -m sanasr.count --checkpoint runs/compact/prune.pt --size 512

MACs come from forward hooks: Conv2d = out elements x (Cin/groups) x kh x kw; Linear = out elements x
in_features; attention matmuls analytically per call (ReLU linear attention: 2 (d+1) d N per head, the
two products of the pad-ones trick; softmax cross-attention: 2 N M d per head). Norms, activations and
interpolation are not counted (as in the usual MAC tables). The input is the LR image size/scale.
"""
from __future__ import annotations

import argparse
import json
from typing import Dict

import torch
import torch.nn as nn

from . import config as cfgmod
from .blocks import LiteMLA
from .dit import CrossAttention, LiteLA
from .model import SanaSR

PAPER = {"params": 344e6, "macs": 407.95e9, "note": "SANA-SR abstract, after pruning, 512x512 output"}
COMPONENTS = ("sr.encoder", "sr.dit", "sr.decoder", "sr.guide", "sr.guide_head")


def _component(name: str) -> str:
    for c in COMPONENTS:
        if name == c or name.startswith(c + "."):
            return c
    return "other"


def count_macs(sr_model: nn.Module, image: torch.Tensor, prompt: torch.Tensor, prefix: str = "sr") -> Dict[str, int]:
    macs: Dict[str, int] = {}
    hooks = []

    def add(name, n):
        c = _component(name)
        macs[c] = macs.get(c, 0) + int(n)

    for name, mod in sr_model.named_modules():
        full = f"{prefix}.{name}" if name else prefix
        if isinstance(mod, nn.Conv2d):
            hooks.append(mod.register_forward_hook(
                lambda m, i, o, n=full: add(n, o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])))
        elif isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(lambda m, i, o, n=full: add(n, o.numel() * m.in_features)))
        elif isinstance(mod, LiteLA):
            hooks.append(mod.register_forward_hook(
                lambda m, i, o, n=full: add(n, 2 * i[0].shape[0] * m.heads * (m.head_dim + 1) * m.head_dim * i[0].shape[1])))
        elif isinstance(mod, LiteMLA):
            def hook(m, i, o, n=full):
                b, _, h, w = i[0].shape
                add(n, 2 * b * (2 * m.heads) * (m.head_dim + 1) * m.head_dim * h * w)
            hooks.append(mod.register_forward_hook(hook))
        elif isinstance(mod, CrossAttention):
            hooks.append(mod.register_forward_hook(
                lambda m, i, o, n=full: add(n, 2 * i[0].shape[0] * m.heads * i[0].shape[1] * i[1].shape[1] * m.head_dim)))
    try:
        with torch.no_grad():
            sr_model(image, prompt)
    finally:
        for h in hooks:
            h.remove()
    return macs


def count_params(model: SanaSR) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for name, p in model.named_parameters():
        c = _component(name) if name.startswith("sr.") else name.split(".")[0]
        out[c] = out.get(c, 0) + p.numel()
    return out


def report(model: SanaSR, size: int) -> dict:
    scale = model.preset.sr.scale
    image = torch.rand(1, 3, size // scale, size // scale)
    macs = count_macs(model.sr, image, torch.zeros(1))
    params = count_params(model)
    exported = sum(v for k, v in params.items() if k.startswith("sr."))
    return {"preset": model.preset.name, "output": [size, size], "params": params,
            "params_exported": exported, "macs": macs, "macs_total": sum(macs.values()),
            "latent_grid": [size // model.preset.ae.compression] * 2}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="compact", choices=sorted(cfgmod.PRESETS))
    ap.add_argument("--checkpoint", help="a stage checkpoint (.pt) or weights .npz instead of a preset")
    ap.add_argument("--size", type=int, default=512, help="output side in pixels")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.checkpoint:
        from .weights import load_model
        model = load_model(args.checkpoint)
    else:
        model = SanaSR(cfgmod.preset(args.preset))
    model.eval()
    r = report(model, args.size)
    if args.json:
        print(json.dumps(r, indent=1))
        return
    print(f"preset {r['preset']}  output {args.size}x{args.size}  latent {r['latent_grid']}")
    print(f"{'component':14s} {'params':>14s} {'GMACs':>10s}")
    for c in sorted(set(r["params"]) | set(r["macs"])):
        print(f"{c:14s} {r['params'].get(c, 0):14,d} {r['macs'].get(c, 0) / 1e9:10.3f}")
    print(f"{'exported':14s} {r['params_exported']:14,d} {r['macs_total'] / 1e9:10.3f}")
    if r["preset"] == "full":
        dit_p = r["params"].get("sr.dit", 0)
        print(f"paper (SANA-SR abstract): {PAPER['params'] / 1e6:.0f}M params, {PAPER['macs'] / 1e9:.2f} GMACs")
        print(f"  DiT only: {dit_p / 1e6:.1f}M params ({dit_p / PAPER['params']:.3f} x paper), "
              f"{r['macs'].get('sr.dit', 0) / 1e9:.1f} GMACs; exported total {r['params_exported'] / 1e6:.1f}M, "
              f"{r['macs_total'] / 1e9:.1f} GMACs ({r['macs_total'] / PAPER['macs']:.2f} x paper)")


if __name__ == "__main__":
    main()
