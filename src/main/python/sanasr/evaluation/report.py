"""Means per set x protocol x method, the markdown table, and JSON output."""
from __future__ import annotations

import math
from typing import Dict, List, Sequence

import numpy as np

from .protocols import PROTOCOLS

GROUPS = {"set5+set14": ("set5", "set14"), "science+astro": ("science", "astro")}
HEADLINE = {"set5+set14": "bicubic", "science+astro": "realistic"}


def _mean(rows: Sequence[dict], key: str) -> float:
    vals = [r[key] for r in rows]
    return float(np.mean(vals)) if vals else float("nan")


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
    return means


def markdown(means: Dict[str, dict], methods: Sequence[str]) -> str:
    head = "| set | protocol | " + " | ".join(f"{m} PSNR-Y / SSIM-Y" for m in methods) + " |"
    lines = [head, "|" + "---|" * (2 + len(methods))]
    for name, per_protocol in means.items():
        for protocol, per_method in per_protocol.items():
            star = " **(headline)**" if HEADLINE.get(name) == protocol else ""
            cells = []
            for m in methods:
                v = per_method.get(m)
                cells.append(f"{v['psnr_y']:.2f} / {v['ssim_y']:.4f}" if v else "-")
            lines.append(f"| {name} | {protocol}{star} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _json_safe(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None if math.isnan(o) else "inf"
    if isinstance(o, dict):
        return {k: _json_safe(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_json_safe(v) for v in o]
    return o
