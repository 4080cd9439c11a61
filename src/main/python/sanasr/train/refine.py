"""Continue a released model (issue 18 item 2): training that accumulates across releases.

    /usr/bin/python3 -m sanasr.train.refine --run runs/compact-2.0 --parent models/sana-sr-compact-x4 --minutes 100

Starts from the parent release's full training state: the float32 weights of its TorchScript file
(``model_folder.load_folder``) and, when it committed them, its Adam moments (``<parent>/training-state.pt``; else
a fresh optimiser); every parameter of the exported model (trunk and latent path) is trained. Each step's batch is
``--mix`` = (clean, degraded, micro) samples:
- clean: antialiased bicubic or area x4 downscaling of photo crops (the benchmark protocol), prompt ``photo`` or
  (``generic_p``) ``generic``: every kind of pair carries ``generic`` at the same rate, so the default prompt is
  the blind model (with clean pairs always ``generic``, the slice's realistic gain fell 0.78 -> 0.45 dB in 5 min);
- degraded: the preset's degradation mixture (light family, Real-ESRGAN, scientific) with its prompts;
- micro: real fluorescence microscopy (``--micro``) under ``binning``, half of it with detector noise, prompt
  ``fluorescence`` or (``generic_p``) ``generic``.
Loss: the preset's pixel loss (relative to bicubic's when ``pix_relative``) plus ``--w-mean`` x L1 between
the 8x8 block means of output and target, against the darkening of noisy backgrounds that L1 alone allowed
(1.0.0: -2/255 on astro realistic). bf16 autocast on CPUs with native bf16 (``--bf16 auto``), fp32 master
weights. Checkpoint ``refine.pt`` (resumable), log ``refine.jsonl``.
"""
from __future__ import annotations

import os
import time

import torch
import torch.nn.functional as F

from . import common as C
from .validate import val_slice
from .. import config as cfgmod
from ..micro import MicroPool, binning_pairs
from ..model_folder import load_folder

STAGE = "refine"
STATE_FILE = "training-state.pt"
DEFAULT_MICRO = os.path.join(os.path.dirname(C.DEFAULT_DATA), "train-micro")
FLUORESCENCE = cfgmod.PROMPTS.index("fluorescence")
PHOTO = cfgmod.PROMPTS.index("photo")
CLEAN_LABELS = "clean: photo or generic"


def add_args(ap):
    ap.add_argument("--parent", required=True, help="model folder of the release to continue")
    ap.add_argument("--micro", default=DEFAULT_MICRO, help="microscopy training images ('' = none)")
    ap.add_argument("--mix", default="5,8,3", help="clean,degraded,micro samples per step")
    ap.add_argument("--plain-p", type=float, default=0.2, help="share of the degraded light pairs that are plain "
                    "bicubic (the preset's 0.5 made the degraded samples half clean: with mix 5,8,3 the slice's "
                    "realistic gain fell from 0.78 to 0.50 dB in 15 minutes while its bicubic gain rose to 1.68)")
    ap.add_argument("--lr", type=float, default=3e-4, help="peak learning rate (cosine to 5 %%, 200-step warm-up)")
    ap.add_argument("--w-mean", type=float, default=0.5)
    ap.add_argument("--bf16", choices=("auto", "on", "off"), default="auto")
    ap.add_argument("--snapshot-every", type=float, default=600.0, help="seconds between weight snapshots "
                    "(snap-<step>.pt in the run folder; sanasr.train.release --average averages the last ones)")
    return ap


def cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def use_bf16(choice: str, device: torch.device) -> bool:
    if choice != "auto":
        return choice == "on"
    return device.type == "cuda" or cpu_has_bf16()


def labelled(n: int, prompt: int, generic_p: float, gen: torch.Generator) -> torch.Tensor:
    """n prompt ids: ``prompt``, or ``generic`` (0) with probability ``generic_p``."""
    return torch.where(torch.rand(n, generator=gen) < generic_p, 0, prompt)


def block_mean_loss(out: torch.Tensor, target: torch.Tensor, block: int = 8) -> torch.Tensor:
    return (F.avg_pool2d(out.float(), block) - F.avg_pool2d(target.float(), block)).abs().mean()


