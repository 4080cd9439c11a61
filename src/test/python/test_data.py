"""TrainPool: loading, crop shapes, augmentation and determinism on a tiny temporary pool."""
import os
import sys

import numpy as np
import pytest
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "main", "python"))
from sanasr.data import TrainPool, source_tag  # noqa: E402

SHARED_TRAIN = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "data", "train")


@pytest.fixture(scope="module")
def pool_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("pool")
    rng = np.random.default_rng(0)
    for name, size in (("a.png", (96, 80)), ("stellarium-data__neb.png", (120, 100)), ("b.jpg", (200, 150))):
        arr = (rng.random((size[1], size[0], 3)) * 255).astype(np.uint8)
        arr[..., 0] = 30  # a colour cast, so greyscale conversion is detectable
        Image.fromarray(arr).save(d / name)
    (d / "SOURCES.md").write_text("not an image")
    return str(d)


def test_loads_images_only_and_tags(pool_dir):
    pool = TrainPool(pool_dir, crop=64)
    assert len(pool) == 3
    assert all(img.dtype == torch.uint8 for img in pool.images)
    assert sorted(pool.tags) == ["astro", "photo", "photo"]
    assert source_tag("x/stellarium-data__m42.jpg") == "astro" and source_tag("mate__m42.jpg") == "photo"


def test_sample_shapes_range_determinism(pool_dir):
    pool = TrainPool(pool_dir, crop=64)
    a, ta = pool.sample(12, torch.Generator().manual_seed(3))
    b, tb = pool.sample(12, torch.Generator().manual_seed(3))
    c, _ = pool.sample(12, torch.Generator().manual_seed(4))
    assert a.shape == (12, 3, 64, 64) and a.dtype == torch.float32
    assert float(a.min()) >= 0 and float(a.max()) <= 1
    assert torch.equal(a, b) and ta == tb
    assert not torch.equal(a, c)
    assert set(ta) <= {"astro", "photo"}


def test_augmentations_occur(pool_dir):
    pool = TrainPool(pool_dir, crop=64, grey_p=0.3, gamma_p=0.5)
    x, _ = pool.sample(200, torch.Generator().manual_seed(0))
    grey = ((x[:, 0] - x[:, 1]).abs().amax((1, 2)) < 1e-6).float().mean()
    assert 0.15 < float(grey) < 0.45
    # without gamma and zoom, every crop is an exact (flipped/rotated) window of some image
    plain = TrainPool(pool_dir, crop=64, grey_p=0, gamma_p=0, zoom_p=0)
    y, _ = plain.sample(1, torch.Generator().manual_seed(1))
    y8 = (y[0] * 255).round().to(torch.uint8)
    found = False
    for img in plain.images:
        for k in range(4):
            for flip in (False, True):
                v = torch.rot90(y8, -k, dims=(1, 2))
                v = torch.flip(v, dims=(2,)) if flip else v
                unf = img.unfold(1, 64, 1).unfold(2, 64, 1)  # [3,Y,X,64,64]
                if (unf == v[:, None, None]).all(0).all(-1).all(-1).any():
                    found = True
    assert found
    # gamma changes intensities of the same crop
    g1 = TrainPool(pool_dir, crop=64, grey_p=0, gamma_p=1.0, zoom_p=0)
    z, _ = g1.sample(1, torch.Generator().manual_seed(1))
    assert not torch.allclose(z, y, atol=1e-3)


@pytest.mark.skipif(not os.path.isdir(SHARED_TRAIN), reason="shared training data not present")
def test_real_pool_loads():
    pool = TrainPool(SHARED_TRAIN, crop=128)
    assert len(pool) >= 60
    x, tags = pool.sample(4, torch.Generator().manual_seed(0))
    assert x.shape == (4, 3, 128, 128)
    assert "astro" in pool.tags
