#!/usr/bin/env python3
"""Issue 18 item 1: one training step of the shipped compact model in fp32, bf16 autocast and bf16 autocast with
channels_last, timed alternately in one process (A B C A B C ...) so that the ratios hold when the machine's speed
drifts. The step is the refine stage's (forward, pixel + block-mean loss, backward, clip, Adam) on one fixed batch
of 16 LR crops of 32x32; data generation is left out (it is the same for all three).

    taskset -c 0 /usr/bin/python3 bench/train/step_speed.py [--rounds 8] [--threads 1] [--out bench/train/step_speed.json]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "src", "main", "python"))

import torch  # noqa: E402

from sanasr.model_folder import load_folder  # noqa: E402
from sanasr.train import common as C, refine  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(REPO, "models", "sana-sr-compact-x4"))
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--steps", type=int, default=5, help="steps per timing")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(HERE, "step_speed.json"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, desc = load_folder(a.model)
    tc = model.preset.train
    model.train()
    params = list(model.sr.parameters())
    optim = torch.optim.Adam(params, lr=1e-5)
    gen = torch.Generator().manual_seed(0)
    hr = torch.rand(16, 3, 128, 128, generator=gen)
    lr = torch.nn.functional.avg_pool2d(hr, 4)
    prompt = torch.zeros(16)

    def step(bf16: bool, channels_last: bool):
        x, y = lr, hr
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model.sr(x, prompt)
        out = out.float()
        loss = C.sr_pixel_loss(model.sr, out, x, y, tc) + 0.5 * refine.block_mean_loss(out, y)
        C.optimiser_step(optim, loss, params)

    variants = {"fp32": (False, False), "bf16": (True, False), "bf16_channels_last": (True, True)}
    times = {k: [] for k in variants}
    for name, (b, cl) in variants.items():      # warm-up
        if cl:
            model.to(memory_format=torch.channels_last)
        step(b, cl)
        model.to(memory_format=torch.contiguous_format)
    for _ in range(a.rounds):
        for name, (b, cl) in variants.items():
            if cl:
                model.to(memory_format=torch.channels_last)
            t = time.perf_counter()
            for _ in range(a.steps):
                step(b, cl)
            times[name].append((time.perf_counter() - t) / a.steps)
            model.to(memory_format=torch.contiguous_format)
    med = {k: statistics.median(v) for k, v in times.items()}
    res = {"date": datetime.date.today().isoformat(), "machine": refine_machine(a.threads),
           "model": f"{desc['name']} {desc['version']}", "batch": "16 x 3 x 32 x 32 LR -> 128 x 128",
           "threads": a.threads, "rounds": a.rounds, "steps_per_timing": a.steps, "torch": torch.__version__,
           "median_step_s": {k: round(v, 4) for k, v in med.items()},
           "speed_vs_fp32": {k: round(med["fp32"] / v, 3) for k, v in med.items()},
           "all_step_s": {k: [round(x, 4) for x in v] for k, v in times.items()}}
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    print(json.dumps({k: res[k] for k in ("median_step_s", "speed_vs_fp32")}))


def refine_machine(threads: int) -> str:
    from sanasr.train.release import machine
    return machine(threads, False, "cpu").rsplit(",", 1)[0] + f", {platform.python_version()}"


if __name__ == "__main__":
    main()
