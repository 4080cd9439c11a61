"""Descriptors that name each other as precision variants (docs/model-format.md, issue 18 item 6)."""
import json
import os

import pytest

from sanasr.export import link_variant

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def _descriptor(folder, name, precision):
    os.makedirs(folder)
    desc = {"format": "sanasr-model/1", "name": name, "file": f"{name}.pt", "sha256": "0" * 64, "scale": 4,
            "input_channels": 3, "prompts": ["generic"], "precision": precision}
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(desc, f)
    return desc


def _read(folder):
    with open(os.path.join(folder, "model.json")) as f:
        return json.load(f)


def test_link_variant_names_both_ways_and_keeps_the_rest(tmp_path):
    a, b = str(tmp_path / "m"), str(tmp_path / "m-bf16")
    before = _descriptor(a, "m", "float32")
    _descriptor(b, "m-bf16", "bfloat16")
    link_variant(a, b)
    original, variant = _read(a), _read(b)
    assert original["variants"] == {"bfloat16": "m-bf16"}
    assert variant["variant_of"] == "m"
    assert {k: v for k, v in original.items() if k != "variants"} == before


def test_link_variant_refuses_models_that_do_not_match(tmp_path):
    a, b, c = str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c")
    _descriptor(a, "a", "float32")
    _descriptor(b, "b", "float32")
    desc = _descriptor(c, "c", "bfloat16")
    with pytest.raises(ValueError, match="same precision"):
        link_variant(a, b)
    desc["scale"] = 2
    with open(os.path.join(c, "model.json"), "w") as f:
        json.dump(desc, f)
    with pytest.raises(ValueError, match="scale"):
        link_variant(a, c)


def test_the_shipped_models_are_linked():
    models = os.path.join(ROOT, "models")
    for name in sorted(os.listdir(models)):
        if not os.path.isfile(os.path.join(models, name, "model.json")):
            continue
        desc = _read(os.path.join(models, name))
        for precision, other in desc.get("variants", {}).items():
            linked = _read(os.path.join(models, other))
            assert linked["precision"] == precision and linked["variant_of"] == name
            assert (linked["scale"], linked["input_channels"], linked["prompts"]) == \
                (desc["scale"], desc["input_channels"], desc["prompts"])
        if "variant_of" in desc:
            assert name in _read(os.path.join(models, desc["variant_of"]))["variants"].values()
