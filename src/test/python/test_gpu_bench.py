"""The prepared GPU benchmark (bench/gpu/bench_gpu.py) as a CPU dry run, so it works the day a device is lent."""
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCRIPT = os.path.join(ROOT, "bench", "gpu", "bench_gpu.py")


def test_cpu_dry_run_writes_one_json_and_renders(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, SCRIPT, "--device", "cpu", "--size", "64", "--presets", "tiny", "--models",
           "--reps", "2", "--warmup", "1", "--max-batch", "2", "--out", str(out), "--scratch", str(tmp_path / "s")]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    assert sorted(os.listdir(out)) == ["gpu-bench.json"]          # the device returns at most 8 files
    res = json.loads((out / "gpu-bench.json").read_text())
    assert res["device"].startswith("CPU")
    (model,) = res["models"]
    assert model["model"] == "preset tiny (random weights)"
    assert model["params"] > 0 and model["macs"] > 0
    fp32 = model["latency_batch1"]["fp32"]
    assert 0 < fp32["min_s"] <= fp32["median_s"] <= fp32["max_s"]
    # bf16 either runs in the scripted graph or is measured under autocast; never silently missing
    assert "median_s" in model["latency_batch1"].get("bf16", {}) or \
        "median_s" in model["latency_batch1"].get("bf16 autocast", {})
    assert [r["batch"] for r in model["throughput"]["runs"]] == [1, 2]
    md = tmp_path / "gpu.md"
    subprocess.run([sys.executable, SCRIPT, "--render", str(out / "gpu-bench.json"), "--md-out", str(md)],
                   check=True, timeout=120)
    text = md.read_text()
    assert res["device"] in text and "| preset tiny (random weights) |" in text and "407.95" in text
