"""Stage b: the generative prior - the DiT trained by flow matching on HR latents, prompt-conditioned.

    z0 = s * E_hr(hr)            (frozen autoencoder of stage a)
    sigma ~ logit-normal(0, 1), shifted: sigma' = f sigma / (1 + (f - 1) sigma)   (SANA's flow_shift f)
    x_t = (1 - sigma') z0 + sigma' eps,   target v = eps - z0,   loss = || v_theta(x_t, 1000 sigma', c) - v ||^2
The prompt c is the label that sanasr.degrade assigns to the crop (photo, astro, fluorescence, ...).

    /usr/bin/python3 -m sanasr.train.prior --run runs/x --preset tiny --minutes 1
"""
from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from . import common as C

STAGE = "prior"


def sample_sigma(n: int, shift: float, device) -> torch.Tensor:
    sigma = torch.sigmoid(torch.randn(n, device=device))
    return shift * sigma / (1 + (shift - 1) * sigma)


def flow_matching_loss(dit, z0: torch.Tensor, prompts: torch.Tensor, shift: float) -> torch.Tensor:
    sigma = sample_sigma(z0.shape[0], shift, z0.device)
    eps = torch.randn_like(z0)
    s = sigma.view(-1, 1, 1, 1)
    x_t = (1 - s) * z0 + s * eps
    v = dit(x_t, 1000.0 * sigma, prompts)
    return F.mse_loss(v.float(), (eps - z0).float())


def run(args) -> dict:
    device = C.pick_device(args.device)
    C.setup_threads(args.threads or C.preset_from_args(args).train.threads)
    torch.manual_seed(args.seed + 1)
    blob = C.load_checkpoint(args.run, STAGE, device)
    resumed = blob is not None
    if not resumed:
        blob = C.previous_stage_blob(args.run, STAGE, device)
        if blob is None:
            raise SystemExit("stage b needs the autoencoder checkpoint of stage a in --run")
    model = C.model_from_blob(blob).to(device)
    preset = model.preset
    model.requires_grad_(False)
    model.sr.dit.requires_grad_(True)
    model.eval()
    model.sr.dit.train()
    params = list(model.sr.dit.parameters())
    optim = torch.optim.AdamW(params, lr=preset.train.lr_prior, weight_decay=0.0)
    step, elapsed = 0, 0.0
    if resumed:
        optim.load_state_dict(blob["optim"])
        step, elapsed = blob["step"], blob["elapsed"]
    src = C.PairSource(args.data, preset.train.crop, preset.sr.scale, device, args.seed + 1000 + step)
    log = C.JsonlLog(args.run, STAGE)
    box = C.TimeBox(args.minutes, elapsed, args.max_steps)
    last_save = time.time()
    first = last = None
    while box.running(step):
        C.schedule_lr(optim, preset.train.lr_prior, box, preset.train.cosine)
        hr, sources = src.hr(preset.train.batch)
        _, target, prompts = src.pairs(hr, sources)
        with torch.no_grad(), C.autocast(device):
            z0 = model.hr_latent(target).float()
        with C.autocast(device):
            loss = flow_matching_loss(model.sr.dit, z0, prompts, preset.train.flow_shift)
        C.optimiser_step(optim, loss, params)
        step += 1
        last = loss.item()
        first = last if first is None else first
        if step % 10 == 0 or step == 1:
            log.write(stage=STAGE, step=step, loss=last, elapsed=box.elapsed)
        if time.time() - last_save > 120:
            C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=False)
            last_save = time.time()
    C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=True)
    log.write(stage=STAGE, step=step, done=True, elapsed=box.elapsed)
    return {"stage": STAGE, "steps": step, "first_loss": first, "last_loss": last, "minutes": box.elapsed / 60}


def main(argv=None):
    args = C.base_args(__doc__).parse_args(argv)
    print(run(args))


if __name__ == "__main__":
    main()
