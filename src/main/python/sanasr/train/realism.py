"""Realism from a frozen generative prior (issue 15): the texture trunk of a release, trained on cached outputs
of Real-ESRGAN x4plus (``sanasr.teacher_cache``, ``scripts/cache-teacher.sh``) with fidelity terms against the
ground truth.

    /usr/bin/python3 -m sanasr.train.realism --parent models/sana-sr-compact-x4 --run runs/realism \
        --cache .train-data/teacher/x4plus-s0,.train-data/teacher/x4plus-s1 --minutes 80 [--design texture]

Designs (``--design``), both starting from the parent release:

- ``texture`` (shipped): the parent gains a second trunk (``SRConfig.texture_trunk``), a copy of its fidelity
  trunk, which runs for the realism prompts and alone is trained; the encoder, the prompt-conditioned DiT and
  the fidelity trunk stay frozen, so every fidelity prompt gives the parent's output exactly.
- ``shared``: the issue's other candidate, one trunk for both modes, the prompt choosing through the DiT's
  cross-attention and the trunk's FiLM. The trunk, the latent decoder and the DiT's prompt tokens train on
  half realism samples (teacher targets, prompt photo/realistic) and half fidelity samples (ground truth,
  prompt generic/faithful) from the same cache. Used for the equal-minutes comparison.

Loss of a realism sample (all on [0, 1] RGB):
    |out - teacher|_1                                    alignment to the frozen prior
  + w_low  |pool4(out) - pool4(hr)|_1                    fidelity: the x4 block means are the measurement's
  + w_hr   |out - hr|_1                                  fidelity to the truth itself (small: it blurs texture)
  + w_energy |log E(band(out)) - log E(band(teacher))|   as much texture as the prior makes
where band(x) = x - bilinear x4 up(area x4 down(x)) on luma (the evaluation's band, sanasr.evaluation.texture).
A fidelity sample (``shared`` only) has |out - hr|_1 + w_low's term.

Resumable: the same command continues a killed run from ``<run>/realism.pt`` (saved every 2 minutes).
``--export OUT --version V`` then writes the release (descriptor with the prior, the prompt modes and the
lineage; ``training-state.pt``; ``--bf16-out`` a bf16 variant).
"""
from __future__ import annotations

import os
import sys
import time
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F

from . import common as C, refine
from .. import config as cfgmod
from ..model import SanaSR
from ..model_folder import load_folder
from ..teacher_cache import TeacherCache

STAGE = "realism"
REALISM_IDS = [cfgmod.PROMPTS.index(p) for p in ("photo", "realistic")]
FIDELITY_IDS = [cfgmod.PROMPTS.index(p) for p in ("generic", "faithful")]
PROMPT_COPIES = {"realistic": "photo", "faithful": "generic"}   # new prompt -> the parent's prompt it starts as


# ---------------------------------------------------------------- model

def texture_model(parent: SanaSR, design: str) -> SanaSR:
    """The parent with the two new prompts (their DiT tokens copied from photo / generic) and, for ``texture``,
    the texture trunk as a copy of the fidelity trunk. Its output equals the parent's for every parent prompt
    (and for the new ones, that of the prompt they copy)."""
    if parent.preset.sr.texture_trunk:               # a realism release: continue its texture trunk as it is
        if design != "texture":
            raise SystemExit(f"the parent already has a texture trunk; --design {design} starts from a release without one")
        return parent
    preset = parent.preset.copy()
    preset.num_prompts = len(cfgmod.PROMPTS)
    preset.sr.texture_trunk = design == "texture"
    model = SanaSR(preset)
    state = parent.state_dict()
    tokens = state["sr.dit.prompt_tokens"]                                   # [P_parent, T, D]
    extra = [tokens[cfgmod.PROMPTS.index(PROMPT_COPIES[p])] for p in cfgmod.PROMPTS[tokens.shape[0]:]]
    state["sr.dit.prompt_tokens"] = torch.cat([tokens, torch.stack(extra)]) if extra else tokens
    if preset.sr.texture_trunk:
        state.update({k.replace("sr.trunk.", "sr.texture.", 1): v.clone() for k, v in state.items()
                      if k.startswith("sr.trunk.")})
        state["sr.realism"] = model.sr.realism
    model.load_state_dict(state, strict=True)
    return model


