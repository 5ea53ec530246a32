"""The Dask engine gives the local engine's figures for a seed (issue 13).

A LocalCluster of 2 worker processes on 127.0.0.1 runs the chunks; the per-draw figures
must equal the local thread pool's bit for bit (every block is seeded by its number, and a
chunk is a whole number of blocks), whatever the chunk size on either side.
"""

from __future__ import annotations

import numpy as np
import pytest

import roi_models as rm
from roi_models.analysis.montecarlo import montecarlo

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as c:
        yield c


def test_dask_equals_local_for_a_seed(cluster):
    res = rm.run_scenarios(rm.load_shipped("consumer_brand"))
    local = montecarlo(res, draws=5000, seed=11, chunk_blocks=2)
    remote = montecarlo(res, draws=5000, seed=11, engine="dask",
                        scheduler=cluster.scheduler_address, chunk_blocks=1)
    for k in local.kpis:
        np.testing.assert_array_equal(remote.kpis[k], local.kpis[k])
    np.testing.assert_array_equal(remote.inputs, local.inputs)
    assert remote.to_json_dict() == local.to_json_dict()
    assert remote.engine == "dask"


def test_cli_json_is_the_same_on_dask(cluster, capsys):
    import json

    from roi_models.cli import main

    argv = ["montecarlo", "b2b_it_services", "--draws", "2100", "--seed", "5", "--json"]
    assert main(argv) == 0
    local = json.loads(capsys.readouterr().out)
    assert main(argv + ["--engine", "dask", "--scheduler", cluster.scheduler_address]) == 0
    assert json.loads(capsys.readouterr().out) == local


def test_the_default_dask_engine_starts_and_stops_its_own_local_cluster():
    res = rm.run_scenarios(rm.load_shipped("b2b_it_services"))
    local = montecarlo(res, draws=1100, seed=2)
    remote = montecarlo(res, draws=1100, seed=2, engine="dask")
    np.testing.assert_array_equal(remote.kpis["npv"], local.kpis["npv"])
