"""Evaluation: metric definitions against known values and references, protocols, and the CLI."""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "main", "python")
sys.path.insert(0, SRC)
from sanasr import evaluate as E  # noqa: E402


def rng(seed=0):
    return np.random.default_rng(seed)


def test_psnr_known_values():
    a = rng().integers(0, 256, (40, 40)).astype(np.float64)
    assert E.psnr(a, a) == math.inf
    b = a + 5.0  # constant error of 5 levels -> 20 log10(255/5)
    assert E.psnr(a, b) == pytest.approx(20 * math.log10(255 / 5), abs=1e-9)
    noise = rng(1).choice([-10.0, 10.0], size=a.shape)  # MSE exactly 100
    assert E.psnr(a, a + noise) == pytest.approx(10 * math.log10(255 ** 2 / 100), abs=1e-9)


def reference_ssim(a, b):
    """Direct per-window SSIM with the 11x11 Gaussian (sigma 1.5), valid windows only."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    ax = np.arange(11) - 5
    g = np.exp(-(ax ** 2) / (2 * 1.5 ** 2))
    w = np.outer(g, g)
    w /= w.sum()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    vals = []
    for i in range(a.shape[0] - 10):
        for j in range(a.shape[1] - 10):
            pa, pb = a[i:i + 11, j:j + 11], b[i:i + 11, j:j + 11]
            ma, mb = (w * pa).sum(), (w * pb).sum()
            va = (w * (pa - ma) ** 2).sum()
            vb = (w * (pb - mb) ** 2).sum()
            cov = (w * (pa - ma) * (pb - mb)).sum()
            vals.append(((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2)))
    return float(np.mean(vals))


def test_ssim_identity_and_reference():
    a = rng(2).integers(0, 256, (30, 26)).astype(np.float64)
    assert E.ssim(a, a) == pytest.approx(1.0, abs=1e-12)
    b = np.clip(a + rng(3).normal(0, 20, a.shape), 0, 255)
    ours = E.ssim(a, b)
    assert ours == pytest.approx(reference_ssim(a, b), abs=1e-9)
    assert ours < 0.99
    smooth = np.tile(np.linspace(0, 255, 26), (30, 1))
    noisy = np.clip(smooth + rng(4).normal(0, 20, smooth.shape), 0, 255)
    assert E.ssim(smooth, noisy) == pytest.approx(reference_ssim(smooth, noisy), abs=1e-9)
    assert E.ssim(smooth, noisy) < 0.7  # the same noise hurts a smooth image far more


def test_rgb_to_y_matches_matlab_formula():
    assert E.rgb_to_y(np.array([[[0, 0, 0]]], dtype=np.uint8))[0, 0] == pytest.approx(16.0)
    assert E.rgb_to_y(np.array([[[255, 255, 255]]], dtype=np.uint8))[0, 0] == pytest.approx(235.0)
    grey = np.array([[100]], dtype=np.uint8)
    assert E.rgb_to_y(grey)[0, 0] == pytest.approx(E.rgb_to_y(np.array([[[100, 100, 100]]], dtype=np.uint8))[0, 0])


def test_psnr_y_shaves_border():
    hr = rng(4).integers(0, 256, (32, 32, 3)).astype(np.uint8)
    out = hr.copy()
    out[:4] = 0  # damage only inside the shaved border
    assert E.psnr_y(out, hr) == math.inf
    out[10, 10] = 0
    assert E.psnr_y(out, hr) < 100


def test_colour_shift():
    hr = rng(5).integers(20, 200, (24, 24, 3)).astype(np.uint8)
    out = hr.copy()
    out[..., 2] += 3
    assert E.colour_shift(out, hr) == pytest.approx([0.0, 0.0, 3.0])


def test_imresize_matches_matlab_properties():
    # constant image stays constant (weights normalised, symmetric borders)
    c = np.full((20, 24, 3), 77, np.uint8)
    assert np.all(E.imresize(c, 0.25) == 77) and E.imresize(c, 0.25).shape == (5, 6, 3)
    # x1/4 of a linear ramp is the ramp sampled at block centres (cubic reproduces linear functions)
    ramp = np.tile(np.arange(64, dtype=np.float64), (64, 1))
    small = E.imresize(ramp, 0.25)
    assert np.allclose(small[:, 3:-3], (np.arange(16) * 4 + 1.5)[None, 3:-3], atol=1e-9)
    # upscaling interpolates: the cubic kernel passes through the samples at integer offsets
    up = E.imresize(small, 4.0)
    assert up.shape == (64, 64)
    assert np.allclose(up[:, 16:-16], ramp[:, 16:-16], atol=1e-6)


def test_imresize_differs_from_pil_bicubic():
    img = rng(6).integers(0, 256, (64, 64)).astype(np.uint8)
    ours = E.imresize(img, 0.25).astype(np.float64)
    pil = np.asarray(Image.fromarray(img).resize((16, 16), Image.BICUBIC), dtype=np.float64)
    assert ours.shape == pil.shape
    assert np.abs(ours - pil).mean() > 0.1  # different filters; our test is not a PIL re-run


def test_realistic_protocol_is_seeded():
    hr = rng(7).integers(0, 256, (64, 48, 3)).astype(np.uint8)
    a = E.degrade_realistic(hr, 1)
    assert a.shape == (16, 12, 3) and a.dtype == np.uint8
    assert np.array_equal(a, E.degrade_realistic(hr, 1))
    assert not np.array_equal(a, E.degrade_realistic(hr, 2))
    g = E.degrade_realistic(hr[..., 0].copy(), 1)
    assert g.shape == (16, 12)


def test_auto_prompt():
    rgb = np.zeros((8, 8, 3), np.uint8)
    assert E.auto_prompt("astro", "x.png", rgb) == "astro"
    assert E.auto_prompt("set14", "x.png", rgb) == "photo"
    assert E.auto_prompt("science", "python3-hyperspy__test_tiff_zeiss_sem_1k.png", rgb) == "electron"
    assert E.auto_prompt("science", "python3-skimage__ihc.png", rgb) == "histology"
    assert E.auto_prompt("science", "unknown.png", np.zeros((8, 8), np.uint8)) == "fluorescence"


def make_val(tmp_path):
    r = rng(8)
    for group, shape in (("set5", (36, 40, 3)), ("set14", (30, 30)), ("science", (41, 33)), ("astro", (32, 32, 3))):
        d = tmp_path / group
        d.mkdir()
        base = r.integers(0, 256, (shape[0] // 4 + 1, shape[1] // 4 + 1) + shape[2:]).astype(np.uint8)
        img = Image.fromarray(base).resize((shape[1], shape[0]), Image.BICUBIC)
        img.save(d / "img.png")
    return tmp_path


def test_cli_on_tiny_folder(tmp_path):
    val = make_val(tmp_path)
    out = tmp_path / "q.json"
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SRC))
    res = subprocess.run([sys.executable, "-m", "sanasr.evaluate", "--val", str(val), "--methods", "bicubic,lanczos",
                          "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "| set5+set14 | bicubic **(headline)** |" in res.stdout
    data = json.loads(out.read_text())
    assert len(data["images"]) == 4 * 2 * 2
    for row in data["images"]:
        assert 10 < row["psnr_y"] < 60 and 0 < row["ssim_y"] <= 1
        assert row["size"][0] % 4 == 0 and row["size"][1] % 4 == 0
    h = data["headline"]
    assert set(h) == {"set5_set14_bicubic", "science_astro_realistic"}
    assert set(h["set5_set14_bicubic"]) == {"bicubic", "lanczos"}
    mean = np.mean([r["psnr_y"] for r in data["images"]
                    if r["group"] in ("set5", "set14") and r["protocol"] == "bicubic" and r["method"] == "bicubic"])
    assert h["set5_set14_bicubic"]["bicubic"]["psnr_y"] == pytest.approx(mean)
    # the realistic protocol is harder than the clean one
    m = data["means"]["science+astro"]
    assert m["realistic"]["bicubic"]["psnr_y"] < m["bicubic"]["bicubic"]["psnr_y"]


def test_model_runner_with_a_scripted_bicubic_model(tmp_path):
    torch = pytest.importorskip("torch")

    class Up(torch.nn.Module):
        def forward(self, image: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
            return torch.nn.functional.interpolate(image, scale_factor=4.0, mode="nearest") + 0.0 * prompt.view(-1, 1, 1, 1)

    folder = tmp_path / "m"
    folder.mkdir()
    torch.jit.script(Up()).save(str(folder / "m.pt"))
    desc = {"format": "sanasr-model/1", "name": "m", "file": "m.pt", "sha256": E.sha256_of(str(folder / "m.pt")),
            "scale": 4, "input_channels": 3, "stride": 8, "halo": 4, "prompts": ["generic", "photo"],
            "default_prompt": "generic"}
    (folder / "model.json").write_text(json.dumps(desc))
    runner = E.ModelRunner(str(folder), tile=16)  # forces tiling on a 37x29 input
    lr = rng(9).integers(0, 256, (37, 29, 3)).astype(np.uint8)
    out = runner.upscale(lr, "photo")
    assert np.array_equal(out, lr.repeat(4, 0).repeat(4, 1))  # tiles stitched exactly
    grey = lr[..., 0].copy()
    assert np.array_equal(runner.upscale(grey, "generic"), grey.repeat(4, 0).repeat(4, 1))
    desc["sha256"] = "0" * 64
    (folder / "model.json").write_text(json.dumps(desc))
    with pytest.raises(ValueError):
        E.ModelRunner(str(folder))