def load_release_state(parent: str, parent_sha256: str, optim, stage: str = STAGE) -> dict:
    """The parent's Adam moments into ``optim`` (if it committed them) -> its lineage. The weights are the
    parent's float32 .pt file itself (already loaded): the state names its SHA-256, so moments never meet other
    weights."""
    path = os.path.join(parent, STATE_FILE)
    if not os.path.exists(path):
        return {}
    blob = torch.load(path, map_location="cpu")
    if blob["weights_sha256"] != parent_sha256:
        raise ValueError(f"{path} belongs to weights {blob['weights_sha256'][:12]}, not to {parent_sha256[:12]}")
    if blob.get("stage", STAGE) != stage:
        raise SystemExit(f"{path} holds the optimiser state of the {blob['stage']!r} stage, not of {stage!r}: "
                         f"continue this release with sanasr.train.{blob['stage']}, or start {stage!r} from a "
                         "release without it")
    state = blob["optim"]
    for moments in state["state"].values():
        for k, v in moments.items():
            if torch.is_tensor(v) and v.is_floating_point() and v.dim() > 0:
                moments[k] = v.float()
    optim.load_state_dict(state)
    return blob.get("lineage", {})


def save_release_state(path: str, weights_sha256: str, optim, lineage: dict, stage: str = STAGE) -> None:
    """The optimiser's state with its moments in bfloat16 (half the size; their range needs bf16, not fp16),
    tied to the float32 weights file it belongs to (by SHA-256)."""
    def small(v):
        return v.to(torch.bfloat16) if torch.is_tensor(v) and v.is_floating_point() and v.dim() > 0 else v
    optim_state = optim.state_dict()
    optim_state["state"] = {i: {k: small(v) for k, v in s.items()} for i, s in optim_state["state"].items()}
    blob = {"weights_sha256": weights_sha256, "optim": optim_state, "lineage": lineage, "stage": stage}
    tmp = path + ".tmp"
    torch.save(blob, tmp)
    os.replace(tmp, path)


def save_snapshot(run: str, model, step: int) -> None:
    path = os.path.join(run, f"snap-{step:07d}.pt")
    torch.save({"state": model.state_dict(), "step": step}, path + ".tmp")
    os.replace(path + ".tmp", path)


def averaged_state(run: str, last: int) -> tuple:
    """The mean of the final checkpoint's weights and the ``last`` newest snapshots' -> (state, steps averaged).
    Late in a cosine schedule the checkpoints sit in one basin; their mean is steadier than any one of them
    (2.0's single checkpoints swung by 0.5 grey levels in mean brightness on a smooth microscopy image)."""
    final = C.load_checkpoint(run, STAGE, torch.device("cpu"))
    snaps = []
    for name in os.listdir(run):
        if name.startswith("snap-") and name.endswith(".pt"):
            blob = torch.load(os.path.join(run, name), map_location="cpu")
            if blob["step"] < final["step"]:
                snaps.append((blob["step"], blob["state"]))
    chosen = sorted(snaps, key=lambda s: s[0])[-last:] if last > 0 else []
    states = [st for _, st in chosen] + [final["state"]]
    mean = {k: (sum(st[k].float() for st in states) / len(states)).to(v.dtype) if v.is_floating_point() else v
            for k, v in final["state"].items()}
    return mean, [step for step, _ in chosen] + [final["step"]]


