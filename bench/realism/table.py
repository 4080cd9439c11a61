#!/usr/bin/env python3
"""Issue 15's realism table from evaluation files: PSNR-Y, band energy, band correlation and NIQE per method on
the realistic protocol, Set5+Set14 and science+astro (sanasr.evaluate / bench/peers/evaluate_realesrgan.py JSON).

    /usr/bin/python3 bench/realism/table.py LABEL=FILE[:METHOD] ... > table.md

METHOD is the method key inside the file (default: model; realesrgan / bicubic for the peer's file).
"""
import json
import sys

GROUPS = ("set5+set14", "science+astro")


def cells(path: str, method: str, group: str) -> str:
    with open(path) as f:
        means = json.load(f)["means"]
    v = means.get(group, {}).get("realistic", {}).get(method)
    if not v:
        return "– | – | – | –"
    niqe = f"{v['niqe']:.2f}" if "niqe" in v else "–"
    return f"{v['psnr_y']:.2f} | {v['band_energy']:.2f} | {v['band_corr']:.3f} | {niqe}"


def main(argv):
    lines = ["| method | " + " | ".join(f"{g} PSNR-Y | energy | corr | NIQE" for g in GROUPS) + " |",
             "|---|" + "---|---|---|---|" * len(GROUPS)]
    for arg in argv:
        label, spec = arg.split("=", 1)
        path, _, method = spec.partition(":")
        lines.append(f"| {label} | " + " | ".join(cells(path, method or "model", g) for g in GROUPS) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
