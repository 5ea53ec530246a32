"""A/B of the engine across commits: each commit's tree in its own process, in alternation.

On a shared machine the load moves every figure by 20-50 %, so a speed-up is
only visible when old and new code run interleaved under the same load. This
script extracts each commit given (``git archive`` into a temporary
directory, nothing checked out), then runs, round after round, one fresh
interpreter per commit with that tree first on ``sys.path``: ``run_batch`` of
the 100,000 sampled rows of :func:`run.sampled_batch` (B2B social plan
against its status quo, KPIs and incremental NPV/ROI/payback), minimum and
median wall time and the minimum CPU time of ``--repeat`` runs, with the
load average after each. Commits must have ``benchmarks/run.py`` with
``sampled_batch`` (every commit since the numpy engine, 26dd5c9).

    .venv/bin/python benchmarks/interleaved.py 26dd5c9 9976b71 HEAD --workers 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import os, sys, time
sys.path.insert(0, 'benchmarks')
import run as b
from roi_models.engine.batch import run_batch
batch, base = b.sampled_batch({n})
run_batch(batch, base, workers={workers})
walls, cpus = [], []
for _ in range({repeat}):
    t, c = time.perf_counter(), time.process_time()
    run_batch(batch, base, workers={workers})
    walls.append(time.perf_counter() - t)
    cpus.append(time.process_time() - c)
walls.sort()
print(f"wall min {{walls[0]:.3f}} median {{walls[len(walls) // 2]:.3f}} s, "
      f"CPU min {{min(cpus):.3f}} s, load {{os.getloadavg()[0]:.2f}}")
"""


def extract(commit: str, into: Path) -> Path:
    """The tree of ``commit`` under ``into`` (``git archive``), returned as a directory."""
    tree = into / commit.replace("/", "_")
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("commits", nargs="+", help="commits to compare (e.g. 26dd5c9 HEAD)")
    ap.add_argument("--n", type=int, default=100_000, help="rows of the batch")
    ap.add_argument("--workers", type=int, default=2, help="threads of run_batch")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per process")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of the alternation")
    args = ap.parse_args(argv)
    code = CHILD.format(n=args.n, workers=args.workers, repeat=args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        trees = {c: extract(c, Path(tmp)) for c in args.commits}
        for r in range(args.rounds):
            for commit, tree in trees.items():
                env = dict(os.environ, PYTHONPATH=str(tree))
                out = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env,
                                     capture_output=True, text=True, check=True).stdout
                print(f"round {r + 1} {commit:>10}: run_batch {args.n:,} rows, "
                      f"{args.workers} thread(s): {out.strip()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
