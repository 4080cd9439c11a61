"""The GPU job's files back here (Debian's torch 1.13): reassemble, pack a resume bundle for the next call,
export a model folder. The ``assemble``, ``export`` and ``pack-resume`` subcommands of ``sanasr.train.gpu_job``."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from typing import List, Optional

import numpy as np

from . import common as C
from .. import export as E
from ..files import sha256_of as sha256_file
from .gpu_parts import MANIFEST, assemble, write_json_atomic, write_parts

RESUME_FP32_MAX = 30 * 1024 * 1024   # see pack_resume


def pack_resume(folder: str, dest: str, max_fp32_bytes: int = RESUME_FP32_MAX) -> dict:
    """A previous call's files -> a resume folder for the next call's carry (same format).

    The carried tree may hold 64 MiB, of which the training images take about 20 and the repository a few;
    the compact model before pruning is 56 MiB in fp32. So weights above ``max_fp32_bytes`` travel as
    float16 (large tensors only; ``load_npz`` casts back to fp32). That costs nothing a resumed stage would
    notice: its matrix products run in bf16 under autocast anyway, and the optimiser restarts regardless."""
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "weights.npz")
        man = assemble(folder, npz)
        dtype = "float32"
        if os.path.getsize(npz) > max_fp32_bytes:
            with np.load(npz) as z:
                arrays = {k: (z[k].astype(np.float16) if z[k].dtype == np.float32 and z[k].size >= 4096
                              else z[k]) for k in z.files}
            np.savez(npz, **arrays)
            dtype = "float16"
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        os.makedirs(dest)
        man = dict(man, parts=write_parts(npz, dest), npz_sha256=sha256_file(npz), npz_bytes=os.path.getsize(npz),
                   resume_dtype=dtype, packed_from=os.path.abspath(folder))
        write_json_atomic(os.path.join(dest, MANIFEST), man)
    return man



def training_info(man: dict) -> dict:
    """The descriptor's ``training`` block from a manifest (like sanasr.export.training_info)."""
    info = {"steps": {s["stage"]: s["steps"] for s in man["stages"]},
            "stages": [{k: v for k, v in s.items() if k != "report"} for s in man["stages"]],
            "minutes": round(sum(s["minutes"] for s in man["stages"]), 2),
            "device": man["device"], "torch": man["torch"],
            "batch": man["preset"]["train"]["batch"], "crop": man["preset"]["train"]["crop"],
            "command": "python3 -m sanasr.train.gpu_job (scripts/gpu-train.sh run)"}
    prune_stage = [s for s in man["stages"] if s["stage"] == "prune" and "report" in s]
    if prune_stage:
        rep = prune_stage[0]["report"]
        info["stages"][-1].update({k: rep[k] for k in ("removed_blocks", "removed_heads", "removed_ffn_groups",
                                                       "dit_params_before", "dit_params_after") if k in rep})
    return info


def export_from_folder(folder: str, out_dir: str, name: str, version: str, description: Optional[str] = None,
                       npz_path: Optional[str] = None, measure_memory: bool = True) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        npz = npz_path or os.path.join(tmp, "weights.npz")
        man = assemble(folder, npz)
        if man["stage"] != "prune":
            print(f"warning: exporting after stage {man['stage']!r}, not the last stage", file=sys.stderr)
        model = E.load_npz(npz)
        return E.export(model, out_dir, name, version, description, training_info(man),
                        measure_memory=measure_memory)


def _sub_main(argv: List[str]):
    ap = argparse.ArgumentParser(prog="sanasr.train.gpu_job " + argv[0])
    ap.add_argument("--from", dest="folder", required=True, help="folder with manifest.json and the parts")
    if argv[0] == "pack-resume":
        ap.add_argument("--to", required=True, help="resume folder to (re)write, e.g. .train-data/resume")
        a = ap.parse_args(argv[1:])
        man = pack_resume(a.folder, a.to)
        print(json.dumps({"resume": a.to, "stage": man["stage"], "dtype": man["resume_dtype"],
                          "bytes": man["npz_bytes"], "parts": len(man["parts"])}))
        return
    if argv[0] == "assemble":
        ap.add_argument("--npz", required=True, help="write the reassembled weights here")
        a = ap.parse_args(argv[1:])
        man = assemble(a.folder, a.npz)
        print(json.dumps({"npz": a.npz, "stage": man["stage"], "sha256": man["npz_sha256"]}))
        return
    ap.add_argument("--out", required=True, help="model folder to write (docs/model-format.md)")
    ap.add_argument("--name", required=True)
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--description")
    ap.add_argument("--save-npz", help="also keep the reassembled .npz here")
    a = ap.parse_args(argv[1:])
    C.setup_threads(0)
    desc = export_from_folder(a.folder, a.out, a.name, a.version, a.description, a.save_npz)
    print(json.dumps({k: desc[k] for k in ("name", "version", "sha256", "halo", "bytes_per_output_pixel",
                                           "parameters", "training")}, indent=1))
