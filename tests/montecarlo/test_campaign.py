"""Campaigns: specs, zarr stores, resumption after kill -9, dask clusters, failures, the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from assoc import DenseHebbian, Hopfield, assert_valid_result
from assoc.backend import has_cupy
from assoc.compare import compare, extrapolate_in_N
from assoc.models import ExampleHebbian, MultitaskingHebbian
from montecarlo import Campaign, Metropolis, campaign_status, open_campaign, simulate
from montecarlo.campaign import CampaignFailed, SpecError, StoreError
from montecarlo.campaign.cli import main as cli

pytest.importorskip("zarr", reason="campaign stores need zarr")

SPEC = {"model": {"name": "hopfield"}, "alpha": [0.05, 0.1], "N": [40, 60], "T": [0.2, 0.6],
        "samples": 4, "samples_per_task": 2, "sweeps": 12, "burn_in": 4, "seed": 7}


def _data(ds: xr.Dataset) -> xr.Dataset:
    """The results without provenance attrs (times, hosts) and the done mask."""
    return ds.drop_vars("done", errors="ignore").drop_attrs()


def _digest(path: pathlib.Path) -> str:
    """Hash of every file under ``path`` (names and bytes): 'left untouched' means equal."""
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        h.update(str(p.relative_to(path)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def _done_events(store: pathlib.Path) -> list[int]:
    lines = (store / ".campaign" / "log.jsonl").read_text().splitlines()
    return [json.loads(x)["task"] for x in lines if x.endswith("}") and '"done"' in x]


# -- one path for every model: the campaign equals simulate, bit for bit ---------------------
@pytest.mark.parametrize("model, controls, extra", [
    (Hopfield(), dict(alpha=[0.05, 0.1]), {}),
    (DenseHebbian(3), dict(alpha=[0.05]), {}),
    (MultitaskingHebbian(K=2), dict(d=[0.2, 0.5]), {"start": "parallel"}),
    (ExampleHebbian(K=2, protocol="unsupervised"), dict(d=[0.3], r=[0.6], M=[2, 3]),
     {"replicas": 2}),
])
def test_campaign_equals_simulate_for_every_model(tmp_path, model, controls, extra):
    N = [20, 24] if model.P == 3 else [40, 60]
    kw = dict(N=N, T=[0.0, 0.3], samples=3, sweeps=10, burn_in=3, seed=11, **extra)
    ref = simulate(model, **kw, **controls)
    spec = {"model": model.spec(), **kw, **controls, "samples_per_task": 2}
    ds = Campaign(spec).run(tmp_path / "c.zarr", progress=False)
    xr.testing.assert_identical(_data(ds[list(ref.data_vars)]), _data(ref))
    assert ds.done.all() and ds.attrs["tasks_done"] == ds.attrs["tasks_total"]
    assert_valid_result(ds)
    for kind in ("nc", "zarr"):
        p = tmp_path / f"back.{kind}"
        if kind == "nc":
            ds.to_netcdf(p)
        else:
            ds.to_zarr(p, consolidated=False)
        opener = xr.open_dataset if kind == "nc" else xr.open_zarr
        with opener(p, **({} if kind == "nc" else {"consolidated": False})) as back:
            xr.testing.assert_identical(back.load(), ds)


def test_tasks_blocks_and_keys():
    c = Campaign({**SPEC, "samples": 5, "samples_per_task": 2})
    assert len(c.tasks) == 2 * 2 * 3  # alpha x N x ceil(5 / 2)
    assert [t.samples for t in c.tasks[:3]] == [range(0, 2), range(2, 4), range(4, 5)]
    assert c.tasks[3].key == "alpha=0.05 N=60 samples=0-1"
    assert len({t.key for t in c.tasks}) == len(c.tasks)
    assert Campaign(c.spec).spec_hash == c.spec_hash  # canonical: a fixed point


def test_toml_spec_equals_dict_spec(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('model = {name = "dense", P = 3}\nalpha = 0.05\nN = [20, 24]\nT = [0.1]\n'
                 'samples = 2\nsweeps = 4\nseed = 1\ndynamics = {name = "metropolis", '
                 'order = "random"}\n')
    c = Campaign.from_toml(p)
    assert c.spec == Campaign({"model": {"name": "dense", "P": 3}, "alpha": [0.05],
                               "N": [20, 24], "T": 0.1, "samples": 2, "sweeps": 4, "seed": 1,
                               "dynamics": {"name": "metropolis", "order": "random"}}).spec
    assert c.spec["burn_in"] == 2 and c.spec["replicas"] == 2 and c.spec["start"] == "pattern"


@pytest.mark.parametrize("change, match", [
    ({"sweps": 3}, "unknown field 'sweps'"),
    ({"d": [0.1]}, "unknown field 'd'"),
    ({"seed": None}, "seed must be an integer >= 0"),
    ({"seed": -1}, "seed must be an integer >= 0"),
    ({"alpha": [0.05, -0.1]}, "alpha must be > 0"),
    ({"T": [0.1, float("nan")]}, "T must be >= 0.0, not NaN"),
    ({"N": [40, 1]}, r"N must be an integer >= 2 \(got 1\)"),
    ({"samples_per_task": 5}, r"samples_per_task must be an integer in \[1, 4\]"),
    ({"sweeps": 0}, "sweeps must be an integer >= 1"),
    ({"burn_in": -1}, "burn_in must be an integer >= 0"),
    ({"replicas": 0}, "replicas must be an integer >= 1"),
    ({"start": "hierarchical"}, "start must be one of 'pattern', 'random' for Hopfield"),
    ({"backend": "gpu"}, "backend must be one of"),
    ({"dynamics": "heatbath"}, "dynamics.name must be one of 'glauber', 'metropolis'"),
    ({"dynamics": {"name": "glauber", "order": "zigzag"}}, "dynamics.order must be one of"),
    ({"model": {"name": "dense", "P": 1}}, "model.P must be an integer >= 2"),
    ({"model": {"name": "hopfeld"}}, "model.name must be one of"),
    ({"model": {"name": "hopfield", "K": 3}}, "model.K is not a parameter of model 'hopfield'"),
    ({"alpha": [0.001]}, "alpha must give at least one pattern"),
])
def test_invalid_spec_is_rejected_before_any_task(tmp_path, change, match):
    spec = {**SPEC, **change}
    with pytest.raises(SpecError, match=match):
        Campaign(spec).run(tmp_path / "c.zarr")
    assert not (tmp_path / "c.zarr").exists()


def test_a_task_that_cannot_fit_is_refused_before_the_store_is_made(tmp_path):
    from assoc.errors import InsufficientMemoryError

    c = Campaign({**SPEC, "N": [40, 10**7]})  # valid: the memory is the running machine's
    with pytest.raises(InsufficientMemoryError, match="N is too large: N = 10000000"):
        c.run(tmp_path / "c.zarr")
    assert not (tmp_path / "c.zarr").exists()


@pytest.mark.skipif(has_cupy(), reason="checks a machine without a CUDA device")
def test_a_gpu_campaign_is_valid_anywhere_and_runs_in_process_only_with_a_device(tmp_path):
    c = Campaign({**SPEC, "backend": "cupy"})  # a client without a GPU may submit it
    assert c.grid.sampler.engine == "cuda" and c.spec["backend"] == "cupy"
    with pytest.raises(ValueError, match=r"CuPy and a CUDA device.*assoc-memory\[gpu\]"):
        c.run(tmp_path / "c.zarr")
    assert not (tmp_path / "c.zarr").exists()


def test_missing_fields_are_named():
    with pytest.raises(SpecError, match=r"missing field 'seed' \(a campaign needs a fixed seed"):
        Campaign({k: v for k, v in SPEC.items() if k != "seed"})
    with pytest.raises(SpecError, match="missing field 'r', 'M'"):
        Campaign({"model": {"name": "examples", "K": 2}, "d": 0.3, "N": 50, "T": 0.1,
                  "samples": 1, "sweeps": 2, "seed": 0})


# -- stores: never overwritten, refused when foreign or corrupt ---------------------------
def test_store_of_another_spec_and_corrupt_stores_are_refused_untouched(tmp_path):
    store = tmp_path / "c.zarr"
    Campaign(SPEC).run(store, progress=False)
    before = _digest(store)
    with pytest.raises(StoreError, match=r"made by another spec \(sweeps: 12 in the store, 13 "):
        Campaign({**SPEC, "sweeps": 13}).run(store)
    with pytest.raises(StoreError, match="exists .8 of 8 tasks done.; resume it"):
        Campaign(SPEC).run(store, resume=False)
    assert _digest(store) == before

    def corrupt(name, damage, match):
        bad = tmp_path / name
        import shutil

        shutil.copytree(store, bad)
        damage(bad)
        digest = _digest(bad)
        for call in (lambda: Campaign(SPEC).run(bad), lambda: open_campaign(bad),
                     lambda: campaign_status(bad)):
            with pytest.raises(StoreError, match=match):
                call()
        assert _digest(bad) == digest

    corrupt("spec", lambda p: (p / ".campaign" / "spec.json").write_text("{not json"),
            "corrupt campaign store .JSONDecodeError")
    corrupt("array", lambda p: (p / "m" / "zarr.json").unlink(), "corrupt campaign store")
    corrupt("chunk", lambda p: next((p / "q").rglob("c/*/*/*/*")).write_bytes(b"\0" * 7),
            "corrupt campaign store")
    corrupt("log", lambda p: (p / ".campaign" / "log.jsonl").write_text(
        '{"event": "done", "task": 1}\ngarbage\n{"event": "start"}\n'), "log line 2")
    corrupt("task", lambda p: (p / ".campaign" / "log.jsonl").write_text(
        '{"event": "done", "task": 99, "key": "x"}\n'), "task 99 is not a task of this spec")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "data.txt").write_text("mine")
    with pytest.raises(StoreError, match="is not a campaign store"):
        Campaign(SPEC).run(plain)
    assert (plain / "data.txt").read_text() == "mine" and len(list(plain.iterdir())) == 1


def test_torn_last_log_line_is_ignored_and_that_task_rerun(tmp_path):
    store = tmp_path / "c.zarr"
    full = Campaign(SPEC).run(store, progress=False)
    log = store / ".campaign" / "log.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    last_done = max(i for i, x in enumerate(lines) if '"done"' in x)
    log.write_text("".join(lines[:last_done]) + lines[last_done][:25])  # killed mid-append
    part = open_campaign(store)
    assert int(part.done.sum()) == part.done.size - 2  # one task of two samples is missing
    missing = (~part.done).broadcast_like(part.m).values
    assert missing.any() and np.isnan(part.m.values[missing]).all()
    again = Campaign(SPEC).run(store, progress=False)
    xr.testing.assert_identical(_data(again), _data(full))


def test_a_failing_task_is_retried_recorded_and_loses_nothing(tmp_path, monkeypatch):
    import montecarlo.campaign.execute as ex

    calls = []
    real = ex.compute_task

    def flaky(spec_json, index, attempt=1):
        calls.append((index, attempt))
        if index == 3:
            raise RuntimeError("disk on fire")
        if index == 5 and attempt == 1:
            raise OSError("transient")
        return real(spec_json, index, attempt)

    monkeypatch.setattr(ex, "compute_task", flaky)
    store = tmp_path / "c.zarr"
    with pytest.raises(CampaignFailed, match=r"(?s)1 of 8 tasks failed .*task 3 .*disk on fire"):
        Campaign(SPEC).run(store, progress=False, retries=2)
    assert calls.count((3, 3)) == 1 and (5, 2) in calls and (5, 3) not in calls
    st = campaign_status(store)
    assert (st.done, list(st.failed), st.pending) == (7, [3], 0)
    report = st.report(tracebacks=True)
    assert "failed task 3 (alpha=0.05 N=60 samples=2-3) after 3 attempt(s)" in report
    assert "RuntimeError: disk on fire" in report and "in flaky" in report
    part = open_campaign(store)
    assert part.attrs["tasks_failed"] == 1 and not part.done.all()
    monkeypatch.setattr(ex, "compute_task", real)
    done = Campaign(SPEC).run(store, progress=False)
    assert sorted(_done_events(store)) == list(range(8))  # only task 3 was computed again
    xr.testing.assert_identical(_data(done), _data(Campaign(SPEC).run(tmp_path / "b.zarr",
                                                                      progress=False)))


# -- kill -9 mid-run, then resume ----------------------------------------------------------
KILL_SPEC = """model = {name = "hopfield"}
alpha = [0.05, 0.08]
N = [150, 200, 250]
T = [0.2, 0.5]
samples = 8
samples_per_task = 1
sweeps = 60
seed = 3
"""


def test_kill_9_then_resume_is_bit_identical_and_recomputes_nothing(tmp_path):
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(KILL_SPEC)
    store = tmp_path / "spec.zarr"
    n_tasks = len(Campaign.from_toml(spec_path).tasks)  # 48
    proc = subprocess.Popen([sys.executable, "-m", "montecarlo.campaign.cli", "campaign", "run",
                             str(spec_path), "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if store.exists() and len(_done_events(store)) >= 6:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        status = campaign_status(store)
        assert status.running and status.eta_seconds is not None and status.eta_seconds > 0
        live = open_campaign(store)  # the partial Dataset while it runs
        assert 0 < int(live.done.sum()) < live.done.size
        assert (np.isnan(live.m) == ~live.done).all()  # missing points NaN, the rest values
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    killed_with = set(_done_events(store))
    assert 6 <= len(killed_with) < n_tasks
    assert not campaign_status(store).running
    resumed = Campaign.from_toml(spec_path).run(store, progress=False)
    events = _done_events(store)
    assert sorted(events) == list(range(n_tasks))  # each task finished exactly once
    log = [json.loads(x) for x in (store / ".campaign" / "log.jsonl").read_text().splitlines()
           if x.endswith("}")]
    assert [e["pending"] for e in log if e["event"] == "start"][-1] == n_tasks - len(killed_with)
    whole = Campaign.from_toml(spec_path).run(tmp_path / "whole.zarr", progress=False)
    xr.testing.assert_identical(_data(resumed), _data(whole))


# -- dask.distributed ----------------------------------------------------------------------
CLUSTER_SPEC = {"model": {"name": "hopfield"}, "alpha": [0.05], "N": [120, 200],
                "T": [0.2, 0.5], "samples": 6, "samples_per_task": 1, "sweeps": 80, "seed": 5}


def _warm_engine() -> None:
    """Load the kernels a worker's task uses (one thread, as campaign workers run)."""
    from assoc.seeding import normalize_seed
    from montecarlo.grid import Grid

    grid = Grid.build(Hopfield(), N=40, T=[0.2, 0.5], samples=1, sweeps=2,
                      controls={"alpha": 0.05})
    grid.run(normalize_seed(0), next(grid.points()), [0], threads=1)


