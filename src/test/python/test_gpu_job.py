"""The one-call GPU job (scripts/gpu-train.sh + sanasr.train.gpu_job) end to end on the CPU, tiny preset.

What the device call relies on: the script's `prepare` copies the data, `run` trains all stages into $OUT
within the device's return limits (<= 8 files, each <= 16 MiB, <= 64 MiB together, plain names), the parts
reassemble into weights that export to a loadable TorchScript model folder here, and a second call resumes
from the first call's files (also when they travel as float16).
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from sanasr.export import load_npz, probe_image
from sanasr.train import common as C, gpu_job as G

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "gpu-train.sh"
N_IMAGES = 6   # a few training photos keep image decoding out of the test's time
CALL_TIMEOUT_S = 120   # each scripted call (the brief: the whole job in under 2 minutes on this CPU)
torch.set_num_threads(1)   # the 2-core machine is shared; the job itself runs with --threads 1


def out_limits(out: Path):
    files = [p for p in out.rglob("*") if p.is_file()]
    assert 0 < len(files) <= 8, [p.name for p in files]
    assert all(p.stat().st_size <= 16 * 2**20 for p in files)
    assert sum(p.stat().st_size for p in files) <= 64 * 2**20
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", p.name) for p in files)
    assert not [p for p in out.iterdir() if p.is_dir()]
    return {p.name for p in files}


def run_script(mode, *args, env_extra, timeout=CALL_TIMEOUT_S):
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS="1", **env_extra)
    res = subprocess.run(["bash", str(SCRIPT), mode, *args], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    return res.stdout


@pytest.fixture(scope="module")
def data_src(tmp_path_factory):
    if not os.path.isdir(C.DEFAULT_DATA):
        pytest.skip(f"training data not found at {C.DEFAULT_DATA}")
    src = tmp_path_factory.mktemp("train_src")
    names = sorted(n for n in os.listdir(C.DEFAULT_DATA) if n.lower().endswith((".jpg", ".png")))
    for n in names[:N_IMAGES // 2] + [n for n in names if n.startswith("stellarium")][:N_IMAGES // 2]:
        shutil.copy(os.path.join(C.DEFAULT_DATA, n), src / n)
    return src


@pytest.fixture(scope="module")
def first_call(data_src, tmp_path_factory):
    """prepare + run with the tiny preset; stops after stage b, as if the call had been cut off there."""
    tmp = tmp_path_factory.mktemp("call1")
    env = {"SANASR_TRAIN_SRC": str(data_src), "SANASR_TRAIN_DATA": str(tmp / "carry")}
    run_script("prepare", env_extra=env)
    assert len(os.listdir(tmp / "carry")) == N_IMAGES
    out = tmp / "out"
    log = run_script("run", "--preset", "tiny-trunk", "--minutes", "1", "--threads", "1", "--max-steps", "4",
                     "--stop-after", "prior", env_extra=dict(env, OUT=str(out)))
    return env, out, log


@pytest.fixture(scope="module")
def second_call(first_call, tmp_path_factory):
    """prepare --resume-from the first call's files (forced to float16), run the remaining stages."""
    env, out1, _ = first_call
    tmp = tmp_path_factory.mktemp("call2")
    env = dict(env, SANASR_TRAIN_DATA=str(tmp / "carry"))
    run_script("prepare", "--resume-from", str(out1), env_extra=env)
    man = G.pack_resume(str(out1), str(tmp / "carry" / "resume"), max_fp32_bytes=0)   # as for compact
    assert man["resume_dtype"] == "float16"
    out = tmp / "out"
    log = run_script("run", "--preset", "tiny-trunk", "--minutes", "1", "--threads", "1", "--max-steps", "4",
                     env_extra=dict(env, OUT=str(out)))
    return out, log


