"""Degradation pipeline: shapes, ranges, determinism, and that each operation does something."""
import math
import os
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "main", "python"))
from sanasr import degrade as D  # noqa: E402

PROMPTS = D.PROMPTS


def smooth_image(n=4, size=64, seed=0):
    """Textured test images: random low-frequency pattern plus edges, in [0.05, 0.95]."""
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 3, size // 8, size // 8, generator=g)
    img = torch.nn.functional.interpolate(base, size=(size, size), mode="bicubic", align_corners=False)
    img[:, :, size // 4:size // 2, :] += 0.3
    return img.clamp(0.05, 0.95)


def psnr(a, b):
    mse = float(((a - b) ** 2).mean())
    return math.inf if mse == 0 else 10 * math.log10(1 / mse)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- kernels
def test_gaussian_kernels_normalised_and_supported():
    n = 6
    ksize = torch.tensor([7, 9, 13, 21, 7, 15])
    kind = torch.tensor([0, 1, 2, 0, 1, 2])
    k = D.gaussian_family_kernels(kind, torch.full((n,), 2.0), torch.full((n,), 1.0),
                                  torch.full((n,), 0.3), torch.full((n,), 1.5), ksize)
    assert k.shape == (n, 21, 21)
    assert torch.allclose(k.sum((1, 2)), torch.ones(n), atol=1e-5)
    for i, s in enumerate(ksize.tolist()):
        r = s // 2
        inner = k[i, 10 - r:11 + r, 10 - r:11 + r]
        assert float(k[i].sum() - inner.sum()) == pytest.approx(0.0, abs=1e-7)  # zero outside the support
        assert float(inner.min()) > 0


def test_isotropic_gaussian_matches_formula():
    k = D.gaussian_family_kernels(torch.tensor([0]), torch.tensor([1.5]), torch.tensor([1.5]),
                                  torch.tensor([0.7]), torch.tensor([1.0]), torch.tensor([21]))[0]
    ax = torch.arange(21.0) - 10
    ref = torch.exp(-(ax[None] ** 2 + ax[:, None] ** 2) / (2 * 1.5 ** 2))
    assert torch.allclose(k, ref / ref.sum(), atol=1e-6)


def test_anisotropic_rotation():
    # rotating by 90 degrees swaps the axes
    a = D.gaussian_family_kernels(torch.tensor([0]), torch.tensor([3.0]), torch.tensor([0.5]),
                                  torch.tensor([0.0]), torch.tensor([1.0]), torch.tensor([21]))[0]
    b = D.gaussian_family_kernels(torch.tensor([0]), torch.tensor([3.0]), torch.tensor([0.5]),
                                  torch.tensor([math.pi / 2]), torch.tensor([1.0]), torch.tensor([21]))[0]
    assert torch.allclose(a, b.t(), atol=1e-6)
    assert not torch.allclose(a, a.t(), atol=1e-3)


def test_bessel_j1_known_values():
    x = torch.tensor([0.0, 1.0, 3.8317, 10.0, 40.0])
    ref = torch.tensor([0.0, 0.4400505857, 0.0, 0.0434727462, 0.1260390])
    assert torch.allclose(D.bessel_j1(x), ref, atol=1e-4)


def test_sinc_kernel_centre_value_and_sum():
    omega = torch.tensor([math.pi / 2])
    k = D.sinc_kernels(omega, torch.tensor([21]))[0]
    assert float(k.sum()) == pytest.approx(1.0, abs=1e-5)
    assert float(k.min()) < 0  # ringing lobes
    assert int(k.argmax()) == 10 * 21 + 10


def test_random_kernels_ranges_and_determinism():
    r = D.KernelRanges()
    a = D.random_blur_kernels(gen(3), 64, r, "cpu")
    b = D.random_blur_kernels(gen(3), 64, r, "cpu")
    c = D.random_blur_kernels(gen(4), 64, r, "cpu")
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.allclose(a.sum((1, 2)), torch.ones(64), atol=1e-5)
    f = D.random_final_sinc_kernels(gen(1), 200, "cpu")
    is_delta = (f[:, 10, 10] == 1).float().mean()
    assert 0.1 < float(is_delta) < 0.3  # final sinc p = 0.8


def test_filter2d_blurs_and_delta_is_identity():
    x = smooth_image()
    n = x.shape[0]
    assert torch.allclose(D.filter2d(x, D.delta_kernels(n)), x)
    k = D.gaussian_family_kernels(torch.zeros(n, dtype=torch.long), torch.full((n,), 2.0), torch.full((n,), 2.0),
                                  torch.zeros(n), torch.ones(n), torch.full((n,), 21))
    y = D.filter2d(x, k)
    assert y.shape == x.shape
    assert psnr(x, y) < 40
    # matches a direct reflect-padded convolution (FFT path vs conv path)
    ref = torch.nn.functional.conv2d(torch.nn.functional.pad(x.reshape(1, -1, 64, 64), (10,) * 4, mode="reflect"),
                                     k.repeat_interleave(3, 0).unsqueeze(1), groups=3 * n).view_as(x)
    assert torch.allclose(y, ref, atol=1e-5)
    small = D.gaussian_family_kernels(torch.zeros(n, dtype=torch.long), torch.full((n,), 0.6), torch.full((n,), 0.6),
                                      torch.zeros(n), torch.ones(n), torch.full((n,), 5))
    assert not torch.allclose(D.filter2d(x, small), x, atol=1e-3)


# ---------------------------------------------------------------- noise, resize, quantise
def test_gaussian_noise_level_and_grey():
    x = torch.full((2, 3, 128, 128), 0.5)
    y = D.add_gaussian_noise(x, torch.tensor([10 / 255, 10 / 255]), torch.tensor([False, True]), gen(), clip=False)
    assert float((y - x).std()) == pytest.approx(10 / 255, rel=0.05)
    assert not torch.allclose(y[0, 0], y[0, 1])  # colour noise differs per channel
    assert torch.allclose(y[1, 0], y[1, 1])      # grey noise does not


def test_poisson_noise_changes_image_and_scales():
    x = smooth_image(2)
    lo = D.add_poisson_noise(x, torch.tensor([0.1, 0.1]), torch.tensor([False, False]), gen())
    hi = D.add_poisson_noise(x, torch.tensor([3.0, 3.0]), torch.tensor([False, True]), gen())
    assert psnr(x, lo) > psnr(x, hi)
    assert psnr(x, hi) < 35
    assert lo.min() >= 0 and hi.max() <= 1


def test_poisson_gaussian_noise_statistics():
    x = torch.full((1, 3, 256, 256), 0.5)
    peak = torch.tensor([100.0])
    y = D.add_poisson_gaussian_noise(x, peak, torch.tensor([2.0]), torch.tensor([False]), gen())
    # variance in photons: 50 (shot) + 4 (read)
    assert float((y * 100).var()) == pytest.approx(54, rel=0.05)
    assert float(y.mean()) == pytest.approx(0.5, abs=0.005)


def test_quantise_levels():
    x = torch.rand(3, 1, 32, 32, generator=gen()) * 1.2 - 0.1
    q = D.quantise(x, torch.tensor([8, 12, 16]))
    assert q[0].min() >= 0 and q[0].max() <= 1
    assert torch.allclose(q[0] * 255, (q[0] * 255).round(), atol=1e-4)
    assert float(q[2].min()) < 0  # 16-bit keeps values outside [0,1]
    assert float((q[0] - x[0].clamp(0, 1)).abs().max()) <= 0.5 / 255 + 1e-6
    assert float((q[1] - x[1]).abs().max()) <= 0.5 / 4095 + 1e-6


def test_resize_modes():
    x = smooth_image(1)
    for mode in D.RESIZE_MODES:
        y = D.resize(x, (20, 30), mode)
        assert y.shape == (1, 3, 20, 30)


# ---------------------------------------------------------------- JPEG
def test_jpeg_tables_standard():
    ty, tc = D.jpeg_tables(torch.tensor([50.0, 100.0, 10.0]))
    assert ty[0, 0, 0] == 16 and tc[0, 0, 0] == 17  # q50 = Annex K tables
    assert torch.all(ty[1] == 1) and torch.all(tc[1] == 1)
    assert ty[2, 0, 0] == 80  # q10: scale 500 -> floor((16*500+50)/100)


def test_jpeg_quality_ordering():
    x = smooth_image(3, size=72) + 0.05 * torch.rand(3, 3, 72, 72, generator=gen())
    x = D.round_8bit(x.clamp(0, 1))
    q100 = D.jpeg(x, torch.full((3,), 100.0), subsample=False)
    q100s = D.jpeg(x, torch.full((3,), 100.0))
    q10 = D.jpeg(x, torch.full((3,), 10.0))
    assert q100.shape == x.shape  # 72 is not a multiple of 16: padding is cropped back
    assert psnr(x, q100) > 45
    assert psnr(x, q100s) > 33
    assert psnr(x, q10) < 32
    assert psnr(x, q10) < psnr(x, D.jpeg(x, torch.full((3,), 50.0))) < psnr(x, q100s)
    # 8x8 block artefacts at low quality: the decoded image is on the 8-bit grid
    assert torch.allclose(q10 * 255, (q10 * 255).round(), atol=1e-4)


def test_jpeg_close_to_pil():
    from PIL import Image
    import io
    x = D.round_8bit(smooth_image(1, size=64, seed=5) + 0.1 * torch.rand(1, 3, 64, 64, generator=gen(5)))
    arr = (x[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=40)
    pil = torch.from_numpy(np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).copy()).permute(2, 0, 1)[None] / 255.0
    ours = D.jpeg(x, torch.tensor([40.0]))
    # same codec up to rounding details of libjpeg's integer DCT and upsampling
    assert psnr(ours, pil) > 36
    assert abs(psnr(ours, x) - psnr(pil, x)) < 1.0


# ---------------------------------------------------------------- pipelines
def test_realesrgan_degrade_shape_range_and_change():
    x = smooth_image(4, size=64)
    lr = D.realesrgan_degrade(x, 4, gen())
    assert lr.shape == (4, 3, 16, 16) and lr.dtype == torch.float32
    assert lr.min() >= 0 and lr.max() <= 1
    assert torch.allclose(lr * 255, (lr * 255).round(), atol=1e-4)
    plain = torch.nn.functional.interpolate(x, size=(16, 16), mode="area")
    assert float((lr - plain).abs().mean()) > 1e-3


def test_realesrgan_keeps_greyscale_grey():
    x = smooth_image(4, size=64)
    x = D.rgb_to_grey(x).expand(-1, 3, -1, -1).contiguous()
    lr = D.realesrgan_degrade(x, 4, gen(7))
    assert torch.allclose(lr[:, 0], lr[:, 1], atol=1.5 / 255) and torch.allclose(lr[:, 1], lr[:, 2], atol=1.5 / 255)


def test_scientific_degrade_each_type():
    x = smooth_image(1, size=64).expand(6, -1, -1, -1).contiguous()
    kinds = list(D.SCIENTIFIC_TYPES)
    lr, target = D.scientific_degrade(x, kinds, 4, gen(2))
    assert lr.shape == (6, 3, 16, 16) and target.shape == x.shape
    plain = torch.nn.functional.interpolate(target, size=(16, 16), mode="area")
    for i, k in enumerate(kinds):
        assert float((lr[i] - plain[i]).abs().mean()) > 1e-3, k
        grey = bool(torch.allclose(target[i, 0], target[i, 1]))
        if k == "electron":
            assert grey and torch.allclose(lr[i, 0], lr[i, 2])
        if k == "histology":
            assert torch.equal(target[i], x[i])


def test_make_pairs_shapes_labels_and_determinism():
    x = smooth_image(16, size=64)
    sources = ["photo"] * 12 + ["astro"] * 4
    a = D.make_pairs(x, sources, 4, gen(11))
    b = D.make_pairs(x, sources, 4, gen(11))
    c = D.make_pairs(x, sources, 4, gen(12))
    lr, tg, p = a
    assert lr.shape == (16, 3, 16, 16) and tg.shape == x.shape and p.dtype == torch.long
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not torch.equal(a[0], c[0])
    assert int(p.min()) >= 0 and int(p.max()) < len(PROMPTS)
    for i in range(12, 16):  # astro sources are labelled astro (or generic)
        assert PROMPTS[int(p[i])] in ("astro", "generic")
    # the target only differs where it was converted to greyscale
    for i in range(16):
        if not torch.equal(tg[i], x[i]):
            assert torch.allclose(tg[i], D.rgb_to_grey(x[i:i + 1])[0].expand(3, -1, -1))


def test_make_pairs_label_distribution():
    x = smooth_image(1, size=32).expand(400, -1, -1, -1).contiguous()
    _, _, p = D.make_pairs(x, ["photo"] * 400, 4, gen(5))
    names = [PROMPTS[i] for i in p.tolist()]
    share = {k: names.count(k) / 400 for k in set(names)}
    assert 0.35 < share["photo"] < 0.55                  # photographic p .5, minus generic relabels
    assert 0.1 < share["generic"] < 0.3                   # relabel .1 + scientific generic .125
    for k in ("fluorescence", "brightfield", "histology", "electron"):
        assert share.get(k, 0) > 0.03, k
    assert "astro" not in share


@pytest.mark.parametrize("seed", [0, 1])
def test_make_pairs_runs_on_odd_sizes_and_small_crops(seed):
    x = smooth_image(3, size=48, seed=seed)
    lr, tg, p = D.make_pairs(x, ["photo", "astro", "photo"], 4, gen(seed))
    assert lr.shape == (3, 3, 12, 12)
    assert torch.isfinite(lr).all()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_make_pairs_cuda():
    x = smooth_image(4, size=64).cuda()
    g = torch.Generator(device="cuda").manual_seed(0)
    lr, tg, p = D.make_pairs(x, ["photo"] * 4, 4, g)
    assert lr.is_cuda and lr.shape == (4, 3, 16, 16)


def test_light_degrade_is_mild_and_includes_plain_bicubic():
    """The light family must stay close to the HR (unlike Real-ESRGAN's heavy ranges) and a third of it must be
    exactly the antialiased bicubic x1/4 of the benchmark protocol (8-bit)."""
    x = smooth_image(60, size=64, seed=3)
    lr = D.light_degrade(x, 4, gen(21))
    assert lr.shape == (60, 3, 16, 16)
    assert torch.equal(lr, D.light_degrade(x, 4, gen(21)))
    assert torch.equal(lr, (lr * 255).round() / 255)                      # on the 8-bit grid
    plain = D.round_8bit(torch.nn.functional.interpolate(x, size=(16, 16), mode="bicubic", align_corners=False,
                                                        antialias=True).clamp(0, 1))
    same = [(lr[i] - plain[i]).abs().max().item() < 1e-6 for i in range(60)]
    assert 10 <= sum(same) <= 30                                          # p = 1/3 of 60
    heavy = D.realesrgan_degrade(x, 4, gen(21))
    ref = torch.nn.functional.interpolate(x, size=(16, 16), mode="area")
    assert psnr(lr, ref) > psnr(heavy, ref) + 3                            # much milder than Real-ESRGAN's


def test_light_share_of_photographic_samples():
    x = smooth_image(1, size=32).expand(200, -1, -1, -1).contiguous()
    none = D.make_pairs(x, ["photo"] * 200, 4, gen(8), D.DegradationConfig(light_p=0.0))
    all_light = D.make_pairs(x, ["photo"] * 200, 4, gen(8), D.DegradationConfig(light_p=1.0))
    photo = [i for i in range(200) if PROMPTS[int(none[2][i])] == "photo"]
    assert photo
    ref = torch.nn.functional.interpolate(x[:1], size=(8, 8), mode="area")
    err_heavy = float(((none[0][photo] - ref) ** 2).mean())
    err_light = float(((all_light[0][photo] - ref) ** 2).mean())
    assert err_light < err_heavy / 3
