"""One-call GPU training job: stages a-d in one wall-clock budget, weights to $OUT after every stage.

On the device machine (see docs/gpu-training.md and scripts/gpu-train.sh):

    python3 -m sanasr.train.gpu_job --preset compact --minutes 9 --data .train-data --out $OUT \
        [--resume .train-data/resume]

Back here (Debian's torch 1.13), from the files that came back:

    /usr/bin/python3 -m sanasr.train.gpu_job export --from DIR --out models/NAME --name NAME --version 1.0.0
    /usr/bin/python3 -m sanasr.train.gpu_job assemble --from DIR --npz weights.npz   # for sanasr.export
    /usr/bin/python3 -m sanasr.train.gpu_job pack-resume --from DIR --to .train-data/resume  # next call

Why this shape (the device's rules, in the device tool's README): one call of at most 10 minutes,
at most 8 files of at most 16 MiB come back, and the device runs PyTorch 2.x while the export runs here on
1.13. So the job
- splits ``--minutes`` (the whole job's wall clock, data loading and checkpoint writes included) over the
  stages still to run by ``TrainConfig.split``, re-dividing what is left before each stage, so that slow
  start-up or pruning shrinks the later stages instead of overrunning the call;
- after each stage writes the full training model (hr_encoder and LoRA included, so the next stage can
  start from it) as one fp32 ``.npz`` (``sanasr.export.save_npz``, readable by any torch/numpy), cut into
  byte parts ``weights.npz.000``, ... of at most 15 MiB, plus ``manifest.json`` (stages done, steps,
  minutes, pruning report, SHA-256 of the whole .npz and of each part) and ``train.jsonl`` (all stage logs,
  mirrored every 20 s so that a killed call still brings its log back). The previous stage's parts are
  overwritten; the manifest is written last, so a call killed while writing parts is detected by the
  SHA-256 check when reassembling;
- resumes from such a folder (``--resume``): the last completed stage is rebuilt as a checkpoint and the
  job continues with the next stage (a stage cut off by the call's end restarts from its beginning);
- on CUDA uses bf16 autocast (``common.autocast``), TF32, cuDNN autotuning, and larger batches and crops than
  the CPU preset (``--batch`` / ``--crop``; the data pipeline stays on the CPU).
It never writes TorchScript: that is done here with ``export`` (``sanasr.export.export``).

Modules: the parts and the manifest are ``gpu_parts``, the log mirror ``gpu_log``, the work back here
(reassembly, resume bundle, export) ``gpu_results``; this one is the job and the CLI, and keeps the old
import path of every name.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time

_T0 = time.time()   # the job's clock starts before torch is imported and the data is read
from typing import Dict, List

import torch

# torch >= 2.6 loads with weights_only=True by default, and train.common.load_checkpoint passes no
# weights_only (1.13 cannot take weights_only=False portably on every call path). The stage checkpoints
# are this job's own files in its own folder, so full unpickling is safe; torch reads this at each load.
os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

from . import adapt, autoencoder, common as C, prior, prune
from .. import config as cfgmod
from .. import export as E
from ..files import sha256_of as sha256_file
from .gpu_log import LOG, LogMirror  # noqa: F401
from .gpu_parts import (  # noqa: F401
    FORMAT, MANIFEST, MAX_PART_TOTAL, MAX_PARTS, PART_BYTES, PART_PREFIX, assemble, read_manifest,
    write_json_atomic, write_parts)
from .gpu_results import (  # noqa: F401
    RESUME_FP32_MAX, _sub_main, export_from_folder, pack_resume, training_info)

STAGE_MODULES = {"autoencoder": autoencoder, "prior": prior, "adapt": adapt, "prune": prune}
GPU_DEFAULTS = {"batch": 16, "crop": 256}   # CPU presets use 4 x 128 (compact) / 2 x 64 (tiny)


@contextlib.contextmanager
def shared_train_pool():
    """Decode the training images once for all stages (each stage builds its own PairSource, which would
    decode the 71 images again: about 2 s each time). Sampling is stateless (the generator is passed in),
    so sharing the pool changes no crop."""
    from .. import data
    original = data.TrainPool
    cache: Dict[tuple, object] = {}

    def pool(root, crop=256, **kw):
        key = (os.path.abspath(root), crop, tuple(sorted(kw.items())))
        if key not in cache:
            cache[key] = original(root, crop=crop, **kw)
        return cache[key]

    data.TrainPool = pool
    try:
        yield
    finally:
        data.TrainPool = original


# ---------------------------------------------------------------- the job

def stage_args(a, stage_minutes: float) -> argparse.Namespace:
    return argparse.Namespace(run=a.run, preset=a.preset, minutes=stage_minutes, max_steps=a.max_steps,
                              data=a.data, device=a.device, threads=a.threads, seed=a.seed, batch=0,
                              lr_entry=None, lr_guided=None)


def apply_overrides(preset: cfgmod.Preset, batch: int, crop: int):
    if batch:
        preset.train.batch = batch
    if crop:
        compression = preset.ae.compression
        if crop % compression:
            raise SystemExit(f"--crop must be a multiple of {compression}")
        preset.train.crop = crop


def seed_first_stage(a, device: torch.device):
    """Stage a builds its model from ``--preset`` alone; to train with the GPU batch and crop, its
    checkpoint is written here first (step 0, fresh optimiser) and the stage resumes from it. The later
    stages read batch and crop from the checkpoint's preset."""
    preset = cfgmod.preset(a.preset)
    apply_overrides(preset, a.batch, a.crop)
    torch.manual_seed(a.seed)
    model = C.SanaSR(preset)
    optim = torch.optim.AdamW(autoencoder.trainable(model), lr=preset.train.lr_ae, weight_decay=0.0)
    C.save_checkpoint(a.run, "autoencoder", model, optim, 0, 0.0, done=False)


