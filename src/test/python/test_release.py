"""Continuing a release (issue 18 item 2): a model folder back as an eager model, the refine stage with the
microscopy pairs, the exported lineage and the committed training state that the next release resumes from."""
import json
import os

import numpy as np
import pytest
import torch

from sanasr import config as cfgmod, export as E
from sanasr.micro import binning_pairs, normalise_like_plugin
from sanasr.model import SanaSR
from sanasr.model_folder import load_folder
from sanasr.train import common as C, refine, release

MICRO = refine.DEFAULT_MICRO
needs_data = pytest.mark.skipif(not (os.path.isdir(C.DEFAULT_DATA) and os.path.isdir(MICRO)),
                                reason="training data not found beside the checkout")


def exported_parent(tmp_path, version="1.0.0"):
    torch.manual_seed(3)
    model = SanaSR(cfgmod.preset("tiny-trunk"))
    with torch.no_grad():           # a parent that is not bicubic: every trunk weight moved
        for p in model.sr.parameters():
            p.add_(0.01 * torch.randn_like(p))
    out = tmp_path / "parent"
    E.export(model, str(out), "tiny", version, training={"device": "cpu", "threads": 1,
                                                         "stages": [{"stage": "plain", "steps": 5, "minutes": 0.1}]},
             measure_memory=False)
    return out, model


def test_a_model_folder_rebuilds_the_exported_model_exactly(tmp_path):
    folder, model = exported_parent(tmp_path)
    rebuilt, desc = load_folder(str(folder))
    x, p = torch.rand(1, 3, 16, 24), torch.tensor([2.0])
    with torch.no_grad():
        assert torch.equal(rebuilt.sr(x, p), model.sr.eval()(x, p))
    assert desc["version"] == "1.0.0"


def test_a_tampered_model_file_is_refused(tmp_path):
    folder, _ = exported_parent(tmp_path)
    with open(folder / "tiny.pt", "ab") as f:
        f.write(b"x")
    with pytest.raises(ValueError, match="SHA-256"):
        load_folder(str(folder))


def test_binning_pairs_are_block_means_and_normalisation_follows_the_binned_input():
    gen = torch.Generator().manual_seed(0)
    hr = torch.rand(3, 3, 16, 16)
    lr = binning_pairs(hr, 4, gen, noise_p=0.0)
    assert torch.allclose(lr, hr.reshape(3, 3, 4, 4, 4, 4).mean(dim=(3, 5)))
    noisy = binning_pairs(hr, 4, torch.Generator().manual_seed(0), noise_p=1.0)
    assert not torch.allclose(noisy, lr) and abs(float(noisy.mean() - lr.mean())) < 0.05
    plane = np.arange(64 * 64, dtype=np.float32).reshape(64, 64) * 3 + 100
    norm = normalise_like_plugin(plane, 4)
    binned = norm.reshape(16, 4, 16, 4).mean(axis=(1, 3))
    assert np.percentile(binned, 0.1) == pytest.approx(0.0, abs=1e-5)
    assert np.percentile(binned, 99.9) == pytest.approx(1.0, abs=1e-5)


@needs_data
def test_a_release_continues_its_parent_and_records_the_lineage(tmp_path):
    folder, _ = exported_parent(tmp_path)
    run, out = tmp_path / "run", tmp_path / "child"
    argv = ["--parent", str(folder), "--run", str(run), "--minutes", "5", "--max-steps", "3", "--val-every", "0",
            "--mix", "1,1,1", "--bf16", "on", "--out", str(out), "--version", "2.0.0", "--name", "tiny",
            "--bf16-out", str(tmp_path / "child-bf16")]
    release.main(argv)
    desc = json.loads((out / "model.json").read_text())
    lin = desc["training"]["lineage"]
    variant = json.loads((tmp_path / "child-bf16" / "model.json").read_text())
    assert desc["variants"] == {"bfloat16": "tiny-bf16"} and variant["variant_of"] == "tiny"
    assert variant["training"]["lineage"] == lin and variant["precision"] == "bfloat16"
    parent_desc = json.loads((folder / "model.json").read_text())
    assert lin["parent"] == {"name": "tiny", "version": "1.0.0", "sha256": parent_desc["sha256"]}
    assert [s["release"] for s in lin["stages"]] == ["1.0.0", "2.0.0"]
    assert lin["stages"][-1]["steps"] == 3 and "bf16 autocast" in lin["stages"][-1]["machine"]
    assert lin["cumulative"]["steps"] == 8
    # the committed state: the child's float32 file plus its Adam moments; a grandchild starts exactly there
    state = torch.load(out / refine.STATE_FILE)
    assert state["weights_sha256"] == desc["sha256"]
    moments = [v for s in state["optim"]["state"].values() for v in s.values() if torch.is_tensor(v) and v.dim()]
    assert moments and all(v.dtype == torch.bfloat16 for v in moments)
    grandchild, _ = load_folder(str(out))
    optim = torch.optim.Adam(list(grandchild.sr.parameters()))
    assert refine.load_release_state(str(out), desc["sha256"], optim) == lin
    assert len(optim.state_dict()["state"]) == len(list(grandchild.sr.parameters()))
    with pytest.raises(ValueError, match="belongs to weights"):
        refine.load_release_state(str(out), parent_desc["sha256"], optim)
    # a blend of 0 exports the parent's weights (the trained ones are only recorded in the lineage)
    blend_argv = [a if a != str(out) else str(tmp_path / "blend0") for a in argv[:-2]] + ["--blend-parent", "0"]
    release.main(blend_argv)
    blended, _ = load_folder(str(tmp_path / "blend0"))
    parent_model, _ = load_folder(str(folder))
    assert all(torch.equal(a, b) for a, b in zip(blended.sr.state_dict().values(), parent_model.sr.state_dict().values()))
    stage = json.loads((tmp_path / "blend0" / "model.json").read_text())["training"]["lineage"]["stages"][-1]
    assert "parent 1.0.0" in stage["blend"]


def test_averaged_state_is_the_mean_of_the_last_snapshots_and_the_final_weights(tmp_path):
    torch.manual_seed(0)
    run = str(tmp_path)
    model = SanaSR(cfgmod.preset("tiny-trunk"))
    states = []
    for step in (10, 20, 30):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p))
        states.append({k: v.clone() for k, v in model.state_dict().items()})
        refine.save_snapshot(run, model, step)
    C.save_checkpoint(run, refine.STAGE, model, None, 40, 1.0, done=True)
    mean, steps = refine.averaged_state(run, 2)
    assert steps == [20, 30, 40]
    key = "sr.trunk.head.weight"
    expected = (states[1][key] + states[2][key] + model.state_dict()[key]) / 3
    assert torch.allclose(mean[key], expected, atol=1e-6)
