"""The LR-grid trunk design of the compact model (issue 10): start at bicubic, the latent path and its
removal, TorchScript, the reference network's size, stages a-d and the plain trainer on the test-size preset."""
import argparse
import os

import pytest
import torch
import torch.nn as nn

from sanasr import config
from sanasr.model import build_model
from sanasr.train import common as C


def _x(h=16, w=24, seed=0):
    return torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", ["tiny-trunk", "compact", "compact-plain", "reference"])
def test_untrained_trunk_models_are_exactly_bicubic(name):
    sr = build_model(config.preset(name)).sr.eval()
    x = _x()
    with torch.no_grad():
        y = sr(x, torch.tensor([1.0]))
    assert y.shape == (1, 3, 64, 96)
    assert torch.equal(y, sr.upsample(x))


def test_reference_network_is_the_issues_plain_network():
    sr = build_model(config.preset("reference")).sr
    assert sr.encoder is None and sr.dit is None and sr.decoder is None
    conv = lambda cin, cout, k=3: cin * cout * k * k + cout      # noqa: E731
    expected = conv(3, 48) + 8 * 2 * conv(48, 48) + conv(48, 48) + conv(48, 48)
    assert sum(p.numel() for p in sr.parameters()) == expected   # 375,456: the issue's "0.38M parameters"
    assert config.lr_stride(config.preset("reference")) == 1
    assert config.lr_stride(config.preset("compact")) == 8       # the 32x latent is 8x below the LR grid


def test_latent_path_reaches_the_output_with_the_prompt_once_film_is_trained():
    sr = build_model(config.preset("tiny-trunk")).sr.eval()
    with torch.no_grad():
        for prm in sr.dit.parameters():         # the DiT starts as adaLN-zero (v = 0 for every prompt)
            prm.add_(0.1 * torch.randn_like(prm))
    for blk in sr.trunk.body:
        nn.init.normal_(blk.film.weight, std=0.5)
    nn.init.normal_(sr.trunk.to_output.weight, std=0.1)
    x = _x()
    with torch.no_grad():
        a, b = sr(x, torch.tensor([0.0])), sr(x, torch.tensor([4.0]))
        no_latent = sr.upsample(x) + sr.trunk(x, None)
    assert (a - b).abs().max() > 1e-5, "the prompt (through the DiT) changes the output"
    assert (a - no_latent).abs().max() > 1e-4, "the latent features modulate the trunk"


@pytest.mark.parametrize("name", ["tiny-trunk", "reference"])
def test_trunk_models_script_and_match_eager(name):
    sr = build_model(config.preset(name)).sr.eval()
    nn.init.normal_(sr.trunk.to_output.weight, std=0.05)
    scripted = torch.jit.script(sr)
    for h, w in ((16, 24), (8, 40)):
        x = _x(h, w, seed=h)
        with torch.no_grad():
            assert (scripted(x, torch.tensor([2.0])) - sr(x, torch.tensor([2.0]))).abs().max() < 1e-5


needs_data = pytest.mark.skipif(not os.path.isdir(C.DEFAULT_DATA), reason=f"training data not found at {C.DEFAULT_DATA}")


def _args(run, preset, stage_steps):
    return argparse.Namespace(run=str(run), preset=preset, minutes=10.0, max_steps=stage_steps, data=C.DEFAULT_DATA,
                              device="cpu", threads=1, seed=0, batch=0, lr_entry=None, lr_guided=None, val=None,
                              val_every=0)


@needs_data
def test_stages_a_to_d_train_the_trunk_model_and_it_exports(tmp_path):
    from sanasr import export as E
    from sanasr.train import adapt, autoencoder, prior, prune
    run = tmp_path / "run"
    for mod, steps in ((autoencoder, 3), (prior, 2), (adapt, 3), (prune, 2)):
        r = mod.run(_args(run, "tiny-trunk", steps))
        assert r["steps"] == steps
    model = E.load_model(C.ckpt_path(str(run), "prune"))
    assert model.sr.trunk is not None and model.sr.dit is not None
    desc = E.export(model, str(tmp_path / "out"), "t", "0.0.1", measure_memory=False)
    assert desc["stride"] == 8 and desc["export"]["torchscript_vs_eager_max_abs"] < 1e-5


