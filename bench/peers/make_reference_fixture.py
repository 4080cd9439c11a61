"""Writes the upscayl-bin reference used by test_peers.py (run once; the fixture is committed).

A small synthetic colour image (shapes, lines, a gradient; no third-party
pixels) is upscaled by upscayl-bin, the original ncnn runtime of the weights.
The test then checks the PyTorch port against it without needing Vulkan.

  nice -n 15 /usr/bin/python3 bench/peers/make_reference_fixture.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import compare_with_upscayl_bin as compare  # noqa: E402

FIXTURES = HERE / "fixtures"
INPUT = FIXTURES / "synthetic-24-lr.png"
REFERENCE = FIXTURES / "synthetic-24-upscayl-bin-x4.png"


def synthetic_image(size: int = 24) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    base = np.stack([60 + 6 * xx, 80 + 4 * yy, 150 - 3 * (xx + yy) // 2], axis=2).astype(np.uint8)
    image = Image.fromarray(base)
    draw = ImageDraw.Draw(image)
    draw.ellipse((3, 4, 13, 14), fill=(230, 200, 40))
    draw.line((0, 20, 23, 9), fill=(20, 20, 30), width=2)
    draw.rectangle((15, 14, 21, 21), outline=(250, 250, 250))
    return np.asarray(image)


def main() -> int:
    FIXTURES.mkdir(exist_ok=True)
    Image.fromarray(synthetic_image()).save(INPUT)
    binary, models = compare.unpack_upscayl_bin()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.png"
        seconds = compare.run_upscayl_bin(binary, models, INPUT, target, gpu=0, tile=0)
        Image.open(target).convert("RGB").save(REFERENCE, optimize=True)
    print(f"{REFERENCE} written ({seconds:.1f} s, Vulkan: {compare.vulkan_device_name()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