def trainable(model: SanaSR, design: str) -> List[torch.nn.Parameter]:
    for p in model.parameters():
        p.requires_grad_(False)
    sr = model.sr
    if design == "texture":
        mods = [sr.texture]
    else:
        mods = [sr.trunk, sr.decoder]
    params = [p for m in mods for p in m.parameters()]
    if design == "shared":
        params.append(sr.dit.prompt_tokens)
    for p in params:
        p.requires_grad_(True)
    return params


# ---------------------------------------------------------------- data

class CachePool:
    """Every (crop, degradation) of one or more complete teacher caches, in memory: lr [N,3,h,w] float32,
    teacher uint8 and target uint16 [N,3,4h,4w]."""

    def __init__(self, folders: Sequence[str], degradations: Sequence[str] = ("light", "realesrgan")):
        lrs, teachers, targets = [], [], []
        self.records = []
        for folder in folders:
            cache = TeacherCache(folder)
            self.records.append({"folder": folder, "teacher": cache.manifest["teacher"],
                                 "settings": cache.manifest["settings"], "shards": len(cache)})
            for i in range(len(cache)):
                s = cache.shard(i, verify=True)
                for d in degradations:
                    if d not in cache.degradations:
                        raise ValueError(f"{folder} has no {d!r} samples (it has {cache.degradations})")
                    lrs.append(s[f"{d}.lr"])
                    teachers.append((s[f"{d}.teacher"] * 255).round().to(torch.uint8))
                    targets.append((s[f"{d}.target"] * 65535).round().to(torch.int32))
        self.lr = torch.cat(lrs)
        self.teacher = torch.cat(teachers)
        self.target = torch.cat(targets)
        self.teacher_record = self.records[0]["teacher"]

    def __len__(self) -> int:
        return self.lr.shape[0]

    def sample(self, n: int, gen: torch.Generator) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(lr, teacher, hr) of n random samples, each under one random flip/transpose (the same for all three)."""
        idx = torch.randint(len(self), (n,), generator=gen)
        lr, t, hr = self.lr[idx], self.teacher[idx].float() / 255.0, self.target[idx].float() / 65535.0
        k = int(torch.randint(8, (1,), generator=gen))
        return tuple(dihedral(x, k) for x in (lr, t, hr))


def dihedral(x: torch.Tensor, k: int) -> torch.Tensor:
    if k & 4:
        x = x.transpose(-1, -2)
    return torch.rot90(x, k & 3, dims=(-2, -1))


# ---------------------------------------------------------------- losses and measures

LUMA = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)


def band(x: torch.Tensor, factor: int = 4) -> torch.Tensor:
    """Luma detail a x``factor`` input cannot hold: [N,3,H,W] -> [N,1,H,W]."""
    y = (x.float() * LUMA.to(x.device)).sum(1, keepdim=True)
    low = F.interpolate(F.avg_pool2d(y, factor), scale_factor=float(factor), mode="bilinear", align_corners=False)
    return y - low


def band_energy(x: torch.Tensor) -> torch.Tensor:
    return band(x).pow(2).flatten(1).mean(1)


def band_corr(x: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    a, b = band(x).flatten(1), band(ref).flatten(1)
    a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)


def realism_loss(out, teacher, hr, args) -> torch.Tensor:
    loss = (out - teacher).abs().mean()
    loss = loss + args.w_low * refine.block_mean_loss(out, hr, 4)
    loss = loss + args.w_hr * (out - hr).abs().mean()
    if args.w_energy:
        e_out, e_t = band_energy(out), band_energy(teacher).clamp_min(1e-6)
        loss = loss + args.w_energy * (torch.log(e_out + 1e-6) - torch.log(e_t)).abs().mean()
    return loss


def fidelity_loss(out, hr, args) -> torch.Tensor:
    return (out - hr).abs().mean() + args.w_low * refine.block_mean_loss(out, hr, 4)


# ---------------------------------------------------------------- training

def add_args(ap):
    ap.add_argument("--parent", default="models/sana-sr-compact-x4", help="the release folder to start from")
    ap.add_argument("--cache", required=True, help="comma-separated teacher cache folders (sanasr.teacher_cache)")
    ap.add_argument("--design", choices=("texture", "shared"), default="texture")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--w-low", type=float, default=1.0)
    ap.add_argument("--w-hr", type=float, default=0.1)
    ap.add_argument("--w-energy", type=float, default=0.05)
    ap.add_argument("--bf16", choices=("auto", "on", "off"), default="auto")
    ap.add_argument("--snapshot-every", type=float, default=600.0, help="seconds between weight snapshots")
    return ap


def run(args) -> dict:
    device = C.pick_device(args.device)
    C.setup_threads(args.threads or 1)
    torch.manual_seed(args.seed)
    parent, parent_desc = load_folder(args.parent)
    model = texture_model(parent, args.design).to(device)
    params = trainable(model, args.design)
    optim = torch.optim.Adam(params, lr=args.lr)
    blob = C.load_checkpoint(args.run, STAGE, device)
    step, elapsed = 0, 0.0
    if blob:
        model.load_state_dict(blob["state"])
        optim.load_state_dict(blob["optim"])
        step, elapsed = blob["step"], blob["elapsed"]
    elif parent.preset.sr.texture_trunk:
        refine.load_release_state(args.parent, parent_desc["sha256"], optim, stage=STAGE)
    history = blob["extra"].get("history", []) if blob else []
    if blob and not history:    # a checkpoint from before recipes were kept: its one recipe, from step 0
        old = blob["extra"]
        history = [[0, {"loss": old["loss"], "lr": old["lr"], "caches": [r["folder"] for r in old["caches"]]}]]
    pool = CachePool([c for c in args.cache.split(",") if c])
    gen = torch.Generator().manual_seed(args.seed + 7 * step)
    bf16 = refine.use_bf16(args.bf16, device)
    log = C.JsonlLog(args.run, STAGE)
    box = C.TimeBox(args.minutes, elapsed, args.max_steps)
    extra = {"parent": {"name": parent_desc["name"], "version": parent_desc["version"],
                        "sha256": parent_desc["sha256"]},
             "parent_lineage": parent_desc.get("training", {}).get("lineage", {}), "design": args.design,
             "bf16": bf16, "lr": args.lr, "samples": len(pool), "caches": pool.records,
             "loss": {"w_low": args.w_low, "w_hr": args.w_hr, "w_energy": args.w_energy},
             "threads": torch.get_num_threads(), "device": device.type}
    recipe = {"loss": extra["loss"], "lr": args.lr, "caches": [r["folder"] for r in pool.records],
              "minutes": args.minutes}
    if not history or history[-1][1] != recipe:       # a resumed run may change its recipe: keep every one
        history.append([step, recipe])
    extra["history"] = history
    batch = args.batch or 8
    extra["batch"] = batch
    model.train()
    last_save = last_snapshot = time.time()
    while box.running(step):
        C.schedule_lr(optim, args.lr * min(1.0, (step + 1) / 100.0), box, cosine=True)
        lr, teacher, hr = (x.to(device) for x in pool.sample(batch, gen))
        n_real = batch if args.design == "texture" else batch // 2
        ids = torch.tensor(REALISM_IDS)[torch.randint(2, (batch,), generator=gen)]
        ids[n_real:] = torch.tensor(FIDELITY_IDS)[torch.randint(2, (batch - n_real,), generator=gen)]
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16):
            out = model.sr(lr, ids.float().to(device))
        out = out.float()
        loss = realism_loss(out[:n_real], teacher[:n_real], hr[:n_real], args)
        if n_real < batch:
            loss = 0.5 * loss + 0.5 * fidelity_loss(out[n_real:], hr[n_real:], args)
        C.optimiser_step(optim, loss, params)
        step += 1
        if step % 25 == 0 or step == 1:
            with torch.no_grad():
                o, t, h = out[:n_real].detach(), teacher[:n_real], hr[:n_real]
                e_hr = band_energy(h).clamp_min(1e-8)
                log.write(stage=STAGE, step=step, loss=loss.item(), psnr=C.psnr(o, h), psnr_teacher=C.psnr(t, h),
                          energy=(band_energy(o) / e_hr).mean().item(), energy_teacher=(band_energy(t) / e_hr).mean().item(),
                          corr=band_corr(o, h).mean().item(), corr_teacher=band_corr(t, h).mean().item(),
                          elapsed=box.elapsed)
        if time.time() - last_save > 120:
            C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=False, extra=extra)
            last_save = time.time()
        if args.snapshot_every > 0 and time.time() - last_snapshot > args.snapshot_every:
            refine.save_snapshot(args.run, model, step)
            last_snapshot = time.time()
    C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=True, extra=extra)
    log.write(stage=STAGE, step=step, done=True, elapsed=box.elapsed)
    return {"stage": STAGE, "design": args.design, "steps": step, "minutes": box.elapsed / 60, "bf16": bf16,
            "samples": len(pool)}


# ---------------------------------------------------------------- texture gain

def set_texture_gain(model: SanaSR, gain: float) -> None:
    """The texture residual's band x ``gain`` (SRConfig.texture_gain; the block means stay as trained)."""
    model.preset.sr.texture_gain = model.sr.texture_gain = float(gain)