@needs_data
def test_plain_trainer_trains_both_phases_and_resumes(tmp_path):
    from sanasr.train import plain
    run = tmp_path / "run"
    p = config.preset("reference")
    a = _args(run, "compact-plain", 4)
    r = plain.run(a)
    assert r["steps"] == 4
    a.max_steps = 6
    assert plain.run(a)["steps"] == 6                       # resumed from plain.pt, not restarted
    blob = C.load_checkpoint(str(run), "plain", torch.device("cpu"))
    assert blob["step"] == 6 and blob["preset"]["name"] == "compact-plain"
    assert p.train.split == (0.0, 1.0)
    with pytest.raises(SystemExit):
        plain.run(_args(tmp_path / "other", "tiny-trunk", 1))  # a latent model belongs to stages a-d


def test_bfloat16_export_keeps_the_skip_in_float32_and_stays_close(tmp_path):
    from sanasr import export as E
    model = build_model(config.preset("tiny-trunk"))
    nn.init.normal_(model.sr.trunk.to_output.weight, std=0.05)
    x = _x(16, 24, seed=3)
    with torch.no_grad():
        ref = model.sr.eval()(x, torch.tensor([1.0]))
    desc = E.export(model, str(tmp_path / "bf16"), "t", "0.0.1", measure_memory=False, precision="bfloat16")
    assert desc["precision"] == "bfloat16"
    ts = torch.jit.load(str(tmp_path / "bf16" / desc["file"]))
    with torch.no_grad():
        got = ts(x, torch.tensor([1.0]))
    assert got.dtype == torch.float32 and got.shape == ref.shape
    # the bf16 network changes the residual a little; a bf16 skip would be off by up to 1/128 of the intensity
    assert (got - ref).abs().max().item() < 0.02
    assert (got - ref).abs().max().item() > 0                   # it really ran in bf16


def test_init_trunk_copies_a_plain_trunk_and_leaves_the_film_at_zero(tmp_path):
    from sanasr.train.autoencoder import init_trunk
    plain_preset = config.preset("tiny-trunk")
    plain_preset.sr.latent_path = False
    plain = build_model(plain_preset)
    with torch.no_grad():
        for prm in plain.sr.trunk.parameters():
            prm.add_(torch.randn_like(prm))
    C.save_checkpoint(str(tmp_path), "plain", plain, None, 7, 60.0, done=True)
    model = build_model(config.preset("tiny-trunk"))
    info = init_trunk(model, str(tmp_path / "plain.pt"))
    assert info["steps"] == 7 and info["tensors"] < info["of"]
    x = _x()
    with torch.no_grad():
        assert torch.allclose(model.sr(x.clone(), torch.tensor([0.0])), plain.sr(x, torch.tensor([0.0])), atol=1e-6)
    assert all(float(b.film.weight.abs().max()) == 0 for b in model.sr.trunk.body)


def test_residual_lowcut_keeps_bicubics_low_frequencies_and_detail():
    """A residual that is a constant offset plus fine detail: the low cut removes the offset (the darkening that
    2.0's checkpoints showed) and keeps most of the detail; scripted and eager agree."""
    from sanasr.model import OneStepSR
    preset = config.preset("compact-plain")
    preset.sr.residual_lowcut = 5
    sr = OneStepSR(preset).eval()
    r = torch.full((1, 3, 64, 64), -0.01)
    detail = torch.zeros(1, 3, 64, 64)
    detail[..., ::2, :] = 0.02
    detail[..., 1::2, :] = -0.02
    out = sr.without_low_frequencies(r + detail)
    assert abs(float(out.mean())) < 1e-6
    assert float((out - detail).abs().max()) < 1e-5
    scripted = torch.jit.script(sr)
    x, p = torch.rand(1, 3, 12, 16), torch.zeros(1)
    with torch.no_grad():
        assert torch.allclose(scripted(x, p), sr(x, p), atol=1e-6)
