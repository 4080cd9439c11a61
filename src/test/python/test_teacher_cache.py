"""The frozen prior's cache (sanasr.teacher_cache) with a tiny fake teacher (nearest-neighbour x4): contents,
reproducibility, resuming, damaged shards, and refusing to mix settings."""
import json
import os
import sys

import numpy as np
import pytest
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "main", "python"))
from sanasr import teacher_cache as T  # noqa: E402
from sanasr.config import PROMPTS  # noqa: E402

RECORD = {"name": "nearest x4 (test)", "id": "nearest", "source": "this test", "weights_sha256": "-"}


class Nearest:
    """A fake teacher that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, lr):
        self.calls += 1
        assert lr.dtype == np.uint8 and lr.ndim == 4 and lr.shape[1] == 3
        return lr.repeat(4, axis=2).repeat(4, axis=3)


@pytest.fixture()
def data(tmp_path):
    folder = tmp_path / "train"
    folder.mkdir()
    r = np.random.default_rng(0)
    for i, name in enumerate(("a.png", "b.png", "stellarium-data__c.png")):
        base = r.integers(0, 256, (12, 12, 3)).astype(np.uint8)
        Image.fromarray(base).resize((80, 72), Image.BICUBIC).save(folder / name)
    return str(folder)


def build(out, data, teacher=None, **kw):
    args = dict(crops=5, crop=32, shard=2, seed=3)
    args.update(kw)
    with open(os.devnull, "w") as quiet:
        return T.build_cache(str(out), data, teacher or Nearest(), RECORD, log=quiet, **args)


def shas(man):
    return [s["sha256"] for s in man["shards"]]


def test_cache_contents(tmp_path, data):
    man = build(tmp_path / "c", data)
    assert man["complete"] and len(man["shards"]) == 3   # 5 crops in shards of 2: rounded up to whole shards
    assert man["teacher"] == RECORD and man["settings"]["degradations"] == list(T.DEGRADATIONS)
    assert [f["file"] for f in man["data_files"]] == ["a.png", "b.png", "stellarium-data__c.png"]
    cache = T.TeacherCache(str(tmp_path / "c"))
    s = cache.shard(0, verify=True)
    assert s["hr"].shape == (2, 3, 32, 32) and 0 <= float(s["hr"].min()) and float(s["hr"].max()) <= 1
    for d in T.DEGRADATIONS:
        lr, teacher = s[f"{d}.lr"], s[f"{d}.teacher"]
        assert lr.shape == (2, 3, 8, 8) and lr.dtype == torch.float32
        lr8 = (lr.clamp(0, 1) * 255).round() / 255
        assert torch.equal(teacher, lr8.repeat_interleave(4, 2).repeat_interleave(4, 3))   # the teacher's input: 8 bit
        assert s[f"{d}.target"].shape == (2, 3, 32, 32)
        assert all(0 <= int(p) < len(PROMPTS) for p in s[f"{d}.prompt"])
    assert torch.equal(s["clean.target"], s["hr"]) and torch.equal(s["realesrgan.target"], s["hr"])
    # the degradations differ, and the clean one is antialiased bicubic of the HR crop
    assert not torch.equal(s["clean.lr"], s["realesrgan.lr"])
    ref = torch.nn.functional.interpolate(s["hr"], size=(8, 8), mode="bicubic", align_corners=False, antialias=True)
    assert (s["clean.lr"] - ref.clamp(0, 1)).abs().max() < 1.5 / 255


def test_cache_is_reproducible_and_seeded(tmp_path, data):
    a, b = build(tmp_path / "a", data), build(tmp_path / "b", data)
    assert shas(a) == shas(b)
    assert shas(build(tmp_path / "c", data, seed=4)) != shas(a)


def test_resume_builds_only_what_is_missing(tmp_path, data):
    full = build(tmp_path / "full", data)
    teacher = Nearest()
    part = build(tmp_path / "part", data, teacher, max_shards=1)
    assert not part["complete"] and len(part["shards"]) == 1 and teacher.calls == len(T.DEGRADATIONS)
    with pytest.raises(ValueError, match="incomplete"):
        T.TeacherCache(str(tmp_path / "part"))
    assert len(T.TeacherCache(str(tmp_path / "part"), allow_incomplete=True)) == 1
    teacher = Nearest()
    done = build(tmp_path / "part", data, teacher)
    assert done["complete"] and shas(done) == shas(full)
    assert teacher.calls == 2 * len(T.DEGRADATIONS)   # shards 1 and 2 only


def test_damaged_shard_is_rebuilt(tmp_path, data):
    man = build(tmp_path / "c", data)
    path = tmp_path / "c" / man["shards"][1]["file"]
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="SHA-256"):
        T.TeacherCache(str(tmp_path / "c")).shard(1, verify=True)
    teacher = Nearest()
    again = build(tmp_path / "c", data, teacher)
    assert shas(again) == shas(man) and teacher.calls == len(T.DEGRADATIONS)


def test_other_settings_are_refused(tmp_path, data):
    build(tmp_path / "c", data)
    with pytest.raises(SystemExit, match="other settings"):
        build(tmp_path / "c", data, crop=16)
    with pytest.raises(ValueError):
        build(tmp_path / "d", data, degradations=["clean", "jpeg"])


def test_a_failing_teacher_leaves_no_finished_looking_cache(tmp_path, data):
    def broken(lr):
        return lr   # not x4
    with pytest.raises(ValueError, match="teacher returned"):
        build(tmp_path / "c", data, broken)
    assert not (tmp_path / "c" / "shard-00000.npz").exists()
    assert not (tmp_path / "c" / T.MANIFEST).exists()
