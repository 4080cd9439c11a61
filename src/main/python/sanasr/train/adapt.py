"""Stage c: SR adaptation - the prior frozen, LoRA trained for the one-step mapping.

Trained: LoRA on the DiT (rank and targets from the preset); the SR encoder (fully for the "direct" entry,
which is new, and for "bicubic" when ``adapt_encoder`` = "full", starting from the stage-a encoder; LoRA
on its 1x1 convs when "lora"); the LR guide and the decoder's guide projections when the LR-guided path is
on, or the whole decoder when ``adapt_decoder`` is set. Frozen: the DiT base weights (the prior), the HR
encoder, and otherwise the decoder.

Why ``adapt_decoder`` (on for ``compact``): with the decoder frozen, the CPU-trained compact model of v0.1
stayed at bicubic + a near-zero residual for all of stage c (training PSNR equal to bicubic's within
0.01 dB). The decoder learnt in stage a to add detail from *HR* latents; only when it may adapt to the
SR latents and the degraded LR can it learn what the one-step latent actually carries.

Per step, n/2 HR crops are degraded twice (two independent draws of sanasr.degrade) giving n pairs.
With z_hat = z_L - sigma* v_theta(z_L, sigma*, c), x_hat = D(z_hat), z_HR = s E_hr(hr_target):

    L = L_pix + w_lat L_lat + w_align L_align + w_cons L_cons
    L_pix   = |x_hat - hr|_1 + w_fft |FFT(x_hat) - FFT(hr)|_1       fidelity in pixels (as in stage a)
    L_lat   = || z_hat - z_HR ||^2                                  the one step should land on the HR latent
    L_align = || z_hat - sg[ x_s - s v_prior(x_s, s, c) ] ||^2,     x_s = (1 - s) sg[z_hat] + s eps,
              s ~ U(0.05, 0.5), v_prior = the DiT with LoRA off (the frozen prior).
              Frozen-prior alignment: re-noise the prediction and let the frozen prior denoise it; the
              gradient 2 (z_hat - x0_prior) is the score-distillation direction (as in SDS/VSD without a
              second "fake" network), pulling z_hat to where the prior puts clean latents. One frozen forward,
              no backward through the prior; small s keeps the target close to the content.
    L_cons  = || z_hat(degradation 1) - z_hat(degradation 2) ||^2 over the pairs that share the same target.
              Adapter consistency: the same HR seen through different degradations must give the same
              latent, so the adapter removes the degradation instead of memorising it.
The paper's exact formulas are not public; these are the simplest terms that implement its two stated
regularisers with one extra frozen forward.

    /usr/bin/python3 -m sanasr.train.adapt --run runs/x --preset tiny --minutes 1
"""
from __future__ import annotations

import time
from typing import Optional

import torch
import torch.nn.functional as F

from . import common as C
from .validate import val_slice
from ..lora import lora_parameters, set_lora_enabled

STAGE = "adapt"
ENCODER_LORA_TARGETS = ("attn.qkv", "attn.proj", "ffn.inverted", "ffn.point")


def initial_model(prev_blob: dict):
    """The stage-c starting point: the prior's model, SR encoder initialised, LoRA attached (B = 0)."""
    model = C.model_from_blob(prev_blob)
    tc = model.preset.train
    if not model.sr.direct:   # the bicubic entry starts from the autoencoder's encoder
        model.sr.encoder.load_state_dict(model.hr_encoder.state_dict())
    enc_targets = list(ENCODER_LORA_TARGETS) if (not model.sr.direct and tc.adapt_encoder == "lora") else []
    C.attach_lora(model, {"rank": tc.lora_rank, "dit": list(tc.lora_targets), "encoder": enc_targets})
    return model


def trainable_params(model):
    tc = model.preset.train
    params = list(lora_parameters(model.sr.dit))
    if model.sr.direct or tc.adapt_encoder == "full":
        params += [p for n, p in model.sr.encoder.named_parameters() if "lora_" not in n]
    else:
        params += lora_parameters(model.sr.encoder)
    return params + C.guide_and_decoder_params(model)


