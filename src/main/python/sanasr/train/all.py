"""Stages a-e in one command with one minute budget, then export (and validation metrics).

    nice -n 10 /usr/bin/python3 -m sanasr.train.all --preset compact --minutes 40 --run runs/compact \
        --out models/sana-sr-compact-x4 --name sana-sr-compact-x4 --version 0.1.0

The budget minus a reserve for export/evaluation is split over a, b, c, d by ``TrainConfig.split``. Each stage
is resumable: rerunning the same command continues where a stage stopped (stages already at their share
are skipped). ``--eval-max-side`` centre-crops validation images for a quicker evaluation (0 = full).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

from . import adapt, autoencoder, common as C, plain, prior, prune
from .. import export as E

STAGE_MODULES = (autoencoder, prior, adapt, prune)
# a model without a latent path (the ablation's plain trunk, the reference network) has one stage
PLAIN_MODULES = (plain,)


def main(argv=None):
    ap = C.base_args(__doc__)
    ap.add_argument("--out", required=True, help="model folder to write")
    ap.add_argument("--name", required=True)
    ap.add_argument("--version", default="0.1.0")
    ap.add_argument("--reserve", type=float, default=-1, help="minutes kept for export + evaluation "
                    "(default: 15%% of the budget, at most 6)")
    ap.add_argument("--eval-max-side", type=int, default=256, help="0 = full images, -1 = skip evaluation")
    ap.add_argument("--init-trunk", help="stage a starts the trunk from this checkpoint's trunk (e.g. "
                    "runs/x/plain.pt of a compact-plain run); recorded in the descriptor")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = ap.parse_args(argv)
    t0 = time.time()
    preset = C.preset_from_args(args)
    threads = C.setup_threads(args.threads or preset.train.threads)
    reserve = args.reserve if args.reserve >= 0 else min(6.0, 0.15 * args.minutes)
    train_minutes = max(args.minutes - reserve, 0.1)
    has_latent = preset.sr.trunk_width <= 0 or preset.sr.latent_path
    modules = STAGE_MODULES if has_latent else PLAIN_MODULES
    split = preset.train.split if has_latent else (1.0,)
    results = []
    for mod, frac in zip(modules, split):
        stage_args = argparse.Namespace(**vars(args))
        stage_args.minutes = train_minutes * frac / sum(split)
        r = mod.run(stage_args)
        print(json.dumps(r), flush=True)
        results.append(r)
    model = E.load_model(C.ckpt_path(args.run, modules[-1].STAGE))
    training = E.training_info(args.run)
    from ..evaluate import repo_relative
    training.update({"device": C.pick_device(args.device).type, "data": repo_relative(args.data),
                     "command": "python -m sanasr.train.all " + " ".join(argv),
                     "threads": threads, "torch": torch.__version__, "preset": preset.name,
                     "total_minutes_with_export": None})
    if args.init_trunk:
        blob = torch.load(args.init_trunk, map_location="cpu")
        training["init_trunk"] = {"from": args.init_trunk, "preset": blob["preset"]["name"], "steps": blob["step"],
                                  "minutes": round(blob["elapsed"] / 60, 2)}
        training["minutes_including_init_trunk"] = round(training["minutes"] + blob["elapsed"] / 60, 2)
    E.save_npz(model, os.path.join(args.run, "final.npz"))
    desc = E.export(model, args.out, args.name, args.version, training=training)
    if args.eval_max_side >= 0 and os.path.isdir(args.val):
        from ..evaluate import evaluate
        res = evaluate(args.val, ["bicubic", "model"], model=args.out, max_side=args.eval_max_side or None)
        metrics = dict(res["headline"])
        metrics["protocol"] = {"max_side": args.eval_max_side or None, "see": "sanasr.evaluate"}
        E.update_metrics(args.out, metrics)
        print(json.dumps(metrics), flush=True)
    print(json.dumps({"exported": args.out, "sha256": desc["sha256"], "halo": desc["halo"],
                      "bytes_per_output_pixel": desc["bytes_per_output_pixel"],
                      "minutes": round((time.time() - t0) / 60, 2)}), flush=True)


if __name__ == "__main__":
    main()
