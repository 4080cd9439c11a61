"""Private stand-in for sanasr.data / sanasr.degrade, used only when those cannot be imported.

Plain random crops and bicubic downscaling with prompt "photo". Delete once the real modules are stable.
"""
from __future__ import annotations

import os
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .config import PROMPTS


class FallbackPool:
    def __init__(self, root: str, crop: int = 256):
        self.crop = crop
        self.images = []
        for f in sorted(os.listdir(root)):
            if f.lower().endswith((".png", ".jpg", ".jpeg")):
                im = np.asarray(Image.open(os.path.join(root, f)).convert("RGB"), dtype=np.float32) / 255.0
                if min(im.shape[:2]) >= crop:
                    self.images.append(torch.from_numpy(im).permute(2, 0, 1).contiguous())

    def sample(self, n: int, gen: torch.Generator) -> Tuple[torch.Tensor, List[str]]:
        out = []
        for _ in range(n):
            im = self.images[int(torch.randint(len(self.images), (1,), generator=gen))]
            y = int(torch.randint(im.shape[1] - self.crop + 1, (1,), generator=gen))
            x = int(torch.randint(im.shape[2] - self.crop + 1, (1,), generator=gen))
            out.append(im[:, y:y + self.crop, x:x + self.crop])
        return torch.stack(out), ["photo"] * n


def fallback_pairs(hr: torch.Tensor, sources, scale: int, gen: torch.Generator):
    lr = F.interpolate(hr, scale_factor=1.0 / scale, mode="bicubic", align_corners=False)
    return lr, hr, torch.full((hr.shape[0],), PROMPTS.index("photo"), dtype=torch.long, device=hr.device)
