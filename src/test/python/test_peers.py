"""Tests for the Real-ESRGAN peer (bench/peers): ncnn reader, tiling, converted weights.

Reader and tiling tests use synthetic data and always run; tests that need the
npm weights skip (with the reason) when the converted .npz is not present and
cannot be produced without the network.
"""
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "bench" / "peers"))

import ncnn_reader  # noqa: E402
import realesrgan  # noqa: E402
from rrdbnet import RRDBNet  # noqa: E402

SYNTHETIC_PARAM = """7767517
4 5
Input            in0      0 1 data
Convolution      conv_a   1 1 data a 0=2 1=3 4=1 5=1 6=18 9=2 -23310=1,2.000000e-01
Convolution      conv_b   1 1 a b 0=1 1=1 11=1 5=0 6=2
Eltwise          add      2 1 a b c 0=1 -23301=2,2.000000e-01,1.000000e+00
"""


def _synthetic_bin(weight_a, bias_a, weight_b):
    fp16 = weight_a.astype("<f2").tobytes()
    fp16 += b"\0" * ((-len(fp16)) % 4)  # ncnn aligns fp16 arrays to 4 bytes
    return (struct.pack("<I", ncnn_reader.TAG_FP16) + fp16 + bias_a.astype("<f4").tobytes()
            + struct.pack("<I", 0) + weight_b.astype("<f4").tobytes())


def test_param_parser_reads_scalars_and_arrays():
    layers = ncnn_reader.parse_param(SYNTHETIC_PARAM)
    assert [l.type for l in layers] == ["Input", "Convolution", "Convolution", "Eltwise"]
    conv_a, eltwise = layers[1], layers[3]
    assert conv_a.inputs == ["data"] and conv_a.outputs == ["a"]
    assert conv_a.params[0] == 2 and conv_a.params[9] == 2
    assert conv_a.params[10] == [pytest.approx(0.2)]
    assert eltwise.inputs == ["a", "b"]
    assert eltwise.params[1] == [pytest.approx(0.2), pytest.approx(1.0)]


def test_bin_reader_decodes_fp16_and_fp32_weights_in_layout_order():
    rng = np.random.default_rng(0)
    weight_a = rng.standard_normal(18).astype(np.float16).astype(np.float32)
    bias_a = np.array([0.5, -1.25], np.float32)
    weight_b = np.array([3.0, -2.0], np.float32)
    layers = ncnn_reader.load_model(SYNTHETIC_PARAM, _synthetic_bin(weight_a, bias_a, weight_b))
    conv_a, conv_b = layers[1], layers[2]
    assert conv_a.weights["weight"].shape == (2, 1, 3, 3)
    np.testing.assert_array_equal(conv_a.weights["weight"].ravel(), weight_a)
    np.testing.assert_array_equal(conv_a.weights["bias"], bias_a)
    assert conv_b.weights["weight"].shape == (1, 2, 1, 1)
    assert "bias" not in conv_b.weights
    np.testing.assert_array_equal(conv_b.weights["weight"].ravel(), weight_b)


ODD_SIZED_PARAM = """7767517
3 3
Input            in0      0 1 data
Convolution      conv_a   1 1 data a 0=1 1=1 11=3 5=1 6=3
Convolution      conv_b   1 1 a b 0=1 1=1 5=0 6=1
"""


def test_bin_reader_skips_fp16_alignment_padding():
    weight_a = np.array([1.0, 2.0, 3.0], np.float32)  # 6 bytes of fp16 -> 2 padding bytes
    blob = _synthetic_bin(weight_a, np.array([7.0], np.float32), np.array([9.0], np.float32))
    layers = ncnn_reader.load_model(ODD_SIZED_PARAM, blob)
    assert layers[1].weights["weight"].shape == (1, 1, 3, 1)  # kh=3 (key 11), kw=1
    np.testing.assert_array_equal(layers[1].weights["weight"].ravel(), weight_a)
    np.testing.assert_array_equal(layers[1].weights["bias"], [7.0])
    np.testing.assert_array_equal(layers[2].weights["weight"].ravel(), [9.0])


