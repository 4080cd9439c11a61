"""Stage d: prompt-aware structured pruning of the DiT, then a short recovery fine-tune.

1. LoRA is merged into the DiT (the adapted model is what gets pruned).
2. A fixed evaluation batch of degraded LR crops is run under every prompt of the vocabulary (the same LR
   images repeated once per prompt, in one batch). For every structural unit - a whole block, one
   self-attention head, one group of ``prune_ffn_group`` GLU channels of a Mix-FFN - the unit is disabled
   exactly (block skipped; head / channel group zeroed in the output projection, which equals removing it)
   and its effect is the mean |x_hat' - x_hat| on the SR output, measured per prompt.
   Importance = max over prompts of the effect normalised by that prompt's mean effect, so a unit that
   matters for any one prompt (e.g. electron micrographs) is kept even if it is idle for photos.
3. The ``prune_blocks`` least important blocks, then the lowest ``prune_heads_frac`` of heads and
   ``prune_ffn_frac`` of FFN groups (over the kept blocks, at least one of each left per block) are
   removed physically (smaller Linear / conv weights, new per-block sizes in the preset).
4. Recovery: DiT (all weights) + LR guide fine-tuned with the stage-c pixel, latent and consistency terms.
The report (what was removed, parameter counts before/after) is stored in the checkpoint and the log.

    /usr/bin/python3 -m sanasr.train.prune --run runs/x --preset tiny --minutes 1
"""
from __future__ import annotations

import time
from typing import Dict, List, Tuple

import torch
import torch.nn as nn

from . import common as C
from .validate import val_slice
from .adapt import degraded_batch, sr_losses
from ..config import PROMPTS
from ..lora import strip_lora

STAGE = "prune"


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


