"""Realism or fidelity chosen by the prompt (issue 15): the texture trunk, its training against a cached frozen
prior, and the release it exports (prompt modes, prior, licence, lineage, training state)."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from sanasr import config as cfgmod, teacher_cache as T
from sanasr.model_folder import load_folder
from sanasr.train import realism, refine

from test_release import exported_parent

PHOTO, REALISTIC = cfgmod.PROMPTS.index("photo"), cfgmod.PROMPTS.index("realistic")
GENERIC, FAITHFUL = cfgmod.PROMPTS.index("generic"), cfgmod.PROMPTS.index("faithful")


class Sharpening:
    """A fake prior: nearest x4 plus a checkerboard texture, so the trunk has detail to learn."""

    def __call__(self, lr):
        up = lr.astype(np.int16).repeat(4, axis=2).repeat(4, axis=3)
        board = (np.indices(up.shape[-2:]).sum(0) % 2) * 24 - 12
        return np.clip(up + board, 0, 255).astype(np.uint8)


@pytest.fixture()
def cache(tmp_path):
    data = tmp_path / "train"
    data.mkdir()
    r = np.random.default_rng(0)
    for name in ("a.png", "b.png"):
        Image.fromarray(r.integers(0, 256, (40, 40, 3)).astype(np.uint8)).save(data / name)
    out = tmp_path / "cache"
    record = {"name": "checkerboard (test)", "id": "board", "source": "this test", "weights_sha256": "0" * 64,
              "licence": "test"}
    T.build_cache(str(out), str(data), Sharpening(), record, crops=4, crop=32, shard=2,
                  degradations=["light", "realesrgan"], log=open("/dev/null", "w"))
    return out


def outputs(model, x, prompts):
    with torch.no_grad():
        return [model(x, torch.full((x.shape[0],), float(p))) for p in prompts]


def test_the_new_model_starts_as_its_parent_for_every_prompt(tmp_path):
    _, parent = exported_parent(tmp_path)
    model = realism.texture_model(parent, "texture").eval()
    x = torch.rand(2, 3, 16, 24)
    before = outputs(parent.sr.eval(), x, range(len(cfgmod.BASE_PROMPTS)))
    after = outputs(model.sr, x, range(len(cfgmod.PROMPTS)))
    for p in range(len(cfgmod.BASE_PROMPTS)):
        assert torch.equal(after[p], before[p]), cfgmod.PROMPTS[p]
    assert torch.equal(after[REALISTIC], before[PHOTO]) and torch.equal(after[FAITHFUL], before[GENERIC])
    assert model.sr.realism.tolist() == [1.0 if p in ("photo", "realistic") else 0.0 for p in cfgmod.PROMPTS]


def test_training_moves_only_the_realism_prompts_and_the_release_records_the_prior(tmp_path, cache):
    folder, parent = exported_parent(tmp_path)
    run, out = tmp_path / "run", tmp_path / "out"
    realism.main(["--parent", str(folder), "--run", str(run), "--cache", str(cache), "--max-steps", "4",
                  "--minutes", "5", "--threads", "1", "--lr", "1e-2", "--export", str(out), "--version", "3.0.0",
                  "--name", "tiny", "--bf16-out", str(tmp_path / "out-bf16")])
    model, desc = load_folder(str(out))
    x = torch.rand(2, 3, 16, 24)
    before = outputs(parent.sr.eval(), x, range(len(cfgmod.BASE_PROMPTS)))
    after = outputs(model.sr, x, range(len(cfgmod.PROMPTS)))
    for p, name in enumerate(cfgmod.PROMPTS):
        if name in cfgmod.REALISM_PROMPTS:
            assert not torch.allclose(after[p], before[PHOTO]), name
        else:   # fidelity: exactly the parent, whatever the texture trunk learnt
            assert torch.equal(after[p], before[GENERIC if name == "faithful" else p]), name
    with torch.no_grad():   # a batch of both modes gives each image its own mode's output
        mixed = model.sr(x, torch.tensor([float(GENERIC), float(PHOTO)]))
    assert torch.allclose(mixed[0], after[GENERIC][0]) and torch.allclose(mixed[1], after[PHOTO][1], atol=1e-6)
    assert desc["prompts"] == list(cfgmod.PROMPTS) and desc["default_prompt"] == "generic"
    assert desc["prompt_modes"]["photo"] == desc["prompt_modes"]["realistic"] == "realism"
    assert desc["prompt_modes"]["fluorescence"] == desc["prompt_modes"]["faithful"] == "fidelity"
    assert desc["prior"]["id"] == "board" and desc["prior"]["weights_sha256"] == "0" * 64
    assert "checkerboard (test)" in (out / "LICENSE.md").read_text()
    lin = desc["training"]["lineage"]
    assert lin["stages"][-1]["stage"] == "realism (texture)" and lin["stages"][-1]["steps"] == 4
    assert lin["parent"]["version"] == "1.0.0"
    variant = json.loads((tmp_path / "out-bf16" / "model.json").read_text())
    assert variant["variant_of"] == "tiny" and variant["prompt_modes"] == desc["prompt_modes"]
    # the committed state continues the realism stage, and only it
    state = torch.load(out / refine.STATE_FILE)
    assert state["stage"] == "realism" and state["weights_sha256"] == desc["sha256"]
    with pytest.raises(SystemExit, match="realism"):
        refine.load_release_state(str(out), desc["sha256"], torch.optim.Adam(model.sr.parameters()))


def test_the_texture_gain_scales_only_the_band_of_the_realism_residual(tmp_path, cache):
    folder, parent = exported_parent(tmp_path)
    run = tmp_path / "run"
    realism.main(["--parent", str(folder), "--run", str(run), "--cache", str(cache), "--max-steps", "2",
                  "--minutes", "5", "--threads", "1", "--lr", "1e-2"])
    plain = realism.export_release(str(run), str(tmp_path / "g1"), "tiny", "3.0.0", "g1", "test")
    doubled = realism.export_release(str(run), str(tmp_path / "g2"), "tiny", "3.0.0", "g2", "test", texture_gain="2")
    assert doubled["training"]["lineage"]["stages"][-1]["texture_gain"] == {"gain": 2.0}
    a, _ = load_folder(str(tmp_path / "g1"))
    b, _ = load_folder(str(tmp_path / "g2"))
    x = torch.rand(1, 3, 16, 24)
    up = a.sr.upsample(x)
    pa, pb = outputs(a.sr, x, [PHOTO, GENERIC]), outputs(b.sr, x, [PHOTO, GENERIC])
    assert torch.equal(pa[1], pb[1]) and b.preset.sr.texture_gain == 2.0     # fidelity untouched
    extra = pb[0] - pa[0]
    assert extra.abs().max() > 1e-4                                            # the texture band grew ...
    pooled = torch.nn.functional.avg_pool2d(extra, 4)
    assert pooled.abs().mean() < 0.2 * extra.abs().mean()                      # ... not the block means
    assert realism.band_energy(pb[0]).item() > realism.band_energy(pa[0]).item()
    pool = realism.CachePool([str(cache)])
    gain, table = realism.calibrate_gain(a, pool, samples=8)
    assert len(table) == 31 and gain == min(table, key=lambda t: abs(t[1] - 1))[0] and a.sr.texture_gain == 1.0
    assert plain["sha256"] != doubled["sha256"]


def test_the_shared_design_trains_one_trunk_for_both_modes(tmp_path, cache):
    folder, parent = exported_parent(tmp_path)
    run = tmp_path / "run"
    realism.main(["--parent", str(folder), "--run", str(run), "--cache", str(cache), "--max-steps", "3",
                  "--minutes", "5", "--threads", "1", "--design", "shared", "--lr", "1e-2"])
    from sanasr.train import common as C
    model = C.model_from_blob(C.load_checkpoint(str(run), realism.STAGE, torch.device("cpu"))).eval()
    assert model.sr.texture is None and not model.preset.sr.texture_trunk
    x = torch.rand(1, 3, 16, 24)
    assert not torch.allclose(outputs(model.sr, x, [GENERIC])[0], outputs(parent.sr.eval(), x, [GENERIC])[0])


def test_the_band_is_the_detail_a_x4_input_cannot_hold():
    smooth = torch.linspace(0, 1, 32).view(1, 1, 1, 32).expand(1, 3, 32, 32)
    assert realism.band_energy(smooth).item() < 0.02 * 0.01   # only the clamped borders of the ramp
    board = (torch.arange(32).view(1, 32) + torch.arange(32).view(32, 1)) % 2
    textured = 0.5 + 0.2 * board.float().expand(1, 3, 32, 32)
    assert realism.band_energy(textured).item() == pytest.approx(0.01, rel=1e-3)
    assert realism.band_corr(textured, textured).item() == pytest.approx(1.0)
