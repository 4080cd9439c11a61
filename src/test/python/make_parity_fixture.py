"""Writes the cross-language fixture for the Java side (run from the repository root):

    /usr/bin/python3 src/test/python/make_parity_fixture.py [--steps 40] [--shipped-only]

1. trains the tiny-trunk preset (the compact design at test size) briefly (stages a-d, so the weights are not
   trivial) and exports it to src/test/resources/models/sana-sr-tiny-trunk-x4/ (docs/model-format.md);
2. writes src/test/resources/parity/: input.f32 (a fixed 1x3x16x24 input), output.f32 (the exported
   TorchScript's output, 1x3x64x96), both raw little-endian float32 in NCHW order, and parity.json with the
   shapes, the prompt index and the SHA-256 of the .pt the output came from;
3. the same for the shipped default model (models/sana-sr-compact-x4, nothing trained): shipped-input.f32
   (1x3x32x48), shipped-output.f32 and shipped.json, whose model path is relative to the repository root.
   Rerun with --shipped-only whenever the shipped model changes (the Java test checks the SHA-256). A model with
   realism prompts (``prompt_modes``) also gets shipped-realism-*.f32 / shipped-realism.json for its first one.
"""
import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "src" / "main" / "python"))

from sanasr.export import export, load_model, probe_image  # noqa: E402
from sanasr.train import adapt, autoencoder, common as C, prior, prune  # noqa: E402

NAME = "sana-sr-tiny-trunk-x4"
SHIPPED = "models/sana-sr-compact-x4"
PROMPT = 2.0   # "fluorescence": a non-default prompt, so the Java side must pass it through


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=40, help="steps per training stage")
    ap.add_argument("--shipped-only", action="store_true", help="only the shipped model's fixture")
    args = ap.parse_args()
    write_fixture(REPO / SHIPPED, SHIPPED, "shipped", 32, 48)
    shipped = json.loads((REPO / SHIPPED / "model.json").read_text())
    modes = shipped.get("prompt_modes", {})
    realism = [i for i, p in enumerate(shipped["prompts"]) if modes.get(p) == "realism"]
    if realism:   # the texture trunk too: the Java side must pass a realism prompt through to it
        write_fixture(REPO / SHIPPED, SHIPPED, "shipped-realism", 32, 48, float(realism[0]))
    if args.shipped_only:
        return
    torch.manual_seed(0)
    run = tempfile.mkdtemp(prefix="parity_run_")
    for mod in (autoencoder, prior, adapt, prune):
        ns = argparse.Namespace(run=run, preset="tiny-trunk", minutes=10.0, max_steps=args.steps,
                                data=C.DEFAULT_DATA, device="cpu", threads=1, seed=0, batch=0, lr_entry=None,
                                lr_guided=None, val=None, val_every=0)
        print(mod.run(ns))
    model = load_model(C.ckpt_path(run, "prune"))
    out_dir = REPO / "src" / "test" / "resources" / "models" / NAME
    desc = export(model, str(out_dir), NAME, "0.0.1", description="tiny test model (parity fixture, not for use)",
                  training=dict(export_training_info(run), device="cpu"))
    write_fixture(out_dir, f"models/{NAME}", "", 16, 24)
    shutil.rmtree(run, ignore_errors=True)


def write_fixture(folder: Path, model_ref: str, prefix: str, h: int, w: int, prompt: float = PROMPT) -> None:
    """Input, the TorchScript output of the model folder and their description, under parity/."""
    PROMPT = prompt  # noqa: N806 (the module default, or a realism prompt)
    desc = json.loads((folder / "model.json").read_text())
    ts = torch.jit.load(str(folder / desc["file"]))
    x = probe_image(h, w, seed=42)
    with torch.no_grad():
        y = ts(x, torch.tensor([PROMPT]))
    par = REPO / "src" / "test" / "resources" / "parity"
    par.mkdir(parents=True, exist_ok=True)
    name = (prefix + "-") if prefix else ""
    x.numpy().astype("<f4").tofile(par / f"{name}input.f32")
    y.numpy().astype("<f4").tofile(par / f"{name}output.f32")
    meta = {"model": model_ref, "sha256": desc["sha256"], "input": f"{name}input.f32", "output": f"{name}output.f32",
            "input_shape": list(x.shape), "output_shape": list(y.shape), "prompt_index": PROMPT,
            "prompt": desc["prompts"][int(PROMPT)], "dtype": "float32 little-endian, NCHW",
            "tolerance_hint": 1e-4, "torch": torch.__version__}
    (par / f"{prefix or 'parity'}.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta))


def export_training_info(run):
    from sanasr.export import training_info
    return training_info(run)


if __name__ == "__main__":
    main()