@torch.no_grad()
def calibrate_gain(model: SanaSR, pool: "CachePool", samples: int = 256, seed: int = 1,
                   gains: Sequence[float] = tuple(1.0 + 0.1 * k for k in range(31))) -> Tuple[float, list]:
    """The gain whose outputs carry as much band energy as the prior's on ``samples`` training crops (the cache,
    never validation images) -> (gain, [(gain, energy ratio to the prior)]). Leaves the model's gain as it was."""
    gen = torch.Generator().manual_seed(seed)
    lr, teacher, _ = pool.sample(samples, gen)
    prompt = torch.full((samples,), float(REALISM_IDS[0]))
    sr = model.sr.eval()
    before = sr.texture_gain
    e_teacher = band_energy(teacher).mean().item()
    table = []
    for g in gains:
        set_texture_gain(model, g)
        out = torch.cat([sr(lr[i:i + 32], prompt[i:i + 32]) for i in range(0, samples, 32)])
        table.append((g, band_energy(out.clamp(0, 1)).mean().item() / e_teacher))
    set_texture_gain(model, before)
    return min(table, key=lambda t: abs(t[1] - 1.0))[0], table


# ---------------------------------------------------------------- the release

def export_release(run_dir: str, out: str, name: str, version: str, description: str, command: str,
                   bf16_out: str = "", texture_gain: str = "1") -> dict:
    """The trained model as a release: descriptor with the prior, the prompt modes and the lineage;
    training-state.pt with the texture trunk's Adam moments; optionally the bf16 variant."""
    from .. import export as E
    from .release import machine, stages_of
    blob = C.load_checkpoint(run_dir, STAGE, torch.device("cpu"))
    if blob is None:
        raise SystemExit(f"{run_dir} holds no {STAGE} checkpoint: train first")
    extra = blob["extra"]
    parent = extra["parent"]
    # the parent's stages as recorded at training time (its lineage; a parent without one: its bare record)
    stages = stages_of({"version": parent["version"], "training": {"lineage": extra["parent_lineage"]}}
                       if extra.get("parent_lineage") else {"version": parent["version"], "training": {}}) + [{
        "release": version, "stage": f"{STAGE} ({extra['design']})", "steps": blob["step"],
        "minutes": round(blob["elapsed"] / 60, 2),
        "machine": machine(extra.get("threads", 1), extra["bf16"], extra.get("device", "cpu")),
        "samples": extra["samples"], "batch": extra["batch"], "lr": extra["lr"], "loss": extra["loss"],
        "recipes": extra.get("history", []),
        "caches": [{k: r[k] for k in ("folder", "settings", "shards")} for r in extra["caches"]]}]
    lin = {"parent": parent, "stages": stages,
           "cumulative": {"steps": sum(s["steps"] for s in stages), "minutes": round(sum(s["minutes"] for s in stages), 2)}}
    teacher = extra["caches"][0]["teacher"]
    prior = {k: teacher[k] for k in ("name", "id", "source", "weights_sha256", "licence") if k in teacher}
    prior["use"] = ("frozen teacher: its outputs on degraded training crops, cached (sanasr.teacher_cache), were the "
                    "texture trunk's alignment target; none of its weights are in this file")
    training = {"lineage": lin, "steps": {STAGE: blob["step"]}, "minutes": stages[-1]["minutes"], "device": "cpu",
                "threads": extra.get("threads", 1), "torch": torch.__version__, "command": command,
                "data": ["../shared/data/train (via the teacher cache)"]}
    model = C.model_from_blob(blob)
    if texture_gain != "1":
        if model.sr.texture is None:
            raise SystemExit("--texture-gain needs the texture design")
        if texture_gain == "auto":
            pool = CachePool([r["folder"] for r in extra["caches"]])
            gain, table = calibrate_gain(model, pool)
            stages[-1]["texture_gain"] = {"gain": round(gain, 2), "calibration": "band energy of the outputs = the "
                                          "prior's, on 256 cached training crops",
                                          "table": [[round(g, 2), round(r, 4)] for g, r in table]}
        else:
            gain = float(texture_gain)
            stages[-1]["texture_gain"] = {"gain": gain}
        set_texture_gain(model, round(gain, 2))
    data = ("../shared/data/train (71 photos) and ../shared/data/train-micro (26 fluorescence images) for the "
            "fidelity path; the 71 photos, degraded, with Real-ESRGAN x4plus's outputs on them for the texture trunk")
    desc = E.export(model, out, name, version, description, training, data=data, prior=prior)
    optim = torch.optim.Adam(trainable(model, extra["design"]))
    optim.load_state_dict(blob["optim"])
    refine.save_release_state(os.path.join(out, refine.STATE_FILE), desc["sha256"], optim, lin, stage=STAGE)
    if bf16_out:
        variant = C.model_from_blob(blob)
        set_texture_gain(variant, model.sr.texture_gain)
        E.export(variant, bf16_out, name + "-bf16", version, description + " (network in bfloat16)",
                 training, data=data, precision="bfloat16", prior=prior)
        E.link_variant(out, bf16_out)
    return desc


