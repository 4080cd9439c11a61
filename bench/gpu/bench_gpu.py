#!/usr/bin/env python3
"""GPU benchmark of the exported TorchScript files (issue 6, item 3): latency, throughput, memory, size.

For each model: the shipped compact file (``models/<name>/<file>.pt``, as exported) and the ``full`` preset
(the paper's scale, random weights, scripted here with ``sanasr.export.script_model`` and saved, then loaded
back with ``torch.jit.load`` like every other file):

* latency per output image of --size (batch 1): fp32 (TF32 off, then on), bf16 and fp16 - the half precisions
  by converting the loaded module and its inputs (``.to(dtype)``); a precision the scripted graph refuses
  is reported with its error instead of a number;
* throughput: images per second for batches 1, 2, 4, ... up to --max-batch or the first out-of-memory,
  in the fastest precision that ran; the best batch is named;
* peak GPU memory (``torch.cuda.max_memory_allocated``) of every configuration;
* parameters and MACs (``sanasr.count``, fp32 graph, counted on the CPU copy);
* the paper's figures beside them (0.019 s, 407.95 GMACs, 344M params; its hardware is not stated here).

Every result carries the device name. Timing: CUDA events around each call after warm-up, median and
min-max of --reps calls (each synchronised).

    python3 bench/gpu/bench_gpu.py --out $OUT                          # on the device: $OUT/gpu-bench.json
    /usr/bin/python3 bench/gpu/bench_gpu.py --render <files_at>/gpu-bench.json \
        --md-out bench/results/gpu-<card>.md                           # here, afterwards
    /usr/bin/python3 bench/gpu/bench_gpu.py --device cpu --size 64 --presets tiny --reps 2 \
        --max-batch 2 --out out/gpu-dry-run --markdown                       # a dry run here

Only one file comes back from the benchmark because the device returns at most 8 files and the training
job beside it needs up to 7.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import statistics
import sys
import time
import traceback

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "src", "main", "python"))

from sanasr import config as cfgmod  # noqa: E402
from sanasr.count import PAPER, count_macs  # noqa: E402
from sanasr.export import script_model  # noqa: E402
from sanasr.model import SanaSR  # noqa: E402

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def device_name(dev: torch.device) -> str:
    if dev.type == "cuda":
        return torch.cuda.get_device_name(dev)
    return f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} threads visible)"


def synchronize(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def timed_calls(fn, dev, reps: int, warmup: int):
    """Seconds per call: median, min, max over reps after warmup calls."""
    for _ in range(warmup):
        fn()
    synchronize(dev)
    times = []
    for _ in range(reps):
        if dev.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize(dev)
            times.append(start.elapsed_time(end) / 1000.0)
        else:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times)


def reset_peak(dev):
    if dev.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(dev)


def peak_mib(dev):
    return round(torch.cuda.max_memory_allocated(dev) / 2 ** 20, 1) if dev.type == "cuda" else None


def is_oom(e: BaseException) -> bool:
    return "out of memory" in str(e).lower()


def measure(module, dev, dtype, batch: int, lr_side: int, reps: int, warmup: int) -> dict:
    image = torch.rand(batch, 3, lr_side, lr_side, device=dev).to(dtype)
    prompt = torch.zeros(batch, device=dev).to(dtype)
    reset_peak(dev)
    with torch.no_grad():
        med, lo, hi = timed_calls(lambda: module(image, prompt), dev, reps, warmup)
    return {"batch": batch, "median_s": med, "min_s": lo, "max_s": hi,
            "images_per_s": batch / med, "s_per_image": med / batch, "peak_mib": peak_mib(dev)}


def last_line(e: BaseException) -> str:
    lines = [l for l in str(e).splitlines() if l.strip()]
    return (lines[-1] if lines else "")[:300]


def measure_autocast(eager, dev, dtype, lr_side: int, args) -> dict:
    sr = eager.sr.to(dev).float().eval()
    try:
        with torch.autocast(device_type=dev.type, dtype=dtype):
            r = measure(sr, dev, torch.float32, 1, lr_side, args.reps, args.warmup)
    finally:
        eager.sr.cpu()
    r["note"] = "eager model with the file's weights under torch.autocast"
    return r


def load_models(args, dev, scratch):
    """(label, TorchScript path, SanaSR-or-None for counting) for every model to measure."""
    found = []
    for desc_path in sorted(glob.glob(os.path.join(REPO, "models", "*", "model.json"))):
        with open(desc_path) as f:
            desc = json.load(f)
        if args.models is not None and desc["name"] not in args.models:
            continue
        found.append((f"{desc['name']} {desc['version']}", os.path.join(os.path.dirname(desc_path), desc["file"]), None))
    for name in args.presets:
        torch.manual_seed(0)
        model = SanaSR(cfgmod.preset(name)).eval()
        t0 = time.time()
        _, scripted = script_model(model)
        path = os.path.join(scratch, f"{name}-random.pt")
        scripted.save(path)
        print(f"scripted preset {name} in {time.time() - t0:.1f} s -> {os.path.getsize(path) / 2**20:.0f} MiB",
              flush=True)
        found.append((f"preset {name} (random weights)", path, model))
    return found


def count(module_cpu, lr_side: int) -> dict:
    params = sum(p.numel() for p in module_cpu.parameters())
    macs = count_macs(module_cpu, torch.rand(1, 3, lr_side, lr_side), torch.zeros(1))
    return {"params": params, "macs": sum(macs.values()), "macs_by_component": macs}


def bench_one(label, path, eager, args, dev) -> dict:
    scale = 4
    lr_side = args.size // scale
    res = {"model": label, "file": os.path.relpath(path, REPO) if path.startswith(REPO) else os.path.basename(path),
           "file_mib": round(os.path.getsize(path) / 2 ** 20, 1), "output": [args.size, args.size]}
    # params/MACs from an eager copy (hooks do not fire in TorchScript): the preset model, or the
    # shipped file's weights loaded into the preset its descriptor names
    try:
        if eager is None:
            with open(os.path.join(os.path.dirname(path), "model.json")) as f:
                desc = json.load(f)
            from sanasr.config import Preset
            eager = SanaSR(Preset.from_dict(desc["architecture"])).eval()
            state = torch.jit.load(path, map_location="cpu").state_dict()
            eager.sr.load_state_dict(state)
        res.update(count(eager.sr.float().cpu(), lr_side))
    except Exception as e:  # counting is a side figure; the timings still matter
        res["count_error"] = f"{type(e).__name__}: {e}"
    latency = {}
    best = None
    for tag, dtype, tf32 in (("fp32", torch.float32, False), ("fp32+tf32", torch.float32, True),
                             ("bf16", torch.bfloat16, False), ("fp16", torch.float16, False)):
        if dev.type != "cuda" and tag in ("fp32+tf32", "fp16"):
            continue
        if dev.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
        try:
            module = torch.jit.load(path, map_location=dev).eval().to(dtype)
            latency[tag] = measure(module, dev, dtype, 1, lr_side, args.reps, args.warmup)
            print(f"  {label} {tag}: {latency[tag]['median_s'] * 1000:.2f} ms, peak {latency[tag]['peak_mib']} MiB",
                  flush=True)
            if best is None or latency[tag]["median_s"] < latency[best[0]]["median_s"]:
                best = (tag, dtype, tf32)
        except Exception as e:
            latency[tag] = {"error": last_line(e)}
            print(f"  {label} {tag}: {latency[tag]['error']}", flush=True)
            if dtype != torch.float32 and eager is not None:   # the same weights, eager, under autocast
                try:
                    latency[tag + " autocast"] = measure_autocast(eager, dev, dtype, lr_side, args)
                    print(f"  {label} {tag} autocast: {latency[tag + ' autocast']['median_s'] * 1000:.2f} ms",
                          flush=True)
                except Exception as e2:
                    latency[tag + " autocast"] = {"error": last_line(e2)}
        finally:
            module = None
            reset_peak(dev)
    res["latency_batch1"] = latency
    throughput = []
    if best is not None:
        tag, dtype, tf32 = best
        if dev.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
        module = torch.jit.load(path, map_location=dev).eval().to(dtype)
        batch = 1
        while batch <= args.max_batch:
            try:
                r = measure(module, dev, dtype, batch, lr_side, max(3, args.reps // 2), max(1, args.warmup // 2))
                throughput.append(r)
                print(f"  {label} {tag} batch {batch}: {r['images_per_s']:.1f} images/s, peak {r['peak_mib']} MiB",
                      flush=True)
            except RuntimeError as e:
                if not is_oom(e):
                    raise
                throughput.append({"batch": batch, "error": "out of memory"})
                break
            batch *= 2
        module = None
        reset_peak(dev)
        ok = [t for t in throughput if "images_per_s" in t]
        res["throughput"] = {"precision": tag, "runs": throughput,
                             "best": max(ok, key=lambda t: t["images_per_s"]) if ok else None}
    return res


def write_markdown(result: dict, path: str):
    dev = result["device"]
    lines = [f"## GPU: exported TorchScript models on {dev}", "",
             f"- date: `{result['date']}`", f"- device: `{dev}`", f"- torch: `{result['torch']}`, CUDA `{result['cuda']}`",
             f"- command: `{result['command']}`",
             f"- output per image: {result['size']}x{result['size']} (input {result['size'] // 4}x{result['size'] // 4})",
             "", "Latency per image at batch 1 (median, min-max), peak GPU memory:", "",
             f"| model | params | GMACs | precision | latency ms ({dev}) | min-max ms | peak MiB |",
             "|---|---|---|---|---|---|---|"]
    for m in result["models"]:
        p = f"{m['params'] / 1e6:.1f}M" if "params" in m else "?"
        g = f"{m['macs'] / 1e9:.2f}" if "macs" in m else "?"
        for tag, r in m["latency_batch1"].items():
            if "error" in r:
                lines.append(f"| {m['model']} | {p} | {g} | {tag} | failed: {r['error'][:80]} | | |")
            else:
                lines.append(f"| {m['model']} | {p} | {g} | {tag} | {r['median_s'] * 1000:.2f} | "
                             f"{r['min_s'] * 1000:.2f}-{r['max_s'] * 1000:.2f} | {r['peak_mib']} |")
    lines += [f"| paper (SANA-SR, pruned) | {PAPER['params'] / 1e6:.0f}M | {PAPER['macs'] / 1e9:.2f} | ? | 19 (hardware not stated) | | |",
              "", "Throughput (fastest batch-1 precision, batches doubling to the first out-of-memory or the limit):", "",
              f"| model | precision | batch | images/s ({dev}) | ms per image | peak MiB |", "|---|---|---|---|---|---|"]
    for m in result["models"]:
        t = m.get("throughput")
        if not t:
            continue
        for r in t["runs"]:
            if "error" in r:
                lines.append(f"| {m['model']} | {t['precision']} | {r['batch']} | {r['error']} | | |")
            else:
                star = " (best)" if t["best"] and r["batch"] == t["best"]["batch"] else ""
                lines.append(f"| {m['model']} | {t['precision']} | {r['batch']}{star} | {r['images_per_s']:.1f} | "
                             f"{r['s_per_image'] * 1000:.2f} | {r['peak_mib']} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="folder for gpu-bench.json (and gpu-bench.md with --markdown)")
    ap.add_argument("--markdown", action="store_true", help="also write gpu-bench.md beside the JSON")
    ap.add_argument("--render", metavar="JSON", help="only turn a gpu-bench.json into markdown (--md-out)")
    ap.add_argument("--md-out", help="with --render: the markdown file to write")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--size", type=int, default=512, help="output side")
    ap.add_argument("--models", nargs="*", default=None, help="shipped model names (default: all in models/; none when given empty)")
    ap.add_argument("--presets", nargs="*", default=["full"], help="presets to script with random weights")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--max-batch", type=int, default=64)
    ap.add_argument("--scratch", default=None, help="where the scripted presets go (default: $OUT/../gpu-scratch)")
    args = ap.parse_args(argv)
    if args.render:
        with open(args.render) as f:
            write_markdown(json.load(f), args.md_out or os.path.splitext(args.render)[0] + ".md")
        return
    if not args.out:
        ap.error("--out is required")
    dev = torch.device(args.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA device visible to torch; use --device cpu for a dry run")
    torch.backends.cudnn.benchmark = True
    os.makedirs(args.out, exist_ok=True)
    scratch = args.scratch or os.path.join(os.path.dirname(os.path.abspath(args.out)), "gpu-scratch")
    os.makedirs(scratch, exist_ok=True)
    result = {"format": "sanasr-gpu-bench/1", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "device": device_name(dev), "torch": torch.__version__, "cuda": torch.version.cuda,
              "command": "bench/gpu/bench_gpu.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "size": args.size, "paper": PAPER, "models": []}
    json_path = os.path.join(args.out, "gpu-bench.json")
    for label, path, eager in load_models(args, dev, scratch):
        try:
            result["models"].append(bench_one(label, path, eager, args, dev))
        except Exception as e:
            traceback.print_exc()
            result["models"].append({"model": label, "error": f"{type(e).__name__}: {e}"[:500],
                                     "latency_batch1": {}})
        with open(json_path, "w") as f:   # after every model: a killed call still returns what it measured
            json.dump(result, f, indent=1)
    if args.markdown:
        write_markdown(result, os.path.join(args.out, "gpu-bench.md"))
        print(open(os.path.join(args.out, "gpu-bench.md")).read())


if __name__ == "__main__":
    main()