def run(args) -> dict:
    device = C.pick_device(args.device)
    C.setup_threads(args.threads or 1)
    torch.manual_seed(args.seed)
    model, parent_desc = load_folder(args.parent)
    preset, tc = model.preset, model.preset.train
    model.to(device).train()
    params = list(model.sr.parameters())
    optim = torch.optim.Adam(params, lr=args.lr)
    blob = C.load_checkpoint(args.run, STAGE, device)
    parent_lineage = {}
    mix_history = []
    step, elapsed = 0, 0.0
    if blob:
        model.load_state_dict(blob["state"])
        optim.load_state_dict(blob["optim"])
        step, elapsed = blob["step"], blob["elapsed"]
        parent_lineage = blob["extra"].get("parent_lineage", {})
        mix_history = blob["extra"].get("mix_history", [[0, blob["extra"]["mix"], "clean: generic"]])
    else:
        parent_lineage = load_release_state(args.parent, parent_desc["sha256"], optim)
    n_clean, n_degraded, n_micro = (int(v) for v in args.mix.split(","))
    tc.plain_p = args.plain_p
    recipe = [args.mix, CLEAN_LABELS, f"plain_p {args.plain_p}"]
    if not mix_history or mix_history[-1][1:] != recipe:
        mix_history.append([step] + recipe)   # [from step, mix, labels of the clean pairs, plain share]
    clean_src = C.pair_source(args, preset, device, args.seed + 7 * step, degraded=False)
    mixed_src = C.pair_source(args, preset, device, args.seed + 7 * step + 1)
    micro = MicroPool(args.micro, tc.crop, preset.sr.scale) if (n_micro and args.micro) else None
    gen = torch.Generator().manual_seed(args.seed + 7 * step + 2)
    bf16 = use_bf16(args.bf16, device)
    log = C.JsonlLog(args.run, STAGE)
    val = val_slice(args)
    box = C.TimeBox(args.minutes, elapsed, args.max_steps)
    extra = {"parent": {"name": parent_desc["name"], "version": parent_desc["version"],
                        "sha256": parent_desc["sha256"]},
             "parent_lineage": parent_lineage, "bf16": bf16, "mix": args.mix, "mix_history": mix_history, "lr": args.lr, "w_mean": args.w_mean,
             "threads": torch.get_num_threads(), "device": device.type}
    last_save = last_snapshot = time.time()
    first = last = None
    while box.running(step):
        warm = min(1.0, (step + 1) / 200.0)
        C.schedule_lr(optim, args.lr * warm, box, cosine=True)
        lrs, targets, prompts = [], [], []
        if n_clean:
            hr, _ = clean_src.hr(n_clean)
            lrs.append(clean_src.clean_lr(hr)), targets.append(hr)
            prompts.append(labelled(n_clean, PHOTO, tc.generic_p, gen))
        if n_degraded:
            hr, sources = mixed_src.hr(n_degraded)
            lr, target, p = mixed_src.pairs(hr, sources)
            lrs.append(lr), targets.append(target), prompts.append(p.cpu())
        if micro is not None:
            hr = micro.sample(n_micro, gen)
            lrs.append(binning_pairs(hr, preset.sr.scale, gen)), targets.append(hr)
            prompts.append(labelled(n_micro, FLUORESCENCE, tc.generic_p, gen))
        lr, target = torch.cat(lrs).to(device), torch.cat(targets).to(device)
        prompt = torch.cat(prompts).to(device).float()
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16):
            out = model.sr(lr, prompt)
        out = out.float()
        loss = C.sr_pixel_loss(model.sr, out, lr, target, tc) + args.w_mean * block_mean_loss(out, target)
        C.optimiser_step(optim, loss, params)
        step += 1
        last = loss.item()
        first = last if first is None else first
        if step % 10 == 0 or step == 1:
            log.write(stage=STAGE, step=step, loss=last, psnr=C.psnr(out.detach(), target),
                      psnr_bicubic=C.psnr(model.sr.upsample(lr), target), elapsed=box.elapsed)
        if val is not None:
            val.maybe_log(log, model.sr, STAGE, step, box.elapsed)
        if time.time() - last_save > 120:
            C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=False, extra=extra)
            last_save = time.time()
        if args.snapshot_every > 0 and time.time() - last_snapshot > args.snapshot_every:
            save_snapshot(args.run, model, step)
            last_snapshot = time.time()
    final_val = val.maybe_log(log, model.sr, STAGE, step, box.elapsed, force=True) if val is not None else None
    C.save_checkpoint(args.run, STAGE, model, optim, step, box.elapsed, done=True, extra=extra)
    log.write(stage=STAGE, step=step, done=True, elapsed=box.elapsed)
    return {"stage": STAGE, "steps": step, "first_loss": first, "last_loss": last, "minutes": box.elapsed / 60,
            "bf16": bf16, "val": final_val}


def main(argv=None):
    args = add_args(C.base_args(__doc__)).parse_args(argv)
    print(run(args))


if __name__ == "__main__":
    main()
