#!/usr/bin/python3
"""Makes the two small TorchScript test models the Java tests use, each in its own folder with a model.json
that follows docs/model-format.md.

  conv-x4       purely convolutional x4 model: its output at a pixel depends only on the input within
                `halo` pixels, so a tiled run must equal the untiled run (within float error).
  attention-x4  adds a global ReLU linear-attention term: every output pixel depends on the whole tile, so
                tiles disagree slightly and only the blending hides the seams.

Run with Debian's torch:  /usr/bin/python3 src/test/resources/models/make_test_models.py
The weights are seeded (same numbers every run); the .pt bytes, and so the SHA-256, change with each save.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "main", "python"))
from sanasr.files import sha256_of  # noqa: E402  (no torch import; the one SHA-256 helper of the project)

PROMPTS = ["generic", "photo", "fluorescence", "brightfield", "histology", "electron", "astro"]
SCALE = 4


class ConvX4(nn.Module):
    """3x3 convs on the input grid, pixel shuffle x4, one 3x3 conv on the output grid, plus a nearest-neighbour
    skip. Receptive field: 3 input px + 1 output-grid conv (touches the next input pixel) = 4 input px."""

    def __init__(self, channels: int = 3, width: int = 16):
        super().__init__()
        self.scale: int = SCALE
        self.c1 = nn.Conv2d(channels, width, 3, padding=1)
        self.c2 = nn.Conv2d(width, width, 3, padding=1)
        self.c3 = nn.Conv2d(width, channels * SCALE * SCALE, 3, padding=1)
        self.out = nn.Conv2d(channels, channels, 3, padding=1)
        # A per-prompt intensity offset: lets the tests see that the prompt reaches the model.
        self.prompt_bias = nn.Parameter(torch.linspace(0.0, 0.06, len(PROMPTS)))
        with torch.no_grad():
            for m in (self.c1, self.c2, self.c3, self.out):
                m.weight.mul_(0.5)
                m.bias.mul_(0.1)

    def features(self, image: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.c1(image))
        h = F.relu(self.c2(h))
        return h

    def head(self, image: torch.Tensor, h: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        up = F.pixel_shuffle(self.c3(h), self.scale)
        skip = image.repeat_interleave(self.scale, dim=2).repeat_interleave(self.scale, dim=3)
        y = skip + 0.2 * self.out(up)
        bias = self.prompt_bias[prompt.long()].view(-1, 1, 1, 1)
        return y + bias

    def forward(self, image: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        return self.head(image, self.features(image), prompt)


class AttentionX4(ConvX4):
    """ConvX4 plus a global ReLU linear attention over the tile (O(N) like SANA's): the tile's context
    changes every output pixel a little, as in the real model."""

    def __init__(self, channels: int = 3, width: int = 16):
        super().__init__(channels, width)
        self.q = nn.Conv2d(width, width, 1)
        self.k = nn.Conv2d(width, width, 1)
        self.v = nn.Conv2d(width, width, 1)
        self.proj = nn.Conv2d(width, width, 1)

    def forward(self, image: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        h = self.features(image)
        n, c, hh, ww = h.shape
        q = F.relu(self.q(h)).reshape(n, c, hh * ww)
        k = F.relu(self.k(h)).reshape(n, c, hh * ww)
        v = self.v(h).reshape(n, c, hh * ww)
        kv = torch.bmm(v, k.transpose(1, 2))                      # [n, c, c]: global summary
        num = torch.bmm(kv, q)                                     # [n, c, N]
        den = torch.bmm(k.sum(dim=2, keepdim=True).transpose(1, 2), q) + 1e-6  # [n, 1, N]
        att = (num / den).reshape(n, c, hh, ww)
        h = h + 10.0 * self.proj(att)  # strong enough that tiles visibly disagree
        return self.head(image, h, prompt)


def export(model: nn.Module, name: str, halo: int, description: str) -> None:
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    model.eval()
    scripted = torch.jit.script(model)
    file = name + ".pt"
    path = os.path.join(folder, file)
    scripted.save(path)
    # Check the saved file once: shape contract and batch independence.
    loaded = torch.jit.load(path)
    x = torch.rand(2, 3, 16, 24)
    y = loaded(x, torch.tensor([0.0, 2.0]))
    assert tuple(y.shape) == (2, 3, 64, 96), y.shape
    descriptor = {
        "format": "sanasr-model/1",
        "name": name,
        "version": "0.0.1",
        "description": description,
        "file": file,
        "sha256": sha256_of(path),
        "scale": SCALE,
        "input_channels": 3,
        "stride": 8,
        "halo": halo,
        "prompts": PROMPTS,
        "default_prompt": "generic",
        "degradation": {"type": "area", "description": "output averaged over scale x scale blocks"},
        "bytes_per_output_pixel": 600,
        "generative": False,
        "architecture": {"preset": "test", "class": type(model).__name__},
        "parameters": sum(p.numel() for p in model.parameters()),
        "training": {"data": "none: random seeded weights for tests"},
        "metrics": {},
        "licence": "test weights, public domain",
    }
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(descriptor, f, indent=2)
        f.write("\n")
    # A Java/Python parity fixture: the loaded TorchScript's output for a fixed input (ParityTest reads it).
    g = torch.Generator().manual_seed(99)
    x = torch.rand(1, 3, 16, 24, generator=g) * 1.2 - 0.1  # outside [0,1] too: the caller must not clip
    with torch.no_grad():
        y = loaded(x, torch.tensor([2.0]))
    np.save(os.path.join(folder, "parity_input.npy"), x.numpy().astype("<f4"))
    np.save(os.path.join(folder, "parity_output.npy"), y.numpy().astype("<f4"))
    print(name, descriptor["sha256"], os.path.getsize(path), "bytes")


def main() -> None:
    torch.manual_seed(1234)
    export(ConvX4(), "conv-x4", halo=4, description="test: purely convolutional x4")
    torch.manual_seed(5678)
    export(AttentionX4(), "attention-x4", halo=4, description="test: convolutional x4 with global linear attention")


if __name__ == "__main__":
    main()