def degraded_batch(src: C.PairSource, n: int):
    """n/2 crops, each degraded twice -> lr, target, prompts and the mask of pairs with equal targets."""
    half = max(1, n // 2)
    hr, sources = src.hr(half)
    lr1, t1, p1 = src.pairs(hr, sources)
    lr2, t2, p2 = src.pairs(hr, sources)
    same = (t1 - t2).flatten(1).abs().amax(dim=1) < 1e-6
    return torch.cat([lr1, lr2]), torch.cat([t1, t2]), torch.cat([p1, p2]), same


def sr_losses(model, lr, target, prompts, same, w_lat: float, w_align: float, w_cons: float,
              fft_weight: float, frozen_prior: bool) -> dict:
    sr = model.sr
    with torch.no_grad():
        z_hr = model.hr_latent(target).float()
    z_hat = sr.one_step(sr.encode(lr), prompts)
    out = sr.decode(z_hat, lr, prompts)
    pix = C.sr_pixel_loss(sr, out, lr, target, model.preset.train)
    losses = {"pix": pix, "lat": F.mse_loss(z_hat.float(), z_hr)}
    if frozen_prior and w_align > 0:
        with torch.no_grad():
            s = torch.empty(z_hat.shape[0], device=z_hat.device).uniform_(0.05, 0.5)
            sv = s.view(-1, 1, 1, 1)
            x_s = (1 - sv) * z_hat.detach().float() + sv * torch.randn_like(z_hat.float())
            set_lora_enabled(sr.dit, False)
            x0_prior = x_s - sv * sr.dit(x_s, 1000.0 * s, prompts).float()
            set_lora_enabled(sr.dit, True)
        losses["align"] = F.mse_loss(z_hat.float(), x0_prior)
    half = z_hat.shape[0] // 2
    if w_cons > 0 and half > 0 and bool(same.any()):
        d = (z_hat[:half] - z_hat[half:2 * half]).float().pow(2).flatten(1).mean(dim=1)
        losses["cons"] = (d * same.float()).sum() / same.float().sum()
    total = losses["pix"] + w_lat * losses["lat"]
    total = total + w_align * losses.get("align", torch.zeros(())) + w_cons * losses.get("cons", torch.zeros(()))
    losses["total"] = total
    losses["out"] = out
    return losses


def run(args) -> dict:
    device = C.pick_device(args.device)
    C.setup_threads(args.threads or C.preset_from_args(args).train.threads)
    torch.manual_seed(args.seed + 2)
    blob = C.load_checkpoint(args.run, STAGE, device)
    resumed = blob is not None
    if resumed:
        model = C.model_from_blob(blob)
    else:
        prev = C.previous_stage_blob(args.run, STAGE, device)
        if prev is None:
            raise SystemExit("stage c needs the prior (or autoencoder) checkpoint in --run")
        model = initial_model(prev)
    model.to(device)
    preset, tc = model.preset, model.preset.train
    model.requires_grad_(False)
    params = trainable_params(model)
    for p in params:
        p.requires_grad_(True)
    model.eval()
    optim = torch.optim.AdamW(params, lr=tc.lr_adapt, weight_decay=0.0)
    step, elapsed = 0, 0.0
    if resumed:
        optim.load_state_dict(blob["optim"])
        step, elapsed = blob["step"], blob["elapsed"]
    src = C.pair_source(args, preset, device, args.seed + 2000 + step)
    log = C.JsonlLog(args.run, STAGE)
    box = C.TimeBox(args.minutes, elapsed, args.max_steps)
    val = val_slice(args)
    last_save = time.time()
    first = last = None
    while box.running(step):
        C.schedule_lr(optim, tc.lr_adapt, box, tc.cosine)
        lr, target, prompts, same = degraded_batch(src, tc.batch)
        with C.autocast(device):
            L = sr_losses(model, lr, target, prompts, same, tc.w_latent, tc.w_align, tc.w_consistency,
                          tc.fft_weight, frozen_prior=True)
        C.optimiser_step(optim, L["total"], params)
        step += 1
        last = L["pix"].item()
        first = last if first is None else first
        if step % 10 == 0 or step == 1:
            bic = C.psnr(model.sr.upsample(lr), target)
            log.write(stage=STAGE, step=step, elapsed=box.elapsed, psnr=C.psnr(L["out"].detach(), target),
                      psnr_bicubic=bic, **{k: v.item() for k, v in L.items() if k != "out"})
        if val is not None:
            val.maybe_log(log, model.sr, STAGE, step, box.elapsed)
        if time.time() - last_save > 120:
            C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=False)
            last_save = time.time()
    C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=True)
    log.write(stage=STAGE, step=step, done=True, elapsed=box.elapsed)
    return {"stage": STAGE, "steps": step, "first_pix_loss": first, "last_pix_loss": last,
            "minutes": box.elapsed / 60}


def main(argv=None):
    args = C.base_args(__doc__).parse_args(argv)
    print(run(args))


if __name__ == "__main__":
    main()
