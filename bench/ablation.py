#!/usr/bin/env python3
"""Issue 10 item 2: the ablation, one command per row, the same data and the same minutes for each.

    /usr/bin/python3 bench/ablation.py train  --row a [--minutes 30] [--threads 1]   # runs/ablation-a, out/ablation-a
    /usr/bin/python3 bench/ablation.py report --row a [--prompt auto]
    /usr/bin/python3 bench/ablation.py describe --model models/sana-sr-compact-x4   # the result into model.json

Rows: (a) ``compact``, the SANA-SR compact model; (b) ``compact-plain``, the same model with the latent path
(encoder, DiT, latent decoder) removed; (c) ``reference``, the plain reference network of the issue.
``train`` runs ``python -m sanasr.train.all`` for the row (checkpointed: rerunning resumes). ``report`` evaluates
the exported model on ``../shared/data/val`` with ``sanasr.evaluate`` (bicubic and model; the default prompt
unless ``--prompt``) and writes ``bench/ablation/quality-<row>[-<prompt>].json`` with an ``ablation`` record
(label, preset, steps, minutes, training command, device, threads), which ``bench/make_results.py`` tabulates.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PY = os.path.join(REPO, "src", "main", "python")
ROWS = {"a": ("compact", "(a) SANA-SR compact: trunk + latent path"),
        "b": ("compact-plain", "(b) compact without the latent path"),
        "c": ("reference", "(c) plain reference network (issue 10)")}


def train(a):
    preset = ROWS[a.row][0]
    cmd = [sys.executable, "-m", "sanasr.train.all", "--preset", preset, "--minutes", str(a.minutes), "--reserve",
           "0", "--run", f"runs/ablation-{a.row}", "--out", f"out/ablation-{a.row}", "--name", "sana-sr-compact-x4",
           "--version", f"ablation-{a.row}", "--eval-max-side", "-1", "--threads", str(a.threads)]
    print(" ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=REPO, env=dict(os.environ, PYTHONPATH=PY))


def report(a):
    sys.path.insert(0, PY)
    from sanasr.evaluate import _json_safe, evaluate, markdown
    folder = os.path.join(REPO, a.model or f"out/ablation-{a.row}")
    with open(os.path.join(folder, "model.json")) as f:
        desc = json.load(f)
    res = evaluate(a.val, ["bicubic", "model"], folder, a.prompt)
    tr = desc.get("training", {})
    label = ROWS[a.row][1] + (f", prompt {a.prompt}" if a.prompt else "")
    res["ablation"] = {"row": a.row, "label": label, "preset": tr.get("preset"), "steps": tr.get("steps"),
                       "minutes": tr.get("minutes"), "command": tr.get("command"), "device": tr.get("device"),
                       "threads": tr.get("threads"), "torch": tr.get("torch"),
                       "parameters": desc.get("parameters"), "macs_per_512x512_output": desc.get("macs_per_512x512_output")}
    os.makedirs(os.path.join(HERE, "ablation"), exist_ok=True)
    out = a.out or os.path.join(HERE, "ablation", f"quality-{a.row}" + (f"-{a.prompt}" if a.prompt else "") + ".json")
    with open(out, "w") as f:
        json.dump(_json_safe(res), f, indent=1)
        f.write("\n")
    print(markdown(res["means"], ["bicubic", "model"]))
    print("wrote", os.path.relpath(out, REPO))
    return 0


GROUPS = (("set5+set14", "bicubic"), ("set5+set14", "realistic"), ("science+astro", "bicubic"),
          ("science+astro", "realistic"), ("science+astro", "binning"))


def gains(path):
    with open(path) as f:
        d = json.load(f)
    out = {}
    for g, p in GROUPS:
        if p not in d["means"].get(g, {}):   # files from before the binning protocol
            continue
        m = d["means"][g][p]
        out[f"{g.replace('+', '_')}_{p}"] = round(m["model"]["psnr_y"] - m["bicubic"]["psnr_y"], 3)
    return out, d.get("ablation", {})


def describe(a):
    """Write what the latent path adds (row a minus row b, dB) and the three rows into the model's model.json."""
    rows = {}
    for row in sorted(ROWS):
        path = os.path.join(HERE, "ablation", f"quality-{row}.json")
        if os.path.exists(path):
            g, ab = gains(path)
            rows[row] = {"label": ROWS[row][1], "gain_over_bicubic_db": g, "steps": ab.get("steps"),
                         "minutes": ab.get("minutes"), "source": os.path.relpath(path, REPO)}
    if "a" not in rows or "b" not in rows:
        raise SystemExit("describe needs bench/ablation/quality-a.json and quality-b.json (run report first)")
    adds = {k: round(rows["a"]["gain_over_bicubic_db"][k] - rows["b"]["gain_over_bicubic_db"][k], 3)
            for k in rows["a"]["gain_over_bicubic_db"] if k in rows["b"]["gain_over_bicubic_db"]}
    path = os.path.join(REPO, a.model, "model.json")
    with open(path) as f:
        desc = json.load(f)
    desc["ablation"] = {"latent_path_adds_db": adds,
                        "what": "PSNR-Y gain of row (a) minus row (b): the same model, data and minutes with and "
                                "without the latent path (encoder, DiT, latent decoder); negative = it costs",
                        "rows": rows}
    with open(path, "w") as f:
        json.dump(desc, f, indent=2)
        f.write("\n")
    print(json.dumps(desc["ablation"]["latent_path_adds_db"]))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    t = sub.add_parser("train")
    t.add_argument("--row", choices=sorted(ROWS), required=True)
    t.add_argument("--minutes", type=float, default=30.0)
    t.add_argument("--threads", type=int, default=1)
    r = sub.add_parser("report")
    r.add_argument("--row", choices=sorted(ROWS), required=True)
    r.add_argument("--model", help="model folder (default out/ablation-<row>)")
    r.add_argument("--prompt", help="prompt for every image, or 'auto' (default: the model's default)")
    r.add_argument("--val", default=os.path.join(REPO, "..", "shared", "data", "val"))
    r.add_argument("--out", help="result file (default bench/ablation/quality-<row>[-<prompt>].json)")
    d = sub.add_parser("describe")
    d.add_argument("--model", default="models/sana-sr-compact-x4")
    a = ap.parse_args(argv)
    return {"train": train, "report": report, "describe": describe}[a.what](a)


if __name__ == "__main__":
    sys.exit(main())
