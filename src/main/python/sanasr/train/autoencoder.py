"""Stage a: the autoencoder on HR crops.

Loss: L1 + fft_weight * L1 between 2-D spectra (the spectral term keeps the 32x bottleneck from settling on
blurry reconstructions; it is cheaper than SSIM). Trains ``hr_encoder`` and the decoder; with the
LR-guided path on, also the LR guide, fed the clean (area-downscaled) LR of the crop, so that the decoder
learns to combine latent and LR features from the start. After training the latent scale is re-measured
(1 / std of the HR latents) so that the prior sees unit-variance latents.

A small penalty ``w_latent_l2 * mean(z^2)`` on the raw latent pins its scale (the role of a VAE's KL term).
Without it the v0.1 CPU run let the latent drift to std ~200 and the decoder's activations to ~1e5; the
zero-initialised LR-guide inputs (order 1) were drowned, and the decoder settled on a zero residual, i.e.
bicubic. ``psnr_bicubic`` in the log (bicubic of the clean LR) shows whether the decoder adds anything.

    /usr/bin/python3 -m sanasr.train.autoencoder --run runs/x --preset tiny --minutes 1
"""
from __future__ import annotations

import itertools
import os
import time
from typing import Optional

import torch

from . import common as C
from .validate import val_slice

STAGE = "autoencoder"


def trainable(model):
    sr = model.sr
    mods = [model.hr_encoder, sr.decoder] + [m for m in (sr.guide, sr.guide_head, sr.trunk) if m is not None]
    return list(itertools.chain.from_iterable(m.parameters() for m in mods))


@torch.no_grad()
def measure_latent_scale(model, src: C.PairSource, batches: int = 4) -> float:
    model.eval()
    z = torch.cat([model.hr_encoder(src.hr(model.preset.train.batch)[0]).float() for _ in range(batches)])
    return float(1.0 / z.std().clamp_min(1e-6))


class _TrunkAlone(torch.nn.Module):
    """bicubic + trunk without latent features: what stage a's trunk does on its own on an LR image."""

    def __init__(self, sr):
        super().__init__()
        self.sr = sr

    def forward(self, lr, prompt: Optional[torch.Tensor]):
        return self.sr.upsample(lr) + self.sr.trunk(lr, None)


def init_trunk(model, checkpoint: str) -> dict:
    """Start the trunk from another run's trained trunk (e.g. the plain trunk of train/plain.py): the weights
    whose names and shapes match are copied; the FiLM convolutions the plain trunk lacks stay zero, so the
    model starts as that trunk. Returns what was copied (for the training record)."""
    other = C.load_checkpoint(os.path.dirname(checkpoint), os.path.basename(checkpoint)[:-3], torch.device("cpu"))
    if other is None:
        raise SystemExit(f"--init-trunk: no checkpoint {checkpoint}")
    own = model.sr.trunk.state_dict()
    src = {k[len("sr.trunk."):]: v for k, v in other["state"].items() if k.startswith("sr.trunk.")}
    copied = {k: v for k, v in src.items() if k in own and own[k].shape == v.shape}
    if not copied:
        raise SystemExit(f"--init-trunk: {checkpoint} has no trunk weights that fit this model")
    model.sr.trunk.load_state_dict(copied, strict=False)
    info = {"from": checkpoint, "tensors": len(copied), "of": len(own), "steps": other.get("step"),
            "minutes": round(other.get("elapsed", 0.0) / 60, 2), "preset": other["preset"]["name"]}
    model.init_trunk_info = info
    return info


def run(args) -> dict:
    device, blob, model = C.first_stage_start(args, STAGE)
    if blob is None and getattr(args, "init_trunk", None):
        init_trunk(model, args.init_trunk)
    preset = model.preset
    model.to(device).train()
    params = trainable(model)
    if getattr(args, "init_trunk", None) and model.sr.trunk is not None:
        # a trained trunk is fine-tuned at a quarter of the rate that trains the new encoder and decoder
        trunk_ids = {id(p) for p in model.sr.trunk.parameters()}
        groups = [{"params": [p for p in params if id(p) not in trunk_ids]},
                  {"params": [p for p in params if id(p) in trunk_ids], "lr_scale": 0.25}]
        optim = torch.optim.AdamW(groups, lr=preset.train.lr_ae, weight_decay=0.0)
    else:
        optim = torch.optim.AdamW(params, lr=preset.train.lr_ae, weight_decay=0.0)
    step, elapsed = 0, 0.0
    if blob:
        optim.load_state_dict(blob["optim"])
        step, elapsed = blob["step"], blob["elapsed"]
    src = C.PairSource(args.data, preset.train.crop, preset.sr.scale, device, args.seed + step)
    log = C.JsonlLog(args.run, STAGE)
    box = C.TimeBox(args.minutes, elapsed, args.max_steps)
    val = val_slice(args) if model.sr.trunk is not None else None
    last_save = time.time()
    first = last = None
    while box.running(step):
        C.schedule_lr(optim, preset.train.lr_ae, box, preset.train.cosine)
        hr, _ = src.hr(preset.train.batch)
        lr = src.clean_lr(hr)
        # trunk models: every other batch (at random) the trunk works without the latent, so that it stays a
        # restorer on its own and the latent only modulates it (the SR latent of stage c starts uninformed).
        # Without this the first 3 minutes of a CPU run left the trunk alone at -0.08 dB against bicubic on the
        # validation slice, where the plain trunk of the ablation had reached +0.48 dB.
        trunk_alone = model.sr.trunk is not None and float(torch.rand(1).item()) < 0.5
        with C.autocast(device):
            if trunk_alone:
                out = _TrunkAlone(model.sr)(lr, None)
                latent_l2 = torch.zeros(())
            else:
                z = model.hr_encoder(hr)
                out = model.sr.decode(z * model.sr.latent_scale, lr)
                latent_l2 = z.float().pow(2).mean()
        loss = C.pixel_loss(out, hr, preset.train.fft_weight) + preset.train.w_latent_l2 * latent_l2
        C.optimiser_step(optim, loss, params)
        step += 1
        last = loss.item()
        first = last if first is None else first
        if step % 10 == 0 or step == 1:
            log.write(stage=STAGE, step=step, loss=last, psnr=C.psnr(out.detach(), hr),
                      psnr_bicubic=C.psnr(model.sr.upsample(lr), hr), trunk_alone=trunk_alone, elapsed=box.elapsed,
                      **({} if trunk_alone else {"latent_std": z.detach().float().std().item()}))
        if val is not None:      # the HR-latent path is not the SR path: the slice shows the trunk's progress
            val.maybe_log(log, _TrunkAlone(model.sr), STAGE, step, box.elapsed)
        if time.time() - last_save > 120:
            C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=False)
            last_save = time.time()
    model.sr.latent_scale.fill_(measure_latent_scale(model, src))
    log.write(stage=STAGE, step=step, latent_scale=model.sr.latent_scale.item(), done=True, elapsed=box.elapsed)
    C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=True)
    return {"stage": STAGE, "steps": step, "first_loss": first, "last_loss": last, "minutes": box.elapsed / 60,
            "data": src.kind}


def main(argv=None):
    args = C.base_args(__doc__).parse_args(argv)
    print(run(args))


if __name__ == "__main__":
    main()
