"""The GPU job's weights on the way back: byte parts of one .npz, and the manifest that names them.

After each stage the job writes the training model as one fp32 ``.npz``, cut into ``weights.npz.000``, ...
of at most 15 MiB, plus ``manifest.json`` (stages done, steps, minutes, SHA-256 of the whole .npz and of each
part). The manifest is written last (atomically), so a call killed while writing parts is detected by the
SHA-256 check when reassembling."""
from __future__ import annotations

import hashlib
import json
import os
from typing import List

from ..files import sha256_of as sha256_file

FORMAT = "sanasr-gpu-checkpoint/1"
MANIFEST = "manifest.json"
PART_PREFIX = "weights.npz."
PART_BYTES = 15 * 1024 * 1024
# What may come back from $OUT: 8 files (manifest, train.jsonl, console.log of the shell script, parts),
# 16 MiB each, 64 MiB together. The parts get 5 files and 60 MiB; the logs the rest.
MAX_PARTS = 5
MAX_PART_TOTAL = 60 * 1024 * 1024


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
