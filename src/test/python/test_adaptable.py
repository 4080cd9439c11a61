"""The adaptable form (issue 16): computes exactly what the shipped file computes, trains only adapters,
merges to the same function, and the committed files belong together."""
import json
import os
import shutil
from pathlib import Path

import pytest
import torch

from sanasr import adaptable
from sanasr.files import sha256_of

ROOT = Path(__file__).resolve().parents[2].parent
TINY = ROOT / "src/test/resources/models/sana-sr-tiny-trunk-x4"
SHIPPED = sorted(p.parent for p in (ROOT / "models").glob("*/model.json")
                 if json.loads(p.read_text()).get("precision", "float32") == "float32")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny") / "m"
    shutil.copytree(TINY, folder)
    entry = adaptable.build(str(folder), rank=4, measure_speed=False)
    return folder, entry


def test_adaptable_equals_base_exactly(tiny):
    folder, entry = tiny
    desc = json.loads((folder / "model.json").read_text())
    base = torch.jit.load(str(folder / desc["file"])).eval()
    adapt = torch.jit.load(str(folder / entry["file"])).eval()
    with torch.no_grad():
        for h, w, p in ((16, 24, 0.0), (40, 8, 3.0)):
            x = torch.rand(2, 3, h, w, generator=torch.Generator().manual_seed(h + w))
            prompt = torch.full([2], p)
            assert torch.equal(base(x, prompt), adapt(x, prompt))


def test_descriptor_names_base_and_file(tiny):
    folder, entry = tiny
    desc = json.loads((folder / "model.json").read_text())
    assert desc["adaptable"] == entry
    assert entry["base_sha256"] == desc["sha256"] == sha256_of(str(folder / desc["file"]))
    assert entry["sha256"] == sha256_of(str(folder / entry["file"]))
    assert entry["rank"] == 4 and entry["targets"]


def test_only_adapters_are_new_and_all_targets_wrapped(tiny):
    folder, entry = tiny
    desc = json.loads((folder / "model.json").read_text())
    base_names = set(torch.jit.load(str(folder / desc["file"])).state_dict())
    names = set(torch.jit.load(str(folder / entry["file"])).state_dict())
    for t in entry["targets"]:
        assert {t + ".base.weight", t + ".lora_A.weight", t + ".lora_B.weight"} <= names
        assert t + ".weight" in base_names
    unwrap = {n.replace(".base.", ".") for n in names if ".lora_" not in n}
    assert unwrap == base_names
    assert any(t.startswith("trunk.") for t in entry["targets"]) and any(t.startswith("dit.") for t in entry["targets"])


def test_merging_trained_adapters_gives_the_same_function(tiny):
    folder, _ = tiny
    sr, _ = adaptable.load_folder(str(folder))
    targets = adaptable.make_adaptable(sr, rank=4)
    trainable = {n for n, p in sr.named_parameters() if p.requires_grad}
    assert trainable and all(".lora_" in n for n in trainable)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for t in targets:
            layer = sr.get_submodule(t)
            layer.lora_B.weight.copy_(0.05 * torch.randn(layer.lora_B.weight.shape, generator=g))
    x, p = torch.rand(1, 3, 24, 16, generator=g), torch.zeros(1)
    with torch.no_grad():
        adapted = sr(x, p)
        plain, _ = adaptable.load_folder(str(folder))
        for t in targets:
            plain.get_submodule(t).weight.copy_(adaptable.merged_weight(sr.get_submodule(t)))
        merged = plain(x, p)
        base = adaptable.load_folder(str(folder))[0](x, p)
    assert (adapted - merged).abs().max().item() < 1e-5
    assert (adapted - base).abs().max().item() > 1e-3     # the adapters did change the function


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda p: p.name)
def test_committed_adaptable_file_belongs_to_the_shipped_file(folder):
    desc = json.loads((folder / "model.json").read_text())
    entry = desc.get("adaptable")
    assert entry, f"{folder.name}: no adaptable form; run scripts/make-adaptable.sh"
    assert entry["base_sha256"] == desc["sha256"] == sha256_of(str(folder / desc["file"])), \
        f"{folder.name}: the adaptable file was made from another shipped file; rerun scripts/make-adaptable.sh"
    assert entry["sha256"] == sha256_of(str(folder / entry["file"]))
    base = torch.jit.load(str(folder / desc["file"])).eval()
    adapt = torch.jit.load(str(folder / entry["file"])).eval()
    x = torch.rand(1, 3, 2 * desc["stride"], 3 * desc["stride"], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(base(x, torch.zeros(1)), adapt(x, torch.zeros(1)))
