#!/usr/bin/env python3
"""Realism speed against the frozen prior (issue 15 target: at least 10x Real-ESRGAN x4plus through `./sana-sr`,
measured in the same run): whole commands, alternating, on the same input.

    taskset -c 1 /usr/bin/python3 bench/realism_speed.py [--model models/sana-sr-compact-x4] [--runs 3] \
        [--size 256] [--out bench/results]

Methods, each a fresh process per run:
- ``./sana-sr IMAGE --prompt P`` for the model's first realism prompt and for its default (fidelity) prompt,
  float32 file (``--precision float32``) and the model's ``auto`` choice;
- ``bench/peers/realesrgan.py IMAGE OUT`` (Real-ESRGAN x4plus in PyTorch fp32, converted weights).
Each method runs on a ``--size`` RGB PNG and on a 16x16 one; output MP/s = (size*4)^2 / (median wall of the big
run - median wall of the small run), so process start, model loading and writing cancel out. Runs alternate
between methods so that a drifting machine affects all alike. The ratio is of those MP/s. Threads: whatever
each program takes on the CPUs it is given (run it under ``taskset -c 1`` to give both one core).
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from cli_speed import cpu_name, timed, write_json  # noqa: E402


def commands(model: str, desc: dict, image: str, out: str) -> dict:
    modes = desc.get("prompt_modes", {})
    realism = next((p for p in desc["prompts"] if modes.get(p) == "realism"), None)
    base = ["./sana-sr", image, "--output", out, "--model", model, "--device", "cpu", "--overwrite"]
    cmds = {}
    if realism:
        cmds[f"sana-sr {realism} (realism), float32"] = base + ["--prompt", realism, "--precision", "float32"]
        cmds[f"sana-sr {realism} (realism), precision auto"] = base + ["--prompt", realism, "--precision", "auto"]
    cmds[f"sana-sr {desc['default_prompt']} (fidelity), float32"] = base + ["--precision", "float32"]
    cmds["Real-ESRGAN x4plus (PyTorch fp32)"] = [sys.executable, "bench/peers/realesrgan.py", image,
                                                  os.path.join(out, "x4plus.png")]
    return cmds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="models/sana-sr-compact-x4")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    a = ap.parse_args(argv)
    with open(os.path.join(REPO, a.model, "model.json")) as f:
        desc = json.load(f)
    from PIL import Image
    tmp = tempfile.mkdtemp(prefix="sanasr-realism-speed-")
    try:
        images = {}
        with Image.open(os.path.join(REPO, "sample-images", "retina.png")) as im:
            for side in (a.size, 16):
                images[side] = os.path.join(tmp, f"retina{side}.png")
                im.convert("RGB").resize((side, side), Image.BICUBIC).save(images[side])
        out = os.path.join(tmp, "out")
        os.makedirs(out)
        names = list(commands(a.model, desc, images[16], out))
        walls = {(n, s): [] for n in names for s in images}
        for n in names:                                    # warm-up: file caches, JIT of the first run
            timed(commands(a.model, desc, images[16], out)[n])
        for _ in range(a.runs):
            for side in images:
                cmds = commands(a.model, desc, images[side], out)
                for n in names:
                    walls[(n, side)].append(timed(cmds[n])["wall_s"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out_mpix = (4 * a.size) ** 2 / 1e6
    rows = {}
    for n in names:
        big, small = statistics.median(walls[(n, a.size)]), statistics.median(walls[(n, 16)])
        rows[n] = {"wall_s_big": walls[(n, a.size)], "wall_s_small": walls[(n, 16)],
                   "output_mpix_per_s": out_mpix / (big - small) if big > small else None}
    peer = rows["Real-ESRGAN x4plus (PyTorch fp32)"]["output_mpix_per_s"]
    for r in rows.values():
        r["times_x4plus"] = r["output_mpix_per_s"] / peer if r["output_mpix_per_s"] and peer else None
    doc = {"benchmark": f"whole commands, {a.size}x{a.size} RGB PNG minus 16x16, alternating (issue 15 speed target)",
           "command": "bench/realism_speed.py " + " ".join(sys.argv[1:] if argv is None else argv),
           "machine": {"cpu": cpu_name(), "cpus_available": len(os.sched_getaffinity(0)),
                       "platform": platform.platform(),
                       "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
           "model": {k: desc.get(k) for k in ("name", "version", "sha256")}, "runs": a.runs, "methods": rows}
    os.makedirs(a.out, exist_ok=True)
    stem = os.path.join(a.out, f"realism-speed-{desc['name']}-{desc['version']}")
    write_json(stem + ".json", doc)
    m = doc["machine"]
    lines = [f"Realism speed, {desc['name']} {desc['version']}: {m['cpu']}, {m['cpus_available']} CPU(s) given, "
             f"{m['date']}; median of {a.runs} alternating runs; output MP/s = {out_mpix:.2f} MP / (big run - 16-px "
             "run). Target: realism >= 10x Real-ESRGAN x4plus.", "",
             "| method | output MP/s | x Real-ESRGAN x4plus |", "|---|---|---|"]
    for n, r in rows.items():
        mps, ratio = r["output_mpix_per_s"], r["times_x4plus"]
        lines.append(f"| {n} | {f'{mps:.3f}' if mps else 'n/a'} | {f'{ratio:.1f}' if ratio else 'n/a'} |")
    with open(stem + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
