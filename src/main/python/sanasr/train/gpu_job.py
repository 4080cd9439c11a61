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
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time

_T0 = time.time()   # the job's clock starts before torch is imported and the data is read
from typing import Dict, List, Optional

import numpy as np
import torch

# torch >= 2.6 loads with weights_only=True by default, and train.common.load_checkpoint passes no
# weights_only (1.13 cannot take weights_only=False portably on every call path). The stage checkpoints
# are this job's own files in its own folder, so full unpickling is safe; torch reads this at each load.
os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

from . import adapt, autoencoder, common as C, prior, prune
from .. import config as cfgmod
from .. import export as E
from ..files import sha256_of as sha256_file

STAGE_MODULES = {"autoencoder": autoencoder, "prior": prior, "adapt": adapt, "prune": prune}
FORMAT = "sanasr-gpu-checkpoint/1"
MANIFEST = "manifest.json"
LOG = "train.jsonl"
PART_PREFIX = "weights.npz."
PART_BYTES = 15 * 1024 * 1024
# What may come back from $OUT: 8 files (manifest, train.jsonl, console.log of the shell script, parts),
# 16 MiB each, 64 MiB together. The parts get 5 files and 60 MiB; the logs the rest.
MAX_PARTS = 5
MAX_PART_TOTAL = 60 * 1024 * 1024
RESUME_FP32_MAX = 30 * 1024 * 1024   # see pack_resume
GPU_DEFAULTS = {"batch": 16, "crop": 256}   # CPU presets use 4 x 128 (compact) / 2 x 64 (tiny)


# ---------------------------------------------------------------- parts and manifest



def write_parts(npz_path: str, out: str, part_bytes: int = PART_BYTES) -> List[dict]:
    """Cut the .npz into byte parts in ``out``; removes parts of an earlier, longer set."""
    size = os.path.getsize(npz_path)
    n = max(1, -(-size // part_bytes))
    if n > MAX_PARTS or size > MAX_PART_TOTAL:
        raise RuntimeError(f"weights are {size / 2**20:.1f} MiB: more than {MAX_PARTS} parts or "
                           f"{MAX_PART_TOTAL / 2**20:.0f} MiB would not come back from the device")
    parts = []
    with open(npz_path, "rb") as f:
        for i in range(n):
            name = f"{PART_PREFIX}{i:03d}"
            data = f.read(part_bytes)
            with open(os.path.join(out, name), "wb") as g:
                g.write(data)
            parts.append({"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    for stale in os.listdir(out):
        if stale.startswith(PART_PREFIX) and stale not in {p["name"] for p in parts}:
            os.remove(os.path.join(out, stale))
    return parts


def read_manifest(folder: str) -> dict:
    with open(os.path.join(folder, MANIFEST)) as f:
        man = json.load(f)
    if man.get("format") != FORMAT:
        raise ValueError(f"{folder}/{MANIFEST}: format {man.get('format')!r}, expected {FORMAT!r}")
    return man


def assemble(folder: str, npz_path: str) -> dict:
    """Concatenate the parts named in the manifest into ``npz_path``; checks every SHA-256. -> manifest."""
    man = read_manifest(folder)
    os.makedirs(os.path.dirname(os.path.abspath(npz_path)), exist_ok=True)
    with open(npz_path, "wb") as g:
        for p in man["parts"]:
            with open(os.path.join(folder, p["name"]), "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() != p["sha256"]:
                raise ValueError(f"part {p['name']} does not match its SHA-256 (cut off while writing?)")
            g.write(data)
    if sha256_file(npz_path) != man["npz_sha256"]:
        raise ValueError("reassembled .npz does not match the manifest's SHA-256")
    return man


def write_json_atomic(path: str, obj: dict):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------- logs

class LogMirror:
    """Keeps ``out/train.jsonl`` = job records + every stage's JSON-lines log, refreshed every ``period`` s."""

    def __init__(self, run: str, out: str, period: float = 20.0):
        self.run, self.path, self.period = run, os.path.join(out, LOG), period
        self.job_records: List[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sync()

    def record(self, **rec):
        rec["time"] = round(time.time(), 3)
        line = json.dumps(rec)
        print(line, flush=True)
        with self._lock:
            self.job_records.append(line)
        self.sync()

    def sync(self):
        with self._lock:
            lines = list(self.job_records)
            for st in C.STAGES:
                p = os.path.join(self.run, f"{st}.jsonl")
                if os.path.exists(p):
                    with open(p) as f:
                        lines += [l.rstrip("\n") for l in f if l.strip()]
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                f.write("\n".join(lines) + "\n")
            os.replace(tmp, self.path)

    def _loop(self):
        while not self._stop.wait(self.period):
            self.sync()


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


# ---------------------------------------------------------------- back here: resume bundle, export

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
