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
                          "--out", str(out), "--niqe", "off"], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "| set5+set14 | bicubic **(headline)** |" in res.stdout
    data = json.loads(out.read_text())
    assert len(data["images"]) == 4 * 3 * 2   # images x protocols (bicubic, realistic, binning) x methods
    assert {r["protocol"] for r in data["images"]} == {"bicubic", "realistic", "binning"}
    for row in data["images"]:
        assert 10 < row["psnr_y"] < 60 and 0 < row["ssim_y"] <= 1
        assert row["size"][0] % 4 == 0 and row["size"][1] % 4 == 0
        assert 0 < row["band_energy"] < 2 and -1 <= row["band_corr"] <= 1
        assert "niqe" not in row   # --niqe off
    assert "| science+astro | binning **(headline)** |" in res.stdout
    assert "energy / corr |" in res.stdout
    h = data["headline"]
    assert set(h) == {"set5_set14_bicubic", "science_astro_realistic", "science_astro_binning"}
    assert set(h["science_astro_binning"]["bicubic"]) == {"psnr_y", "ssim_y", "band_energy", "band_corr"}
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


def test_cli_niqe_needs_its_parameters(tmp_path):
    val = make_val(tmp_path)
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SRC))
    res = subprocess.run([sys.executable, "-m", "sanasr.evaluate", "--val", str(val), "--methods", "bicubic",
                          "--niqe", "--niqe-params", str(tmp_path / "missing.npz"), "--out", str(tmp_path / "q.json")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 2 and "--niqe-params" in res.stderr
    assert not (tmp_path / "q.json").exists()   # nothing that looks like a result
    # auto (the default) skips NIQE, and says so, when the parameters are not there
    res = subprocess.run([sys.executable, "-m", "sanasr.evaluate", "--val", str(val), "--methods", "bicubic",
                          "--niqe-params", str(tmp_path / "missing.npz"), "--out", str(tmp_path / "q.json")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0 and "NIQE skipped" in res.stderr
    assert all("niqe" not in r for r in json.loads((tmp_path / "q.json").read_text())["images"])


# ---------------------------------------------------------------- binning protocol
def test_binning_is_the_rounded_block_mean():
    hr = rng(10).integers(0, 256, (16, 12, 3)).astype(np.uint8)
    lr = E.degrade_binning(hr)
    assert lr.shape == (4, 3, 3) and lr.dtype == np.uint8
    for (y, x, c) in ((0, 0, 0), (3, 2, 1), (1, 2, 2)):
        block = hr[4 * y:4 * y + 4, 4 * x:4 * x + 4, c].astype(np.float64)
        assert lr[y, x, c] == np.round(block.mean())
    grey = hr[..., 0].copy()
    assert np.array_equal(E.degrade_binning(grey), lr[..., 0])
    flat = np.full((8, 8), 77, np.uint8)
    assert np.array_equal(E.degrade_binning(flat), np.full((2, 2), 77, np.uint8))
    with pytest.raises(ValueError):
        E.degrade_binning(hr[:15])


def test_degrade_dispatches_every_protocol():
    hr = rng(11).integers(0, 256, (32, 24, 3)).astype(np.uint8)
    assert np.array_equal(E.degrade("bicubic", hr, "g/a.png"), E.degrade_bicubic(hr))
    assert np.array_equal(E.degrade("realistic", hr, "g/a.png"), E.degrade_realistic(hr, E.image_seed("g/a.png")))
    assert np.array_equal(E.degrade("binning", hr, "g/a.png"), E.degrade_binning(hr))
    assert set(E.PROTOCOLS) == {"bicubic", "realistic", "binning"}
    with pytest.raises(ValueError):
        E.degrade("nearest", hr, "g/a.png")


# ---------------------------------------------------------------- texture measures (issue 15)
def textured(h=64, w=48, seed=12):
    r = rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 120 + 60 * np.sin(x / 5.0) * np.cos(y / 7.0) + r.normal(0, 20, (h, w))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def test_bilinear_matrix_matches_torch():
    torch = pytest.importorskip("torch")
    from sanasr.evaluation.texture import _bilinear_matrix
    low = rng(13).random((5, 7))
    ours = _bilinear_matrix(5, 4) @ low @ _bilinear_matrix(7, 4).T
    ref = torch.nn.functional.interpolate(torch.from_numpy(low)[None, None], scale_factor=4, mode="bilinear",
                                          align_corners=False)[0, 0].numpy()
    assert np.abs(ours - ref).max() < 1e-12


def test_band_definition():
    flat = np.full((16, 16), 90.0)
    assert np.abs(E.band(flat)).max() < 1e-12
    y = textured().astype(np.float64)
    low = y.reshape(16, 4, 12, 4).mean(axis=(1, 3))
    b = E.band(y)
    # the band holds what the x4 grid cannot: its own 4x4 means are what bilinear upscaling does not restore
    assert b.shape == y.shape and np.abs(b).mean() > 1
    assert np.abs((y - b).reshape(16, 4, 12, 4).mean(axis=(1, 3)) - low).max() < 30
    with pytest.raises(ValueError):
        E.band(y[:63])


def test_band_measures_known_cases():
    hr = textured()
    energy, corr = E.band_measures(hr, hr)
    assert energy == pytest.approx(1.0) and corr == pytest.approx(1.0)
    # bicubic interpolation of the binned image: less detail than the truth, partly the true one
    up = E.upscale_bicubic(E.degrade_binning(hr))
    energy, corr = E.band_measures(up, hr)
    assert 0 < energy < 0.6 and 0 < corr < 0.9
    # independent texture: about as much energy, no correlation
    other = textured(seed=99)
    energy, corr = E.band_measures(other, hr)
    assert 0.5 < energy < 2 and abs(corr) < 0.2
    # colour images are measured on Y: equal channels give the greyscale result
    rgb = np.repeat(hr[..., None], 3, axis=2)
    assert E.band_measures(np.repeat(up[..., None], 3, axis=2), rgb) == pytest.approx(E.band_measures(up, hr))
    flat = np.full((32, 32), 50, np.uint8)
    assert math.isnan(E.band_measures(hr[:32, :32], flat)[0])


def test_summaries_carry_the_texture_means():
    rows = [{"group": "set5", "image": f"{i}.png", "protocol": "binning", "method": "bicubic", "psnr_y": 30.0,
             "ssim_y": 0.9, "colour_shift_rgb": [0, 0, 0], "seconds": 0.1, "band_energy": e, "band_corr": c,
             "niqe": n} for i, (e, c, n) in enumerate(((0.2, 0.4, 7.0), (0.4, 0.6, float("nan"))))]
    m = E.summarise(rows)["set5+set14"]["binning"]["bicubic"]
    assert m["band_energy"] == pytest.approx(0.3) and m["band_corr"] == pytest.approx(0.5)
    assert m["niqe"] == pytest.approx(7.0)   # NaN rows (images too small for NIQE) are left out
    table = E.texture_markdown(E.summarise(rows), ["bicubic"])
    assert "| set5+set14 | binning | 0.30 / 0.50 / 7.00 |" in table


# ---------------------------------------------------------------- NIQE
NIQE_PARAMS_PRESENT = os.path.exists(E.NIQE_PARAMS)
BABOON = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "data", "val", "set14", "baboon.png")


@pytest.mark.skipif(not (NIQE_PARAMS_PRESENT and os.path.exists(BABOON)), reason="needs ../shared (NIQE parameters, Set14)")
def test_niqe_matches_matlab_on_baboon():
    # MATLAB's NIQE of Set14's baboon (Y of rgb2ycbcr, no crop) is 5.72957338 (the parameter file's NOTICE)
    value = E.niqe(E.load_image(BABOON))
    assert round(value, 4) == 5.7296
    assert abs(value - 5.72957338) < 1e-4


@pytest.mark.skipif(not (NIQE_PARAMS_PRESENT and os.path.exists(BABOON)), reason="needs ../shared (NIQE parameters, Set14)")
def test_niqe_ranks_blur_as_less_natural_and_needs_two_blocks():
    img = E.load_image(BABOON)
    sharp = E.niqe(img)
    blurred = E.niqe(E.upscale_bicubic(E.degrade_bicubic(E.mod_crop(img))))
    assert blurred > sharp + 1
    grey = img[..., 1].copy()
    assert E.niqe(np.repeat(grey[..., None], 3, axis=2)) == pytest.approx(E.niqe(grey), abs=1e-6)  # on Y
    assert math.isnan(E.niqe(img[:150, :150]))   # one 96x96 block: no covariance


@pytest.mark.skipif(not NIQE_PARAMS_PRESENT, reason="needs ../shared/reference/niqe_pris_params.npz")
def test_cli_niqe_on_records_it(tmp_path):
    val = make_val(tmp_path)
    out = tmp_path / "q.json"
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SRC))
    res = subprocess.run([sys.executable, "-m", "sanasr.evaluate", "--val", str(val), "--methods", "bicubic",
                          "--niqe", "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text())
    assert all(r["niqe"] is None for r in data["images"])   # the tiny images hold no two 96-px blocks: NaN -> null
    assert data["niqe"]["params"] == "niqe_pris_params.npz" and len(data["niqe"]["sha256"]) == 64
    assert "energy / corr / NIQE" in res.stdout