def main(argv=None):
    ap = add_args(C.base_args(__doc__))
    ap.add_argument("--export", help="after training, write the release to this folder")
    ap.add_argument("--export-only", action="store_true", help="only export --run's checkpoint (no training step)")
    ap.add_argument("--bf16-out", default="", help="and its bf16 variant to this one")
    ap.add_argument("--name", default="sana-sr-compact-x4")
    ap.add_argument("--version")
    ap.add_argument("--description", default="")
    ap.add_argument("--texture-gain", default="1", help="export with the texture residual's band x G; 'auto': the G whose "
                    "outputs have the prior's band energy on cached training crops (recorded in the lineage)")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = ap.parse_args(argv)
    if args.export and not args.version:
        ap.error("--export needs --version")
    if args.export_only and not args.export:
        ap.error("--export-only needs --export")
    if not args.export_only:
        print(run(args), flush=True)
    if args.export:
        desc = export_release(args.run, args.export, args.name, args.version, args.description or
                              f"SANA-SR compact x4 {args.version}: realism or fidelity chosen by the prompt",
                              "python -m sanasr.train.realism " + " ".join(argv), args.bf16_out, args.texture_gain)
        print({"exported": args.export, "sha256": desc["sha256"]}, flush=True)


if __name__ == "__main__":
    sys.exit(main())