def test_bin_reader_rejects_trailing_bytes():
    blob = _synthetic_bin(np.zeros(18, np.float32), np.zeros(2, np.float32), np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="unread bytes"):
        ncnn_reader.load_model(SYNTHETIC_PARAM, blob + b"\0\0\0\0")


def test_tiled_upscale_equals_whole_image_when_context_covers_receptive_field():
    # One RRDB: 17 LR convs + 3 HR convs -> receptive radius < 20 LR pixels.
    torch.manual_seed(0)
    model = RRDBNet(num_block=1, num_feat=8, num_grow_ch=4).eval()
    lr = np.random.default_rng(1).integers(0, 256, size=(21, 30, 3), dtype=np.uint8)
    tiled = realesrgan.upscale_rgb(model, lr, tile=8, pad=20, border="reflect")
    padded = np.pad(lr, ((20, 20), (20, 20), (0, 0)), mode="reflect")
    with torch.no_grad():
        whole = model(torch.from_numpy(padded.transpose(2, 0, 1).copy()).float().div(255)[None])[0]
    whole = whole[:, 80:-80, 80:-80].clamp(0, 1).mul(255).round().byte().numpy().transpose(1, 2, 0)
    assert tiled.shape == (84, 120, 3)
    # float summation order differs between tile sizes: allow a rounding flip.
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1


def test_tile_starts_cover_every_pixel_exactly_to_the_end():
    for length, tile in [(300, 128), (256, 128), (100, 100), (129, 128)]:
        starts = realesrgan._tile_starts(length, tile)
        covered = np.zeros(length, bool)
        for s in starts:
            covered[s:s + tile] = True
        assert covered.all() and starts[-1] + tile == length


def _real_model_or_skip():
    try:
        realesrgan.ensure_weights(download=False)
    except realesrgan.WeightsUnavailable as err:
        pytest.skip(f"Real-ESRGAN weights not available offline: {err} "
                    f"(run bench/peers/realesrgan.py --convert with network)")
    torch.set_num_threads(1)
    return realesrgan.load_model("cpu", download=False)


def test_converted_weights_restore_a_smooth_image_close_to_its_bicubic_upscale():
    model = _real_model_or_skip()
    yy, xx = np.mgrid[0:16, 0:16]
    lr = np.stack([8 * xx + 40, 8 * yy + 40, 4 * (xx + yy) + 60], axis=2).astype(np.uint8)
    out = realesrgan.upscale(lr, model=model).astype(float)
    from PIL import Image
    bicubic = np.asarray(Image.fromarray(lr).resize((64, 64), Image.BICUBIC)).astype(float)
    # Correct weights reproduce the ramp within ~6 levels (the GAN flattens it a
    # little) and keep its colour; randomly initialised ones are ~80 levels off.
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(out[inner] - bicubic[inner]).mean() < 15.0
    assert np.abs((out[inner] - bicubic[inner]).mean(axis=(0, 1))).max() < 3.0


def test_conversion_matches_upscayl_bin_reference_output():
    """PyTorch port vs the original ncnn runtime (fixture from make_reference_fixture.py)."""
    model = _real_model_or_skip()
    from PIL import Image
    fixtures = REPO / "bench" / "peers" / "fixtures"
    lr = np.asarray(Image.open(fixtures / "synthetic-24-lr.png").convert("RGB"))
    ref = np.asarray(Image.open(fixtures / "synthetic-24-upscayl-bin-x4.png").convert("RGB")).astype(int)
    out = realesrgan.upscale(lr, model=model).astype(int)
    # upscayl-bin wraps slightly negative outputs to 255 (isolated 255 next to
    # dark pixels, 31 of 18432 values here); PyTorch clamps them to 0.
    wrapped = (ref == 255) & (out == 0)
    assert wrapped.sum() < 0.005 * ref.size
    diff = np.abs(out - ref)[~wrapped]
    # ncnn computes in fp16 on Vulkan: small differences only. Edge-replicated
    # borders instead of mirrored ones would give a mean of ~5 levels.
    assert diff.max() <= 8
    assert diff.mean() < 0.5
