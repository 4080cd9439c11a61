"""Writes the cross-language fixture for the Java side (run from the repository root):

    /usr/bin/python3 src/test/python/make_parity_fixture.py [--minutes 1.5]

1. trains the tiny preset briefly (stages a-d, so the weights are not trivial) and exports it to
   src/test/resources/models/sana-sr-tiny-x4/ (model folder per docs/model-format.md);
2. writes src/test/resources/parity/: input.f32 (a fixed 1x3x16x24 input), output.f32 (the exported
   TorchScript's output, 1x3x64x96), both raw little-endian float32 in NCHW order, and parity.json with the
   shapes, the prompt index and the SHA-256 of the .pt the output came from.
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

NAME = "sana-sr-tiny-x4"
PROMPT = 2.0   # "fluorescence": a non-default prompt, so the Java side must pass it through


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=40, help="steps per training stage")
    args = ap.parse_args()
    torch.manual_seed(0)
    run = tempfile.mkdtemp(prefix="parity_run_")
    for mod in (autoencoder, prior, adapt, prune):
        ns = argparse.Namespace(run=run, preset="tiny", minutes=10.0, max_steps=args.steps, data=C.DEFAULT_DATA,
                                device="cpu", threads=1, seed=0, batch=0, lr_entry=None, lr_guided=None)
        print(mod.run(ns))
    model = load_model(C.ckpt_path(run, "prune"))
    out_dir = REPO / "src" / "test" / "resources" / "models" / NAME
    desc = export(model, str(out_dir), NAME, "0.0.1", description="tiny test model (parity fixture, not for use)",
                  training=dict(export_training_info(run), device="cpu"))
    ts = torch.jit.load(str(out_dir / desc["file"]))
    x = probe_image(16, 24, seed=42)
    with torch.no_grad():
        y = ts(x, torch.tensor([PROMPT]))
    par = REPO / "src" / "test" / "resources" / "parity"
    par.mkdir(parents=True, exist_ok=True)
    x.numpy().astype("<f4").tofile(par / "input.f32")
    y.numpy().astype("<f4").tofile(par / "output.f32")
    meta = {"model": f"models/{NAME}", "sha256": desc["sha256"], "input": "input.f32", "output": "output.f32",
            "input_shape": list(x.shape), "output_shape": list(y.shape), "prompt_index": PROMPT,
            "prompt": desc["prompts"][int(PROMPT)], "dtype": "float32 little-endian, NCHW",
            "tolerance_hint": 1e-4}
    (par / "parity.json").write_text(json.dumps(meta, indent=2) + "\n")
    shutil.rmtree(run, ignore_errors=True)
    print(json.dumps(meta))


def export_training_info(run):
    from sanasr.export import training_info
    return training_info(run)


if __name__ == "__main__":
    main()
