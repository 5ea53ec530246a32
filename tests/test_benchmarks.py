"""The benchmark scripts run and print every figure with its target (small sizes here)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_engine_benchmark_prints_figures_and_verdicts():
    out = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--n", "3000", "--chunk", "1000", "--repeat", "3"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    lines = out.splitlines()
    assert any(line.startswith("first simulate call, cold (compile)") for line in lines)
    assert any(line.startswith("first simulate call, warm (load the cache)") for line in lines)
    simulate = next(line for line in lines if line.startswith("simulate, 4 scenarios x 60 months"))
    assert "target < 2:" in simulate
    assert any("run_batch 3,000 x 60 months" in line for line in lines)
    assert any(line.startswith("peak memory of the 3,000-row run") for line in lines)
