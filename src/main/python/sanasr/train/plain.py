"""Training of a model without a latent path (the ablation's plain trunk and the reference network).

One stage, two phases in one time box, the same data and losses as the latent model's stages:
1. the first ``split[0] / sum(split)`` of the minutes on clean pairs (``PairSource.clean_lr``), like stage a;
2. the rest on the preset's degradation mixture, like stages c/d, with the stage-c pixel loss (relative to
   bicubic's when ``pix_relative``).
The learning rate follows ``schedule_lr`` per phase, from ``lr_ae`` in phase 1 and ``lr_adapt`` in phase 2. Checkpoint ``plain.pt``, log ``plain.jsonl``.

    /usr/bin/python3 -m sanasr.train.plain --run runs/ref --preset reference --minutes 30
"""
from __future__ import annotations

import time

import torch

from . import common as C
from .validate import val_slice

STAGE = "plain"


def pixel_objective(model, lr, target, preset) -> tuple:
    out = model.sr(lr, torch.zeros(lr.shape[0], device=lr.device))
    return C.sr_pixel_loss(model.sr, out, lr, target, preset.train), out


def run(args) -> dict:
    device, blob, model = C.first_stage_start(args, STAGE)
    preset, tc = model.preset, model.preset.train
    if preset.sr.trunk_width <= 0 or preset.sr.latent_path:
        raise SystemExit("sanasr.train.plain trains models without a latent path (trunk_width > 0, latent_path off)")
    model.to(device).train()
    params = list(model.sr.parameters())
    optim = torch.optim.Adam(params, lr=tc.lr_ae)
    step, elapsed = 0, 0.0
    if blob:
        optim.load_state_dict(blob["optim"])
        step, elapsed = blob["step"], blob["elapsed"]
    clean_src = C.pair_source(args, preset, device, args.seed + step, degraded=False)
    mixed_src = C.pair_source(args, preset, device, args.seed + 2000 + step)
    log = C.JsonlLog(args.run, STAGE)
    val = val_slice(args)
    clean_share = tc.split[0] / sum(tc.split)
    boxes = (C.TimeBox(args.minutes * clean_share), C.TimeBox(args.minutes * (1 - clean_share)))
    box = C.TimeBox(args.minutes, elapsed, args.max_steps)
    last_save = time.time()
    first = last = None
    while box.running(step):
        phase = 0 if box.elapsed < boxes[0].budget else 1
        phase_box = C.TimeBox(boxes[phase].budget / 60.0, box.elapsed - (0 if phase == 0 else boxes[0].budget))
        C.schedule_lr(optim, tc.lr_ae if phase == 0 else tc.lr_adapt, phase_box, tc.cosine)
        if phase == 0:
            hr, _ = clean_src.hr(tc.batch)
            lr, target = clean_src.clean_lr(hr), hr
        else:
            hr, sources = mixed_src.hr(tc.batch)
            lr, target, _ = mixed_src.pairs(hr, sources)
        with C.autocast(device):
            loss, out = pixel_objective(model, lr, target, preset)
        C.optimiser_step(optim, loss, params)
        step += 1
        last = loss.item()
        first = last if first is None else first
        if step % 10 == 0 or step == 1:
            log.write(stage=STAGE, step=step, phase=phase, loss=last, psnr=C.psnr(out.detach(), target),
                      psnr_bicubic=C.psnr(model.sr.upsample(lr), target), elapsed=box.elapsed)
        if val is not None:
            val.maybe_log(log, model.sr, STAGE, step, box.elapsed)
        if time.time() - last_save > 120:
            C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=False)
            last_save = time.time()
    final_val = val.maybe_log(log, model.sr, STAGE, step, box.elapsed, force=True) if val is not None else None
    C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=True)
    log.write(stage=STAGE, step=step, done=True, elapsed=box.elapsed)
    return {"stage": STAGE, "steps": step, "first_loss": first, "last_loss": last, "minutes": box.elapsed / 60,
            "val": final_val}


def main(argv=None):
    args = C.base_args(__doc__).parse_args(argv)
    print(run(args))


if __name__ == "__main__":
    main()