def test_first_call_writes_parts_manifest_and_logs_within_limits(first_call):
    _, out, log = first_call
    names = out_limits(out)
    assert {"manifest.json", "train.jsonl", "console.log", "weights.npz.000"} <= names
    man = G.read_manifest(str(out))
    assert man["stage"] == "prior" and [s["stage"] for s in man["stages"]] == ["autoencoder", "prior"]
    assert [s["steps"] for s in man["stages"]] == [4, 4]
    records = [json.loads(l) for l in (out / "train.jsonl").read_text().splitlines()]
    assert {r.get("stage") for r in records} >= {"autoencoder", "prior"}
    assert any(r.get("event") == "end" for r in records)
    assert '"event": "stage_done"' in (out / "console.log").read_text() and '"event": "end"' in log


def test_second_call_resumes_after_the_last_completed_stage(first_call, second_call):
    out, _ = second_call
    out_limits(out)
    man = G.read_manifest(str(out))
    assert [s["stage"] for s in man["stages"]] == list(C.STAGES)
    # the resumed stages keep their counts; only c and d ran in the second call
    first = G.read_manifest(str(first_call[1]))
    assert man["stages"][:2] == first["stages"]
    start = json.loads((out / "train.jsonl").read_text().splitlines()[0])
    assert start["event"] == "start" and start["todo"] == ["adapt", "prune"]
    assert man["stages"][3]["report"]["dit_params_after"] < man["stages"][3]["report"]["dit_params_before"]


def test_parts_reassemble_and_export_to_a_loadable_torchscript_folder(second_call, tmp_path):
    out, _ = second_call
    npz = tmp_path / "w.npz"
    G.assemble(str(out), str(npz))
    model = load_npz(str(npz)).eval()
    folder = tmp_path / "sana-sr-tiny-x4"
    desc = G.export_from_folder(str(out), str(folder), "sana-sr-tiny-x4", "1.0.0", measure_memory=False)
    assert desc["training"]["steps"] == {"autoencoder": 4, "prior": 4, "adapt": 4, "prune": 4}
    assert json.loads((folder / "model.json").read_text())["sha256"] == desc["sha256"]
    ts = torch.jit.load(str(folder / desc["file"]))
    x = probe_image(16, 24)
    with torch.no_grad():
        got = ts(x, torch.tensor([1.0]))
        ref = model.sr(x, torch.tensor([1.0]))
    assert got.shape == (1, 3, 64, 96) and torch.isfinite(got).all()
    assert (got - ref).abs().max().item() < 1e-5


def test_a_damaged_part_is_detected(first_call, tmp_path):
    _, out, _ = first_call
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    part = copy / "weights.npz.000"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256"):
        G.assemble(str(copy), str(tmp_path / "w.npz"))


def test_parts_respect_the_size_limits(tmp_path):
    blob = tmp_path / "w.npz"
    blob.write_bytes(os.urandom(10_000))
    out = tmp_path / "out"
    out.mkdir()
    (out / "weights.npz.007").write_bytes(b"stale")
    parts = G.write_parts(str(blob), str(out), part_bytes=4_000)
    assert [p["bytes"] for p in parts] == [4_000, 4_000, 2_000]
    assert sorted(os.listdir(out)) == ["weights.npz.000", "weights.npz.001", "weights.npz.002"]
    with pytest.raises(RuntimeError, match="would not come back"):
        G.write_parts(str(blob), str(out), part_bytes=1_000)   # 10 parts > 5


def test_session_runs_the_benchmark_then_trains_within_the_file_limits(first_call, tmp_path):
    """`session` = benchmark (one JSON) + training in one call; everything that comes back fits the 8 files."""
    env, _, _ = first_call
    out = tmp_path / "out"
    bench = "--device cpu --size 64 --presets tiny --models --reps 2 --warmup 1 --max-batch 2"
    log = run_script("session", "--preset", "tiny-trunk", "--threads", "1", "--max-steps", "2", "--stop-after", "autoencoder",
                     env_extra=dict(env, OUT=str(out), SANASR_BENCH_ARGS=bench,
                                    TMPDIR=str(tmp_path)), timeout=2 * CALL_TIMEOUT_S)
    names = out_limits(out)
    assert {"gpu-bench.json", "manifest.json", "train.jsonl", "console.log"} <= names
    assert json.loads((out / "gpu-bench.json").read_text())["models"][0]["model"] == "preset tiny (random weights)"
    assert G.read_manifest(str(out))["stage"] == "autoencoder"
    assert '"event": "end"' in log
