#!/usr/bin/env python3
"""Copy a model's validation means from its evaluation file into its model.json (the .pt and its SHA-256 stay).

    /usr/bin/python3 bench/update_descriptor_metrics.py models/sana-sr-compact-x4 bench/quality-sana-sr-compact-x4.json
"""
import json
import sys

folder, quality = sys.argv[1], sys.argv[2]
with open(quality) as f:
    q = json.load(f)
with open(f"{folder}/model.json") as f:
    desc = json.load(f)
metrics = {"source": quality, "protocol": "PSNR/SSIM on Y (BT.601), 4-pixel shave; see bench/README.md"}
for group, protocols in q["means"].items():
    for protocol, methods in protocols.items():
        s = methods.get("model")
        if s:
            metrics[f"{group.replace('+', '_')}_{protocol}"] = {
                "psnr_y": round(s["psnr_y"], 3), "ssim_y": round(s["ssim_y"], 4),
                "colour_shift_rgb": [round(v, 3) for v in s["colour_shift_rgb"]], "images": s["images"]}
            for key in ("band_energy", "band_corr", "niqe"):   # issue 15's texture measures, where evaluated
                if isinstance(s.get(key), (int, float)):
                    metrics[f"{group.replace('+', '_')}_{protocol}"][key] = round(s[key], 3)
desc["metrics"] = metrics
with open(f"{folder}/model.json", "w") as f:
    json.dump(desc, f, indent=2)
    f.write("\n")
print(json.dumps(metrics, indent=1)[:600])
