"""Stage e: export a trained model to a model folder (docs/model-format.md).

    /usr/bin/python3 -m sanasr.export --checkpoint runs/compact/prune.pt --out models/sana-sr-compact-x4 \
        --name sana-sr-compact-x4 --version 0.1.0

Steps: merge and strip LoRA; torch.jit.script the ``OneStepSR`` module (never optimize_for_inference,
which writes files that do not load); check TorchScript == eager on two input sizes; SHA-256; measure
halo and bytes per output pixel; write model.json and LICENSE.md. Weights can also be stored and loaded as
numpy .npz (``save_npz`` / ``load_npz``, in ``sanasr.weights``), which does not depend on the torch version
(the GPU machine's PyTorch 2.x brings weights back this way; ``--checkpoint`` accepts .npz).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from . import config as cfgmod
from .count import count_macs
from .lora import strip_lora
from .model import OneStepSR, SanaSR
from .files import sha256_of as sha256
from .weights import LORA_KEY, PRESET_KEY, load_model, load_npz, save_npz  # noqa: F401 (old import path)

FORMAT = "sanasr-model/1"


# ---------------------------------------------------------------- measurements

def probe_image(h: int, w: int, seed: int = 0) -> torch.Tensor:
    """A deterministic image-like input: smooth gradients, edges and some texture in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    y, x = torch.meshgrid(torch.linspace(0, 1, h), torch.linspace(0, 1, w), indexing="ij")
    base = torch.stack([0.5 + 0.3 * torch.sin(6 * x + 3 * y), 0.5 + 0.3 * torch.cos(5 * y - 2 * x),
                        ((x * 7).floor() + (y * 5).floor()) % 2 * 0.4 + 0.3])
    return (base + 0.05 * torch.randn(3, h, w, generator=g)).unsqueeze(0)


@torch.no_grad()
def measure_halo(sr: torch.nn.Module, stride: int, scale: int, tol: float = 2.0 / 255, tile: int = 8,
                 max_halo: int = 64) -> Tuple[int, float]:
    """Smallest halo (a multiple of ``stride``) such that a ``tile`` px centre tile computed from a crop
    with that halo matches the full-image result within ``tol``. Returns (halo, max diff at that halo);
    (max_halo, diff) when never reached (the linear attention is global, so some change always reaches)."""
    tile = max(tile, stride)
    size = 2 * max_halo + tile
    img = probe_image(size, size)
    p = torch.zeros(1)
    ref = sr(img, p)
    c0 = max_halo
    ref_tile = ref[..., c0 * scale:(c0 + tile) * scale, c0 * scale:(c0 + tile) * scale]
    diff = float("inf")
    for halo in range(stride, max_halo + 1, stride):
        crop = img[..., c0 - halo:c0 + tile + halo, c0 - halo:c0 + tile + halo]
        out = sr(crop, p)[..., halo * scale:(halo + tile) * scale, halo * scale:(halo + tile) * scale]
        diff = (out - ref_tile).abs().max().item()
        if diff < tol:
            return halo, diff
    return max_halo, diff


_MEM_PROBE = r"""
import resource, sys, torch
torch.set_num_threads(int(sys.argv[4]))
m = torch.jit.load(sys.argv[1]); m.eval()
small, big = int(sys.argv[2]), int(sys.argv[3])
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()
with torch.no_grad():
    m(torch.rand(1, 3, small, small), torch.zeros(1))
    x = torch.rand(1, 3, big, big)
    base = rss()
    y = m(x, torch.zeros(1))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(peak - base, y.numel() // y.shape[1])
"""


