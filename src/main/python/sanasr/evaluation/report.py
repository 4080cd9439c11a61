"""Means per set x protocol x method, the headline, the markdown tables, and JSON output."""
from __future__ import annotations

import math
from typing import Dict, List, Sequence

import numpy as np

from .protocols import PROTOCOLS

GROUPS = {"set5+set14": ("set5", "set14"), "science+astro": ("science", "astro")}
# each group's main protocol (bench/eval_java.py and older callers read this one per group) ...
HEADLINE = {"set5+set14": "bicubic", "science+astro": "realistic"}
# ... and every (group, protocol) of the result file's "headline" block (issue 18: binning for science+astro)
HEADLINE_KEYS = (("set5+set14", "bicubic"), ("science+astro", "realistic"), ("science+astro", "binning"))
# per-image measures averaged into the means when the rows have them (NIQE only when it was computed)
TEXTURE_KEYS = ("band_energy", "band_corr", "niqe")


def _mean(rows: Sequence[dict], key: str) -> float:
    vals = [r[key] for r in rows]
    return float(np.mean(vals)) if vals else float("nan")


def _finite_mean(rows: Sequence[dict], key: str) -> float:
    """Mean over the rows whose value is a finite number (NIQE is NaN on images under two 96-px blocks)."""
    vals = [r[key] for r in rows if isinstance(r.get(key), (int, float)) and math.isfinite(r[key])]
    return float(np.mean(vals)) if vals else float("nan")


def is_headline(group: str, protocol: str) -> bool:
    return (group, protocol) in HEADLINE_KEYS


def headline(means: Dict[str, dict]) -> Dict[str, dict]:
    """The result file's "headline" block: PSNR/SSIM (and the texture measures) per method for HEADLINE_KEYS,
    keyed "<group>_<protocol>" with '+' as '_' (set5_set14_bicubic, science_astro_realistic, ...)."""
    out = {}
    for name, protocol in HEADLINE_KEYS:
        if name in means and protocol in means[name]:
            out[name.replace("+", "_") + "_" + protocol] = {
                m: {k: v[k] for k in ("psnr_y", "ssim_y") + TEXTURE_KEYS if k in v}
                for m, v in means[name][protocol].items()}
    return out


def summarise(rows: List[dict]) -> Dict[str, dict]:
    """Means per (group or folder) x protocol x method."""
    sets = dict(GROUPS)
    for members in GROUPS.values():
        for g in members:
            sets[g] = (g,)
    means: Dict[str, dict] = {}
    for name, members in sets.items():
        for protocol in PROTOCOLS:
            for method in sorted({r["method"] for r in rows}):
                sel = [r for r in rows if r["group"] in members and r["protocol"] == protocol and r["method"] == method]
                if not sel:
                    continue
                shift = np.mean([r["colour_shift_rgb"] for r in sel], axis=0).tolist()
                means.setdefault(name, {}).setdefault(protocol, {})[method] = {
                    "images": len(sel),
                    "psnr_y": _mean(sel, "psnr_y"), "ssim_y": _mean(sel, "ssim_y"),
                    "colour_shift_rgb": shift,
                    "max_abs_colour_shift": float(max(max(abs(v) for v in r["colour_shift_rgb"]) for r in sel)),
                    "seconds_per_image": _mean(sel, "seconds"),
                }
                for key in TEXTURE_KEYS:
                    if any(key in r for r in sel):
                        means[name][protocol][method][key] = _finite_mean(sel, key)
    return means


def markdown(means: Dict[str, dict], methods: Sequence[str]) -> str:
    head = "| set | protocol | " + " | ".join(f"{m} PSNR-Y / SSIM-Y" for m in methods) + " |"
    lines = [head, "|" + "---|" * (2 + len(methods))]
    for name, per_protocol in means.items():
        for protocol, per_method in per_protocol.items():
            star = " **(headline)**" if is_headline(name, protocol) else ""
            cells = []
            for m in methods:
                v = per_method.get(m)
                cells.append(f"{v['psnr_y']:.2f} / {v['ssim_y']:.4f}" if v else "-")
            lines.append(f"| {name} | {protocol}{star} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def texture_markdown(means: Dict[str, dict], methods: Sequence[str]) -> str:
    """Band energy / band correlation (/ NIQE, when computed) per set x protocol x method (issue 15's measures:
    energy 1 = as much detail as the truth; corr = how much of it is the true detail; NIQE lower = more
    natural statistics, reported but not a target)."""
    with_niqe = any("niqe" in v for p in means.values() for pm in p.values() for v in pm.values())
    unit = "energy / corr" + (" / NIQE" if with_niqe else "")
    lines = ["| set | protocol | " + " | ".join(f"{m} {unit}" for m in methods) + " |",
             "|" + "---|" * (2 + len(methods))]
    for name, per_protocol in means.items():
        for protocol, per_method in per_protocol.items():
            cells = []
            for m in methods:
                v = per_method.get(m)
                if not v or "band_energy" not in v:
                    cells.append("-")
                    continue
                cell = f"{v['band_energy']:.2f} / {v['band_corr']:.2f}"
                cells.append(cell + (f" / {v['niqe']:.2f}" if "niqe" in v else ""))
            lines.append(f"| {name} | {protocol} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _json_safe(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None if math.isnan(o) else "inf"
    if isinstance(o, dict):
        return {k: _json_safe(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_json_safe(v) for v in o]
    return o