def test_local_cluster_gives_the_same_dataset_and_survives_a_killed_worker(tmp_path):
    distributed = pytest.importorskip("distributed", reason="needs dask.distributed")
    inproc = Campaign(CLUSTER_SPEC).run(tmp_path / "a.zarr", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        # both workers load the engine's kernels first: the tasks take milliseconds, and one
        # worker would otherwise finish them all while the other is still starting
        client.run(_warm_engine)
        store = tmp_path / "b.zarr"
        out: dict = {}
        th = threading.Thread(target=lambda: out.update(ds=Campaign(CLUSTER_SPEC).run(
            store, client=client, progress=False)))
        th.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (not store.exists()
                                               or len(_done_events(store)) < 2):
            time.sleep(0.02)
        pids = client.run(os.getpid)
        victim = sorted(pids)[0]
        os.kill(pids[victim], signal.SIGKILL)  # a worker dies mid-campaign
        th.join(180)
        assert not th.is_alive()
        by_address = Campaign(CLUSTER_SPEC).run(tmp_path / "c.zarr", progress=False,
                                                scheduler=cluster.scheduler_address)
        xr.testing.assert_identical(_data(by_address), _data(inproc))
    assert len(_done_events(store)) == len(Campaign(CLUSTER_SPEC).tasks)
    xr.testing.assert_identical(_data(out["ds"]), _data(inproc))
    workers = {json.loads(x)["worker"] for x in (store / ".campaign" / "log.jsonl")
               .read_text().splitlines() if '"done"' in x}
    assert len(workers) >= 2  # the work was spread (and a restarted worker took over)


def test_gpu_tasks_land_only_on_workers_that_declare_the_resource(tmp_path):
    distributed = pytest.importorskip("distributed", reason="needs dask.distributed")
    spec = {**CLUSTER_SPEC, "N": [60], "sweeps": 6}

    async def start(address, **kw):
        return await distributed.Worker(address, nthreads=1, **kw)

    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as c, \
            distributed.Client(c) as client:
        plain = client.sync(start, c.scheduler_address)
        gpu = client.sync(start, c.scheduler_address, resources={"GPU": 1})
        client.wait_for_workers(2)
        Campaign(spec).run(tmp_path / "g.zarr", client=client, progress=False,
                           resources={"GPU": 1})
        client.sync(plain.close)
        client.sync(gpu.close)
    used = {json.loads(x)["worker"] for x in (tmp_path / "g.zarr" / ".campaign" / "log.jsonl")
            .read_text().splitlines() if '"done"' in x}
    assert used == {gpu.address}


def test_cli_on_a_local_cluster_of_workers(tmp_path, capsys):
    pytest.importorskip("distributed", reason="needs dask.distributed")
    spec = tmp_path / "spec.toml"
    spec.write_text(KILL_SPEC.replace("N = [150, 200, 250]", "N = [40, 60]")
                    .replace("samples = 8", "samples = 2"))
    assert cli(["campaign", "run", str(spec), "--workers", "2"]) == 0
    assert "dask dashboard: http" in capsys.readouterr().err
    xr.testing.assert_identical(
        _data(open_campaign(tmp_path / "spec.zarr")),
        _data(Campaign.from_toml(spec).run(tmp_path / "local.zarr", progress=False)))
    with pytest.raises(ValueError, match="give at most one of client, scheduler and workers"):
        Campaign.from_toml(spec).run(tmp_path / "x.zarr", workers=2, scheduler="tcp://x:1")
    with pytest.raises(ValueError, match=r"workers must be an integer >= 1 \(got 0\)"):
        Campaign.from_toml(spec).run(tmp_path / "x.zarr", workers=0)


def test_slurm_job_script_declares_the_gpu_resource():
    pytest.importorskip("dask_jobqueue", reason="needs dask-jobqueue")
    from montecarlo.campaign.cluster import slurm_cluster

    with slurm_cluster(cores=4, memory="16GB", walltime="02:00:00", gpus=1,
                       queue="gpu") as cluster:
        script = cluster.job_script()
    assert "#SBATCH --gres=gpu:1" in script and "#SBATCH -p gpu" in script
    assert "--resources GPU=1" in script  # one GPU task at a time per GPU worker
    with slurm_cluster(cores=4, memory="16GB", walltime="02:00:00") as cluster:
        script = cluster.job_script()
    assert "--nworkers 4" in script and "--nthreads 1" in script  # a process per core
    assert "GPU" not in script and "gres" not in script


# -- analysis and the command line ---------------------------------------------------------
def test_compare_works_on_a_campaign_dataset(tmp_path):
    from theory import hopfield

    spec = {**SPEC, "alpha": [0.05], "N": [100, 200], "T": [0.2], "sweeps": 30}
    Campaign(spec).run(tmp_path / "c.zarr", progress=False)
    ds = open_campaign(tmp_path / "c.zarr")
    z = compare(hopfield.solve(0.05, [0.2]), extrapolate_in_N(ds)).z_m
    assert z.dims == ("alpha", "T") and np.isfinite(z).all()


def test_cli_run_status_export_resume(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(KILL_SPEC.replace("N = [150, 200, 250]", "N = [40]")
                    .replace("samples = 8", "samples = 2"))
    assert cli(["campaign", "run", str(spec), "--no-progress"]) == 0
    assert "4 done, 0 failed, 0 pending of 4 tasks" in capsys.readouterr().out
    assert cli(["campaign", "run", str(spec), "--no-progress"]) == 2
    assert "exists (4 of 4 tasks done); resume it (resume=True, or --resume)" in \
        capsys.readouterr().err
    assert cli(["campaign", "run", str(spec), "--resume", "--no-progress"]) == 0
    assert cli(["campaign", "status", str(tmp_path / "spec.zarr")]) == 0
    assert "complete" in capsys.readouterr().out
    assert cli(["campaign", "export", str(tmp_path / "spec.zarr"), str(tmp_path / "o.nc")]) == 0
    with xr.open_dataset(tmp_path / "o.nc") as back:
        xr.testing.assert_identical(back.load(), open_campaign(tmp_path / "spec.zarr"))
    bad = tmp_path / "bad.toml"
    bad.write_text(KILL_SPEC.replace("sweeps = 60", "sweeps = -1"))
    assert cli(["campaign", "run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "sweeps must be an integer >= 1 (got -1)" in err
    assert not (tmp_path / "bad.zarr").exists()


@settings(max_examples=8)
@given(per_task=st.integers(1, 3), order=st.randoms(use_true_random=False))
def test_result_depends_on_neither_the_split_nor_the_order_of_tasks(per_task, order):
    """Tasks computed in any order, with any samples_per_task, fill the same Dataset."""
    import tempfile

    from montecarlo.campaign.execute import compute_task
    from montecarlo.campaign.store import CampaignStore

    spec = {**SPEC, "samples": 3, "samples_per_task": per_task, "N": [30], "T": [0.0, 0.4],
            "dynamics": {"name": "metropolis", "order": "random"}}
    c = Campaign(spec)
    tasks = list(c.tasks)
    order.shuffle(tasks)
    with tempfile.TemporaryDirectory() as d:
        st_ = CampaignStore.create(f"{d}/c.zarr", c, {})
        writer = st_.writer()
        for t in tasks:
            res = compute_task(c.spec_json, t.index)
            writer.write(t, res.arrays, res.record)
        ds = st_.dataset()
    ref = simulate(Hopfield(), N=30, alpha=[0.05, 0.1], T=[0.0, 0.4], samples=3, sweeps=12,
                   burn_in=4, seed=7, dynamics=Metropolis("random"))
    xr.testing.assert_identical(_data(ds), _data(ref))
