"""Seeded outputs of the degradation pipelines and the evaluation metrics, for the split of degrade.py and
evaluate.py into smaller modules (issue 18 item 5: "outputs must stay bit-identical").

``cases()`` computes every array; ``make_split_fixture.py`` stored their fingerprints (dtype, shape, SHA-256 of
the bytes, sum) once, from the code *before* the split (commit 382b836), in ``fixtures/split-parity.json``; ``test_split_parity.py`` recomputes them with the code of
today and requires exact equality. Regenerating the fixture from the split code would make the test
meaningless: regenerate only after a deliberate change of an output, and say so in the commit.

Everything runs with one torch thread (a reduction split over threads may round differently).
"""
import contextlib
import hashlib
import os
import tempfile
from typing import Dict

import numpy as np
import torch
from PIL import Image


@contextlib.contextmanager
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def fingerprint(a: np.ndarray) -> dict:
    """Exact identity (SHA-256 of the C-ordered bytes) plus a sum, which says how far off a mismatch is."""
    a = np.ascontiguousarray(a)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
            "sum": float(a.astype(np.float64).sum())}


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def hr_batch(n: int, size: int, seed: int, grey_every: int = 3) -> torch.Tensor:
    """Image-like HR crops in [0, 1]: smooth random pattern, an edge band, fine texture; every
    ``grey_every``-th sample greyscale (equal channels), so the grey branches run too."""
    g = gen(seed)
    base = torch.rand(n, 3, size // 8, size // 8, generator=g)
    img = torch.nn.functional.interpolate(base, size=(size, size), mode="bicubic", align_corners=False)
    img[:, :, size // 4:size // 2, :] += 0.3
    img = img + 0.04 * torch.randn(n, 3, size, size, generator=g)
    for i in range(0, n, grey_every):
        img[i] = img[i].mean(0, keepdim=True).expand(3, -1, -1)
    return img.clamp(0.02, 0.98)


def degrade_cases() -> Dict[str, np.ndarray]:
    from sanasr import degrade as D
    out: Dict[str, np.ndarray] = {}

    def put(name, t):
        out[name] = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)

    with one_thread():
        put("kernels.random", D.random_blur_kernels(gen(1), 8, D.KernelRanges(sinc_p=0.5), torch.device("cpu")))
        put("kernels.random2", D.random_blur_kernels(gen(2), 8, D.RealEsrganSettings().kernel2, torch.device("cpu")))
        put("kernels.sinc", D.sinc_kernels(torch.tensor([0.7, 1.3, 2.9]), torch.tensor([7, 13, 21])))
        put("kernels.iso", D.isotropic_gaussian_kernels(torch.tensor([0.0, 0.4, 1.1, 3.0])))
        put("kernels.final_sinc", D.random_final_sinc_kernels(gen(3), 6, torch.device("cpu")))
        put("kernels.gen", D.gaussian_family_kernels(torch.tensor([0, 1, 2]), torch.tensor([2.0, 1.0, 0.6]),
                                                     torch.tensor([0.5, 1.5, 2.5]), torch.tensor([0.3, -1.0, 2.0]),
                                                     torch.tensor([1.0, 0.7, 1.8]), torch.tensor([9, 15, 21])))
        put("bessel_j1", D.bessel_j1(torch.linspace(0, 40, 81)))
        hr = hr_batch(6, 48, 10)
        put("filter2d.small", D.filter2d(hr, D.isotropic_gaussian_kernels(torch.full((6,), 0.5))))
        put("filter2d.large", D.filter2d(hr, D.random_blur_kernels(gen(4), 6, D.KernelRanges(), torch.device("cpu"))))
        put("resize", torch.cat([D.resize(hr, (20, 28), m) for m in D.RESIZE_MODES], 1))
        put("jpeg.420", D.jpeg(hr, torch.tensor([10.0, 30.0, 50.0, 75.0, 90.0, 100.0])))
        put("jpeg.444", D.jpeg(hr[:, :, :40, :40], torch.tensor([20.0, 45.0, 60.0, 80.0, 95.0, 5.0]), subsample=False))
        put("jpeg.tables", torch.stack(D.jpeg_tables(torch.tensor([1.0, 49.6, 50.0, 99.0]))))
        grey = torch.tensor([True, False, True, False, False, True])
        put("noise.gauss", D.add_gaussian_noise(hr, torch.linspace(0.01, 0.1, 6), grey, gen(5)))
        put("noise.poisson", D.add_poisson_noise(hr, torch.linspace(0.1, 3.0, 6), grey, gen(6)))
        put("noise.pg", D.add_poisson_gaussian_noise(hr, torch.tensor([5.0, 50, 500, 20, 2000, 9000]),
                                                     torch.tensor([0.5, 1, 3, 10, 0, 2]), grey, gen(7)))
        put("quantise", D.quantise(hr * 1.1 - 0.05, torch.tensor([8.0, 12, 16, 8, 12, 16])))
        put("grey", D.rgb_to_grey(hr))
        put("is_grey", D.is_grey(hr))
        put("realesrgan", D.realesrgan_degrade(hr_batch(4, 64, 11), 4, gen(8)))
        put("light", D.light_degrade(hr_batch(6, 64, 12), 4, gen(9)))
        put("light.settings", D.light_degrade(hr_batch(6, 64, 12), 4, gen(9), 0.0,
                                               D.LightSettings(blur_p=1.0, blur_max=2.0, noise_p=1.0, noise_max=10.0,
                                                               jpeg_p=0.8)))
        kinds = sorted(D.SCIENTIFIC_TYPES)
        lr, tg = D.scientific_degrade(hr_batch(len(kinds), 64, 13), kinds, 4, gen(10))
        put("scientific.lr", lr)
        put("scientific.target", tg)
        for seed in range(3):
            n = 12
            sources = ["astro" if i % 4 == 0 else "photo" for i in range(n)]
            lr, tg, p = D.make_pairs(hr_batch(n, 64, 20 + seed), sources, 4, gen(100 + seed))
            put(f"pairs{seed}.lr", lr)
            put(f"pairs{seed}.target", tg)
            put(f"pairs{seed}.prompts", p)
        cfg = D.DegradationConfig(photographic_p=0.7, light_p=0.3, plain_p=0.5,
                                  light=D.LightSettings(noise_p=0.6, jpeg_p=0.6))
        lr, tg, p = D.make_pairs(hr_batch(8, 32, 30), ["photo"] * 8, 4, gen(200), cfg)
        put("pairs.cfg.lr", lr)
        put("pairs.cfg.target", tg)
        put("pairs.cfg.prompts", p)
    return out


def val_image(h: int, w: int, seed: int, grey: bool = False) -> np.ndarray:
    """A uint8 image with gradients, edges and noise (numpy's PCG64 stream is stable across versions)."""
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    planes = [128 + 90 * np.sin(7 * x + 3 * y + k) + 30 * ((x * 9).astype(int) % 2) for k in range(3)]
    img = np.stack(planes, -1) + r.normal(0, 12, (h, w, 3))
    img = np.clip(np.round(img), 0, 255).astype(np.uint8)
    return img[..., 1].copy() if grey else img


def evaluate_cases() -> Dict[str, np.ndarray]:
    from sanasr import evaluate as E
    out: Dict[str, np.ndarray] = {}
    colour, grey = val_image(70, 53, 1), val_image(44, 61, 2, grey=True)
    for tag, img in (("colour", colour), ("grey", grey)):
        hr = E.mod_crop(img)
        out[f"{tag}.y"] = E.rgb_to_y(hr)
        out[f"{tag}.imresize_down"] = E.imresize(hr, 0.25)
        out[f"{tag}.imresize_down_float"] = E.imresize(hr.astype(np.float64), 0.25)
        out[f"{tag}.imresize_half"] = E.imresize(hr, 0.5)
        lr_b = E.degrade_bicubic(hr)
        lr_r = E.degrade_realistic(hr, E.image_seed(f"g/{tag}.png"))
        out[f"{tag}.lr_bicubic"] = lr_b
        out[f"{tag}.lr_realistic"] = lr_r
        for m, fn in (("bicubic", E.upscale_bicubic), ("lanczos", E.upscale_lanczos)):
            for p, lr in (("bicubic", lr_b), ("realistic", lr_r)):
                sr = fn(lr)
                out[f"{tag}.{p}.{m}.sr"] = sr
                out[f"{tag}.{p}.{m}.metrics"] = np.array([E.psnr_y(sr, hr), E.ssim_y(sr, hr)]
                                                         + E.colour_shift(sr, hr))
        out[f"{tag}.centre_crop"] = E.centre_crop(img, 40)
    out["crop.ssim"] = np.array([E.ssim(colour[..., 0], colour[..., 1]), E.psnr(colour[..., 0], colour[..., 2])])
    # the whole driver on a tiny folder: per-row metrics and the means, in a fixed order
    with tempfile.TemporaryDirectory() as tmp:
        for group, name, img in (("set5", "a.png", colour), ("set14", "b.png", grey),
                                 ("science", "c_fluo.png", val_image(64, 64, 3, grey=True)),
                                 ("astro", "d.png", val_image(52, 60, 4))):
            os.makedirs(os.path.join(tmp, group), exist_ok=True)
            Image.fromarray(img).save(os.path.join(tmp, group, name))
        with open(os.devnull, "w") as quiet:
            res = E.evaluate(tmp, ["bicubic", "lanczos"], log=quiet)
    rows = [r for r in res["images"] if r["protocol"] in ("bicubic", "realistic")]
    out["driver.rows"] = np.array([[r["psnr_y"], r["ssim_y"]] + r["colour_shift_rgb"] for r in rows])
    means = []
    for group in ("set5+set14", "science+astro", "set5", "set14", "science", "astro"):
        for protocol in ("bicubic", "realistic"):
            for method in ("bicubic", "lanczos"):
                s = res["means"][group][protocol][method]
                means.append([s["images"], s["psnr_y"], s["ssim_y"], s["max_abs_colour_shift"]] + s["colour_shift_rgb"])
    out["driver.means"] = np.array(means)
    return out


def cases() -> Dict[str, np.ndarray]:
    d = {"degrade." + k: v for k, v in degrade_cases().items()}
    d.update({"evaluate." + k: v for k, v in evaluate_cases().items()})
    return d