def measure_bytes_per_output_pixel(pt_file: str, stride: int, lr_side: int = 128, threads: int = 1) -> int:
    """Peak RSS growth of one CPU forward (fresh process, after a small warm-up) / output pixels."""
    side = max(stride, lr_side // stride * stride)
    out = subprocess.run([sys.executable, "-c", _MEM_PROBE, pt_file, str(stride), str(side), str(threads)],
                         check=True, capture_output=True, text=True).stdout.split()
    grown, pixels = int(out[0]), int(out[1])
    return int(max(grown, 0) / pixels) + 1


# ---------------------------------------------------------------- export

LICENSE_TEXT = """# Licence of the {name} weights

The weights were trained from scratch by the SANA-SR for Fiji model factory
(`src/main/python/sanasr`); no third-party weights were used.

Training data: {data} (see the SOURCES.md beside the data for the origin and licence of each image).
The weights are released under the same terms as this project; where a training image's licence imposes
conditions (e.g. attribution), they are listed in that SOURCES.md.
"""




PRIOR_LICENCE = """
## The frozen prior

The texture trunk (the realism prompts) was trained to match the outputs of {name} on degraded training
crops: {source}. Its weights (SHA-256 {weights_sha256}) are not part of this file. Licence of those weights:
{licence}; Real-ESRGAN by Xintao Wang et al. (ICCV Workshops 2021). The full BSD 3-Clause text is in
`bench/peers/LICENSE-realesrgan.md` of this repository.
"""


def prior_licence(prior: dict) -> str:
    known = {k: "not recorded" for k in ("name", "source", "weights_sha256", "licence")}
    known.update({k: v for k, v in prior.items() if k in known})
    return PRIOR_LICENCE.format(**known)


class Bfloat16Network(torch.nn.Module):
    """A trunk model whose network runs in bfloat16 while the bicubic skip and the sum stay in float32: the
    whole model in bf16 moved outputs by up to 0.056 (14 grey levels of 255), mostly the skip's rounding.
    Same contract as the float32 file (float32 in and out)."""

    def __init__(self, sr: OneStepSR):
        super().__init__()
        self.scale = sr.scale
        self.net = sr.to(torch.bfloat16)

    def forward(self, image: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        up = F.interpolate(image, scale_factor=float(self.scale), mode="bicubic", align_corners=False)
        return up + self.net.residual(image.to(torch.bfloat16), prompt).float()


def script_model(model: SanaSR, precision: str = "float32") -> Tuple[torch.nn.Module, torch.jit.ScriptModule]:
    strip_lora(model)
    model.lora_spec = None
    sr = model.sr.cpu().float().eval()
    if precision == "bfloat16":
        if sr.trunk is None:
            raise ValueError("bfloat16 export is for trunk models (SRConfig.trunk_width > 0)")
        sr = Bfloat16Network(sr).eval()
    elif precision != "float32":
        raise ValueError(f"precision must be float32 or bfloat16, not {precision!r}")
    return sr, torch.jit.script(sr)


@torch.no_grad()
def check_roundtrip(sr: torch.nn.Module, loaded: torch.jit.ScriptModule, stride: int, tol: float = 1e-5) -> float:
    worst = 0.0
    for (h, w), p in (((2 * stride, 3 * stride), 0.0), ((3 * stride, stride), 1.0)):
        x = probe_image(h, w, seed=h * 31 + w)
        prompt = torch.tensor([p])
        d = (sr(x, prompt) - loaded(x, prompt)).abs().max().item()
        worst = max(worst, d)
    if worst > tol:
        raise RuntimeError(f"TorchScript output differs from eager by {worst:.3g} > {tol}")
    return worst


def export(model: SanaSR, out_dir: str, name: str, version: str = "0.1.0", description: Optional[str] = None,
           training: Optional[dict] = None, metrics: Optional[dict] = None, measure_memory: bool = True,
           data: str = "../shared/data/train (71 photos, see SOURCES.md)", precision: str = "float32",
           prior: Optional[dict] = None) -> dict:
    preset = model.preset
    sr, scripted = script_model(model, precision)
    os.makedirs(out_dir, exist_ok=True)
    pt_name = f"{name}.pt"
    pt_path = os.path.join(out_dir, pt_name)
    torch.jit.save(scripted, pt_path)
    loaded = torch.jit.load(pt_path)
    scale = preset.sr.scale
    stride = cfgmod.lr_stride(preset)
    roundtrip = check_roundtrip(sr, loaded, stride, tol=1e-5 if precision == "float32" else 1e-3)
    halo, halo_diff = measure_halo(sr, stride, scale)
    bpp = measure_bytes_per_output_pixel(pt_path, stride) if measure_memory else None
    macs = sum(count_macs(sr, torch.rand(1, 3, 512 // scale, 512 // scale), torch.zeros(1)).values())
    desc = {
        "format": FORMAT,
        "name": name,
        "version": version,
        "description": description or f"SANA-SR one-step x{scale} ({preset.name} preset, trained from scratch)",
        "file": pt_name,
        "sha256": sha256(pt_path),
        "scale": scale,
        "input_channels": 3,
        "stride": stride,
        "halo": halo,
        "prompts": list(cfgmod.PROMPTS[:preset.num_prompts]),
        "default_prompt": "generic",
        "degradation": {"type": "area", "description": "output averaged over scale x scale blocks"},
        "bytes_per_output_pixel": bpp,
        "generative": True,
        "architecture": dict(preset.to_dict(), preset=preset.name),
        "parameters": sum(p.numel() for p in sr.parameters()),
        "macs_per_512x512_output": macs,
        "training": training or {},
        "metrics": metrics or {},
        "licence": "see LICENSE.md",
        "precision": precision,
        "export": {"torch": torch.__version__, "torchscript_vs_eager_max_abs": roundtrip,
                   "halo_tolerance": 2.0 / 255, "halo_max_diff": halo_diff},
    }
    if preset.num_prompts > len(cfgmod.BASE_PROMPTS):       # a model that knows realistic / faithful
        desc["prompt_modes"] = {p: ("realism" if p in cfgmod.REALISM_PROMPTS else "fidelity") for p in desc["prompts"]}
    if prior:
        desc["prior"] = prior
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(desc, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "LICENSE.md"), "w") as f:
        f.write(LICENSE_TEXT.format(name=name, data=data) + (prior_licence(prior) if prior else ""))
    return desc


def link_variant(original_dir: str, variant_dir: str) -> None:
    """Names two exports of the same weights as variants of each other (docs/model-format.md): the original's
    ``variants`` maps the variant's precision to its name, the variant's ``variant_of`` names the original. The
    plugin then runs the variant under ``precision=auto`` where the CPU suits it. Only the descriptors change
    (``sha256`` covers the TorchScript file alone)."""
    with open(os.path.join(original_dir, "model.json")) as f:
        original = json.load(f)
    with open(os.path.join(variant_dir, "model.json")) as f:
        variant = json.load(f)
    if variant.get("precision", "float32") == original.get("precision", "float32"):
        raise ValueError(f"{variant['name']} and {original['name']} have the same precision")
    for key in ("scale", "input_channels", "prompts"):
        if variant[key] != original[key]:
            raise ValueError(f"{variant['name']} differs from {original['name']} in {key}")
    original.setdefault("variants", {})[variant.get("precision", "float32")] = variant["name"]
    variant["variant_of"] = original["name"]
    for folder, desc in ((original_dir, original), (variant_dir, variant)):
        with open(os.path.join(folder, "model.json"), "w") as f:
            json.dump(desc, f, indent=2)
            f.write("\n")


def update_metrics(out_dir: str, metrics: dict):
    path = os.path.join(out_dir, "model.json")
    with open(path) as f:
        desc = json.load(f)
    desc["metrics"] = metrics
    with open(path, "w") as f:
        json.dump(desc, f, indent=2)
        f.write("\n")


def training_info(run: str) -> dict:
    """Steps, minutes and stage summaries from the run's checkpoints."""
    from .train.common import CHECKPOINTS, load_checkpoint
    info = {"steps": {}, "stages": [], "minutes": 0.0}
    for st in CHECKPOINTS:
        blob = load_checkpoint(run, st, torch.device("cpu"))
        if blob is None:
            continue
        info["steps"][st] = blob["step"]
        info["minutes"] += blob["elapsed"] / 60
        entry = {"stage": st, "steps": blob["step"], "minutes": round(blob["elapsed"] / 60, 2)}
        if st == "prune" and "report" in blob.get("extra", {}):
            rep = blob["extra"]["report"]
            entry.update({k: rep[k] for k in ("removed_blocks", "removed_heads", "removed_ffn_groups",
                                               "dit_params_before", "dit_params_after")})
        info["stages"].append(entry)
    info["minutes"] = round(info["minutes"], 2)
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", required=True, help="stage checkpoint .pt or weights .npz")
    ap.add_argument("--out", required=True, help="model folder to write")
    ap.add_argument("--name", required=True)
    ap.add_argument("--version", default="0.1.0")
    ap.add_argument("--description")
    ap.add_argument("--run", help="run folder to read training info from (default: the checkpoint's folder)")
    ap.add_argument("--device-trained", default="cpu")
    ap.add_argument("--save-npz", help="also write the weights as .npz here")
    ap.add_argument("--precision", choices=("float32", "bfloat16"), default="float32",
                    help="bfloat16: the network in bf16 (AVX-512 BF16 CPUs), the bicubic skip in float32")
    ap.add_argument("--variant-of", metavar="DIR",
                    help="the float32 export of the same weights: link the two descriptors (variants / variant_of)")
    ap.add_argument("--attention", choices=("relu_linear", "softmax"), default="relu_linear",
                    help="DiT self-attention kernel; softmax (quadratic) only for the scaling benchmark")
    args = ap.parse_args(argv)
    from .train.common import setup_threads
    setup_threads(0)
    model = load_model(args.checkpoint)
    for m in model.modules():
        if hasattr(m, "kernel"):
            m.kernel = args.attention
    if args.save_npz:
        save_npz(model, args.save_npz)
    run = args.run or os.path.dirname(os.path.abspath(args.checkpoint))
    training = training_info(run) if os.path.isdir(run) else {}
    training["device"] = args.device_trained
    desc = export(model, args.out, args.name, args.version, args.description, training, precision=args.precision)
    if args.variant_of:
        link_variant(args.variant_of, args.out)
    print(json.dumps({k: desc[k] for k in ("name", "sha256", "halo", "bytes_per_output_pixel", "parameters",
                                           "macs_per_512x512_output")}, indent=1))


if __name__ == "__main__":
    main()