@torch.no_grad()
def measure_units(model, lr: torch.Tensor, num_prompts: int, group: int) -> List[dict]:
    """Effect of each unit per prompt; returns [{"kind", "block", "index", "effect": [per prompt]}]."""
    sr, dit = model.sr, model.sr.dit
    n = lr.shape[0]
    lr_all = lr.repeat(num_prompts, 1, 1, 1)
    prompts = torch.arange(num_prompts, device=lr.device).repeat_interleave(n)
    base = sr(lr_all, prompts.float())

    def effect() -> List[float]:
        d = (sr(lr_all, prompts.float()) - base).abs().reshape(num_prompts, -1).mean(dim=1)
        return d.tolist()

    units = []
    blocks = list(dit.blocks)
    for j in range(len(blocks)):
        dit.blocks = nn.ModuleList([b for i, b in enumerate(blocks) if i != j])
        units.append({"kind": "block", "block": j, "index": 0, "effect": effect()})
    dit.blocks = nn.ModuleList(blocks)
    for j, blk in enumerate(blocks):
        hd = blk.attn.head_dim
        w = blk.attn.proj.weight
        for h in range(blk.attn.heads):
            saved = w[:, h * hd:(h + 1) * hd].clone()
            w[:, h * hd:(h + 1) * hd] = 0
            units.append({"kind": "head", "block": j, "index": h, "effect": effect()})
            w[:, h * hd:(h + 1) * hd] = saved
        pw = blk.ffn.point.weight
        for g in range(0, blk.ffn.hidden, group):
            saved = pw[:, g:g + group].clone()
            pw[:, g:g + group] = 0
            units.append({"kind": "ffn", "block": j, "index": g // group, "effect": effect()})
            pw[:, g:g + group] = saved
    # prompt-aware importance: normalise per prompt, keep the worst case over prompts
    eff = torch.tensor([u["effect"] for u in units])
    norm = eff / eff.mean(dim=0, keepdim=True).clamp_min(1e-12)
    for u, imp in zip(units, norm.max(dim=1).values.tolist()):
        u["importance"] = imp
    return units


def choose(units: List[dict], depth: int, prune_blocks: int, heads_frac: float, ffn_frac: float) -> dict:
    blocks = sorted([u for u in units if u["kind"] == "block"], key=lambda u: u["importance"])
    drop_blocks = sorted(u["block"] for u in blocks[:min(prune_blocks, depth - 1)])
    plan = {"blocks": drop_blocks, "heads": {}, "ffn": {}}
    for kind, frac in (("head", heads_frac), ("ffn", ffn_frac)):
        cand = sorted([u for u in units if u["kind"] == kind and u["block"] not in drop_blocks],
                      key=lambda u: u["importance"])
        total = {}
        for u in cand:
            total[u["block"]] = total.get(u["block"], 0) + 1
        budget = int(len(cand) * frac)
        removed: Dict[int, List[int]] = {}
        for u in cand:
            if budget <= 0:
                break
            if len(removed.get(u["block"], [])) + 1 >= total[u["block"]]:
                continue                      # keep at least one unit per block
            removed.setdefault(u["block"], []).append(u["index"])
            budget -= 1
        plan["heads" if kind == "head" else "ffn"] = {b: sorted(v) for b, v in removed.items()}
    return plan


def _keep_rows(lin: nn.Module, rows: torch.Tensor):
    lin.weight = nn.Parameter(lin.weight.data[rows].clone())
    if lin.bias is not None:
        lin.bias = nn.Parameter(lin.bias.data[rows].clone())


def _keep_cols(lin: nn.Module, cols: torch.Tensor):
    lin.weight = nn.Parameter(lin.weight.data[:, cols].clone())


@torch.no_grad()
def apply_plan(model, plan: dict, group: int):
    """Physically remove the planned units and record the new structure in the preset."""
    dit, cfg = model.sr.dit, model.preset.dit
    heads = [cfg.heads(i) for i in range(cfg.depth)]
    ffn = [cfg.ffn(i) for i in range(cfg.depth)]
    for j, blk in enumerate(dit.blocks):
        gone = plan["heads"].get(j, [])
        if gone:
            H, hd = blk.attn.heads, blk.attn.head_dim
            keep = [h for h in range(H) if h not in gone]
            rows = torch.tensor([s * H * hd + h * hd + k for s in range(3) for h in keep for k in range(hd)])
            cols = torch.tensor([h * hd + k for h in keep for k in range(hd)])
            _keep_rows(blk.attn.qkv, rows)
            _keep_cols(blk.attn.proj, cols)
            blk.attn.heads = len(keep)
            blk.attn.qkv.out_features = rows.numel()
            blk.attn.proj.in_features = cols.numel()
            heads[j] = len(keep)
        gone = plan["ffn"].get(j, [])
        if gone:
            hid = blk.ffn.hidden
            keep = torch.tensor([c for c in range(hid) if c // group not in gone])
            both = torch.cat([keep, keep + hid])
            _keep_rows(blk.ffn.inverted, both)
            _keep_rows(blk.ffn.depth, both)
            _keep_cols(blk.ffn.point, keep)
            for conv, cin, cout in ((blk.ffn.inverted, blk.ffn.inverted.in_channels, both.numel()),
                                    (blk.ffn.depth, both.numel(), both.numel()),
                                    (blk.ffn.point, keep.numel(), blk.ffn.point.out_channels)):
                conv.in_channels, conv.out_channels = cin, cout
            blk.ffn.depth.groups = both.numel()
            blk.ffn.hidden = keep.numel()
            ffn[j] = keep.numel()
    keep_blocks = [j for j in range(len(dit.blocks)) if j not in plan["blocks"]]
    dit.blocks = nn.ModuleList([dit.blocks[j] for j in keep_blocks])
    cfg.block_heads = [heads[j] for j in keep_blocks]
    cfg.block_ffn = [ffn[j] for j in keep_blocks]
    cfg.depth = len(keep_blocks)


def prune(model, src: C.PairSource, n_images: int = 2) -> dict:
    tc = model.preset.train
    gen_state = src.gen.get_state()
    src.gen.manual_seed(12345)                      # the same evaluation batch on every run
    hr, sources = src.hr(n_images)
    lr, _, _ = src.pairs(hr[..., :64, :64] if hr.shape[-1] > 64 else hr, sources)
    src.gen.set_state(gen_state)
    before = count_params(model.sr.dit)
    model.eval()
    units = measure_units(model, lr, model.preset.num_prompts, tc.prune_ffn_group)
    plan = choose(units, model.preset.dit.depth, tc.prune_blocks, tc.prune_heads_frac, tc.prune_ffn_frac)
    apply_plan(model, plan, tc.prune_ffn_group)
    after = count_params(model.sr.dit)
    per_prompt = {p: [u["effect"][i] for u in units] for i, p in enumerate(PROMPTS[:model.preset.num_prompts])}
    return {"removed_blocks": plan["blocks"], "removed_heads": {str(k): v for k, v in plan["heads"].items()},
            "removed_ffn_groups": {str(k): v for k, v in plan["ffn"].items()}, "ffn_group": tc.prune_ffn_group,
            "dit_params_before": before, "dit_params_after": after,
            "units": [{k: u[k] for k in ("kind", "block", "index", "importance")} for u in units],
            "mean_effect_per_prompt": {p: sum(v) / len(v) for p, v in per_prompt.items()}}


def run(args) -> dict:
    device = C.pick_device(args.device)
    C.setup_threads(args.threads or C.preset_from_args(args).train.threads)
    torch.manual_seed(args.seed + 3)
    blob = C.load_checkpoint(args.run, STAGE, device)
    resumed = blob is not None
    if resumed:
        model = C.model_from_blob(blob).to(device)
        report = blob["extra"]["report"]
        src = C.pair_source(args, model.preset, device, args.seed + 3000 + blob["step"])
    else:
        prev = C.load_checkpoint(args.run, "adapt", device)
        if prev is None:
            raise SystemExit("stage d needs the adapt checkpoint of stage c in --run")
        model = C.model_from_blob(prev).to(device)
        strip_lora(model)
        model.lora_spec = None
        src = C.pair_source(args, model.preset, device, args.seed + 3000)
        t0 = time.time()
        report = prune(model, src)
        report["measure_seconds"] = time.time() - t0
    preset, tc = model.preset, model.preset.train
    log = C.JsonlLog(args.run, STAGE)
    if not resumed:
        log.write(stage=STAGE, report={k: v for k, v in report.items() if k != "units"})
    model.requires_grad_(False)
    params = list(model.sr.dit.parameters()) + C.guide_and_decoder_params(model)
    for p in params:
        p.requires_grad_(True)
    model.eval()
    optim = torch.optim.AdamW(params, lr=tc.lr_recover, weight_decay=0.0)
    step, elapsed = 0, report.get("measure_seconds", 0.0)
    if resumed:
        optim.load_state_dict(blob["optim"])
        step, elapsed = blob["step"], blob["elapsed"]
    box = C.TimeBox(args.minutes, elapsed, args.max_steps)
    val = val_slice(args)
    first = last = None
    last_save = time.time()
    while box.running(step):
        C.schedule_lr(optim, tc.lr_recover, box, tc.cosine)
        lr, target, prompts, same = degraded_batch(src, tc.batch)
        with C.autocast(device):
            L = sr_losses(model, lr, target, prompts, same, tc.w_latent, 0.0, tc.w_consistency, tc.fft_weight,
                          frozen_prior=False)
        C.optimiser_step(optim, L["total"], params)
        step += 1
        last = L["pix"].item()
        first = last if first is None else first
        if step % 10 == 0 or step == 1:
            log.write(stage=STAGE, step=step, elapsed=box.elapsed, psnr=C.psnr(L["out"].detach(), target),
                      **{k: v.item() for k, v in L.items() if k != "out"})
        if val is not None:
            val.maybe_log(log, model.sr, STAGE, step, box.elapsed)
        if time.time() - last_save > 120:
            C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, False, {"report": report})
            last_save = time.time()
    if val is not None:
        val.maybe_log(log, model.sr, STAGE, step, box.elapsed, force=True)
    C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, True, {"report": report})
    log.write(stage=STAGE, step=step, done=True, elapsed=box.elapsed)
    return {"stage": STAGE, "steps": step, "first_pix_loss": first, "last_pix_loss": last,
            "minutes": box.elapsed / 60, "removed_blocks": report["removed_blocks"],
            "removed_heads": report["removed_heads"], "removed_ffn_groups": report["removed_ffn_groups"],
            "dit_params_before": report["dit_params_before"], "dit_params_after": report["dit_params_after"]}


def main(argv=None):
    args = C.base_args(__doc__).parse_args(argv)
    print(run(args))


if __name__ == "__main__":
    main()