def restore_from_folder(a, folder: str) -> List[dict]:
    """Rebuild the last completed stage's checkpoint in the run folder from a previous call's files."""
    man = read_manifest(folder)
    npz = os.path.join(a.run, "resume.npz")
    assemble(folder, npz)
    model = E.load_npz(npz)
    apply_overrides(model.preset, a.batch, a.crop)
    last = man["stages"][-1]
    extra = {"report": last["report"]} if "report" in last else {}
    C.save_checkpoint(a.run, last["stage"], model, None, last["steps"], last["minutes"] * 60, True, extra)
    os.remove(npz)
    return man["stages"]


def stage_summary(run: str, stage: str) -> dict:
    blob = C.load_checkpoint(run, stage, torch.device("cpu"))
    entry = {"stage": stage, "steps": blob["step"], "minutes": round(blob["elapsed"] / 60, 3)}
    if "report" in blob.get("extra", {}):
        entry["report"] = {k: v for k, v in blob["extra"]["report"].items() if k != "units"}
    return entry


def finite(model: torch.nn.Module) -> bool:
    return all(bool(torch.isfinite(v).all()) for v in model.state_dict().values() if v.is_floating_point())


def publish(a, stage: str, stages: List[dict], meta: dict):
    """Weights after ``stage`` -> parts + manifest in ``a.out``."""
    model = E.load_model(C.ckpt_path(a.run, stage))
    if not finite(model):
        raise RuntimeError(f"non-finite weights after stage {stage}; the previous stage's files are kept")
    npz = os.path.join(a.run, "weights.npz")
    E.save_npz(model, npz)
    parts = write_parts(npz, a.out)
    man = dict(meta, format=FORMAT, stage=stage, stages=stages, parts=parts, npz_sha256=sha256_file(npz),
               npz_bytes=os.path.getsize(npz), parameters=sum(v.numel() for v in model.state_dict().values()),
               preset=model.preset.to_dict(), updated=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    write_json_atomic(os.path.join(a.out, MANIFEST), man)
    os.remove(npz)


def device_description(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return device.type


def train(a) -> dict:
    t0 = time.time() if a.t0 is None else a.t0
    deadline = t0 + a.minutes * 60.0
    device = C.pick_device(a.device)
    if device.type == "cuda":
        # TF32 for the fp32 parts, autotuned convolutions for the fixed crop size (both in 1.13 and 2.x)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
        a.batch = a.batch or GPU_DEFAULTS["batch"]
        a.crop = a.crop or GPU_DEFAULTS["crop"]
    threads = C.setup_threads(a.threads)
    a.threads = threads
    os.makedirs(a.out, exist_ok=True)
    own_run = a.run is None
    a.run = a.run or tempfile.mkdtemp(prefix="sanasr-gpu-run-")
    split = dict(zip(C.STAGES, cfgmod.preset(a.preset).train.split if not a.split else a.split))
    meta = {"device": device_description(device), "torch": torch.__version__, "data": a.data,
            "job": {k: v for k, v in vars(a).items() if k not in ("t0", "func")}}
    stages: List[dict] = restore_from_folder(a, a.resume) if a.resume else []
    done = [s["stage"] for s in stages]
    todo = [st for st in C.STAGES if st not in done]
    if a.stop_after:
        todo = todo[:todo.index(a.stop_after) + 1] if a.stop_after in todo else []
    try:
        with LogMirror(a.run, a.out) as log, shared_train_pool():
            log.record(event="start", device=meta["device"], torch=torch.__version__, threads=threads,
                       resumed_stages=done, todo=todo, minutes=a.minutes, batch=a.batch, crop=a.crop)
            if "autoencoder" in todo and C.load_checkpoint(a.run, "autoencoder", torch.device("cpu")) is None:
                seed_first_stage(a, device)
            for i, st in enumerate(todo):
                # this stage's share of what is left, keeping a few seconds for writing the weights
                left = max(deadline - time.time() - a.write_reserve_s, 0.0)
                share = split[st] / sum(split[s] for s in todo[i:])
                blob = C.load_checkpoint(a.run, st, torch.device("cpu"))
                already = blob["elapsed"] if blob is not None else 0.0
                minutes = (already + left * share) / 60.0
                result = STAGE_MODULES[st].run(stage_args(a, minutes))
                stages.append(stage_summary(a.run, st))
                publish(a, st, stages, meta)
                log.record(event="stage_done", wall_s=round(time.time() - t0, 1), **result)
            log.record(event="end", wall_s=round(time.time() - t0, 1), stages=[s["stage"] for s in stages])
    finally:
        if own_run:
            shutil.rmtree(a.run, ignore_errors=True)
    return read_manifest(a.out) if os.path.exists(os.path.join(a.out, MANIFEST)) else {}


def parse_train_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="compact", choices=sorted(cfgmod.PRESETS))
    ap.add_argument("--minutes", type=float, default=9.0, help="wall clock of the whole job")
    ap.add_argument("--data", default=C.DEFAULT_DATA)
    ap.add_argument("--out", required=True, help="where the parts, manifest and log go ($OUT)")
    ap.add_argument("--resume", help="folder of a previous call's files (manifest.json + parts)")
    ap.add_argument("--run", help="working folder for the stage checkpoints (default: a temporary one)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = auto by load)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=0, help=f"0 = preset's on CPU, {GPU_DEFAULTS['batch']} on CUDA")
    ap.add_argument("--crop", type=int, default=0, help=f"HR crop; 0 = preset's on CPU, {GPU_DEFAULTS['crop']} on CUDA")
    ap.add_argument("--split", type=float, nargs=4, help="time shares of stages a b c d (default: the preset's)")
    ap.add_argument("--max-steps", type=int, default=0, help="step limit per stage (tests)")
    ap.add_argument("--stop-after", choices=C.STAGES, help="end after this stage (tests)")
    ap.add_argument("--write-reserve-s", type=float, default=5.0, help="seconds kept per stage for the write")
    a = ap.parse_args(argv)
    a.t0 = None
    return a


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("assemble", "export", "pack-resume"):
        return _sub_main(argv)
    a = parse_train_args(argv)
    a.t0 = _T0
    man = train(a)
    print(json.dumps({"stage": man.get("stage"), "parts": [p["name"] for p in man.get("parts", [])],
                      "wall_s": round(time.time() - _T0, 1)}), flush=True)

if __name__ == "__main__":
    main()
