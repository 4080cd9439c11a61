"""A new release of a model, continued from the previous one (issue 18 item 2: training that accumulates).

    /usr/bin/python3 -m sanasr.train.release --parent models/sana-sr-compact-x4 --run runs/compact-2.0 \
        --minutes 120 --version 2.0.0 --out out/sana-sr-compact-x4 [--bf16-out out/sana-sr-compact-x4-bf16]

1. ``train.refine`` continues the parent (resumable: the same command goes on where a killed run stopped);
2. the float32 model is exported to ``--out`` with the lineage in its descriptor (``training.lineage``: the
   parent's name, version and SHA-256, and every stage of every release so far with its steps, minutes and the
   machine it ran on, plus the cumulative totals); beside it ``training-state.pt`` holds the Adam moments
   (bfloat16) tied to that float32 file by SHA-256: the two are the full state the next release continues from;
3. optionally the same weights with the network in bfloat16 to ``--bf16-out`` (the fast CPU variant).
Nothing is written into ``models/``: compare the candidate with the release first (bench/), then copy.
"""
from __future__ import annotations

import os
import platform
import sys

import torch

from . import common as C, refine
from .. import export as E
from ..model_folder import load_folder, read_descriptor


def machine(threads: int, bf16: bool, device: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = f"{names[0]} ({len(names)} logical CPUs)" if names else cpu
    except OSError:
        pass
    return f"{device}: {cpu}, {threads} torch thread(s), {'bf16 autocast' if bf16 else 'fp32'}"


def stages_of(desc: dict) -> list:
    """Every training stage behind a descriptor, oldest first (1.0.0 and earlier had no lineage record)."""
    tr = desc.get("training", {})
    if "lineage" in tr:
        return list(tr["lineage"]["stages"])
    where = f"{tr.get('device', 'cpu')}, {tr.get('threads', '?')} torch thread(s), fp32 (recorded before lineage)"
    stages = []
    if "init_trunk" in tr:
        it = tr["init_trunk"]
        stages.append({"release": desc["version"], "stage": f"trunk ({it['preset']})", "steps": it["steps"],
                       "minutes": it["minutes"], "machine": where})
    for st in tr.get("stages", []):
        stages.append({"release": desc["version"], "stage": st["stage"], "steps": st["steps"],
                       "minutes": st["minutes"], "machine": where})
    return stages


def lineage(parent: dict, run: str, version: str) -> dict:
    blob = C.load_checkpoint(run, refine.STAGE, torch.device("cpu"))
    extra = blob["extra"]
    stages = stages_of(parent) + [{
        "release": version, "stage": refine.STAGE, "steps": blob["step"], "minutes": round(blob["elapsed"] / 60, 2),
        "machine": machine(extra.get("threads", 1), extra["bf16"], extra.get("device", "cpu")),
        "mix": extra["mix"], "mix_history": extra.get("mix_history"), "lr": extra["lr"], "w_mean": extra["w_mean"]}]
    return {"parent": extra["parent"], "stages": stages,
            "cumulative": {"steps": sum(s["steps"] for s in stages),
                           "minutes": round(sum(s["minutes"] for s in stages), 2)}}


def main(argv=None):
    ap = refine.add_args(C.base_args(__doc__))
    ap.add_argument("--out", required=True)
    ap.add_argument("--bf16-out")
    ap.add_argument("--name", default="sana-sr-compact-x4")
    ap.add_argument("--version", required=True)
    ap.add_argument("--description")
    ap.add_argument("--residual-lowcut", type=int, default=0, help="export with SRConfig.residual_lowcut = K "
                    "(odd; the residual's low frequencies removed: see config.py), recorded in the lineage")
    ap.add_argument("--blend-parent", type=float, default=1.0, help="export A x the trained weights + (1 - A) x the "
                    "parent's (1 = the trained weights alone), recorded in the lineage")
    ap.add_argument("--average", type=int, default=0, help="export the mean of the final weights and the last N "
                    "snapshots (refine --snapshot-every), recorded in the lineage")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = ap.parse_args(argv)
    print(refine.run(args), flush=True)
    parent = read_descriptor(args.parent)
    model = C.model_from_blob(C.load_checkpoint(args.run, refine.STAGE, torch.device("cpu")))
    lin = lineage(parent, args.run, args.version)
    if args.average > 0:
        state, steps = refine.averaged_state(args.run, args.average)
        model.load_state_dict(state)
        lin["stages"][-1]["weights"] = f"mean of the checkpoints at steps {steps}"
    if args.blend_parent != 1.0:
        parent_model, _ = load_folder(args.parent)
        ps = parent_model.sr.state_dict()
        a = args.blend_parent
        model.sr.load_state_dict({k: (a * v.float() + (1 - a) * ps[k].float()).to(v.dtype) if v.is_floating_point()
                                  else v for k, v in model.sr.state_dict().items()})
        lin["stages"][-1]["blend"] = f"{a} x trained + {1 - a:g} x parent {parent['version']}"
    if args.residual_lowcut:
        if args.residual_lowcut % 2 == 0:
            raise SystemExit("--residual-lowcut must be odd")
        model.preset.sr.residual_lowcut = model.sr.residual_lowcut = args.residual_lowcut
        lin["stages"][-1]["export"] = f"residual_lowcut {args.residual_lowcut} (no retraining)"
    training = {"lineage": lin, "steps": {s["stage"]: s["steps"] for s in lin["stages"] if s["release"] == args.version},
                "minutes": lin["stages"][-1]["minutes"], "device": "cpu", "threads": args.threads or 1,
                "torch": torch.__version__, "preset": model.preset.name,
                "data": ["../shared/data/train", "../shared/data/train-micro"],
                "command": "python -m sanasr.train.release " + " ".join(argv)}
    data = ("../shared/data/train (71 photos) and ../shared/data/train-micro (26 fluorescence images, "
            "CellProfiler examples, BSD-3-Clause); see their SOURCES.md")
    desc = E.export(model, args.out, args.name, args.version, args.description, training, data=data)
    optim = torch.optim.Adam(list(model.sr.parameters()))
    optim.load_state_dict(C.load_checkpoint(args.run, refine.STAGE, torch.device("cpu"))["optim"])
    refine.save_release_state(os.path.join(args.out, refine.STATE_FILE), desc["sha256"], optim, lin)
    if args.bf16_out:
        bf16_model = C.model_from_blob(C.load_checkpoint(args.run, refine.STAGE, torch.device("cpu")))
        bf16_model.load_state_dict(model.state_dict())
        bf16_model.preset.sr.residual_lowcut = bf16_model.sr.residual_lowcut = model.sr.residual_lowcut
        E.export(bf16_model, args.bf16_out, args.name + "-bf16", args.version,
                 (args.description or desc["description"]) + " (network in bfloat16)", training, data=data,
                 precision="bfloat16")
        E.link_variant(args.out, args.bf16_out)
    print({"exported": args.out, "sha256": desc["sha256"], "cumulative": lin["cumulative"]}, flush=True)


if __name__ == "__main__":
    main()
