"""CLI of papers/dense_rsb (quick modes) and the committed capacity table."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from assoc import assert_valid_result
from papers.__main__ import commands

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_dense_commands_are_listed():
    for name in ("dense-capacity", "dense-phase-diagram", "dense-mc-crosscheck"):
        assert name in commands()


def _run(cmd, tmp_path, timeout=600, extra=()):
    proc = subprocess.run([sys.executable, "-m", "papers", cmd, "--quick", "--out",
                           str(tmp_path), *extra], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.slow
def test_dense_capacity_quick(tmp_path):
    out = _run("dense-capacity", tmp_path)
    assert "alpha_c RS" in out
    assert (tmp_path / "dense_capacity.png").stat().st_size > 10_000
    with xr.open_dataset(tmp_path / "dense_capacity.nc") as ds:
        ds = ds.load()
    assert_valid_result(ds)
    assert ds.converged_rs.all()
    # the capacity in units of the signal-to-noise scale 1/(P-1)! decreases with P
    scaled = ds.alpha_c_rs / ds.alpha_sn
    assert (np.diff(scaled.values) < 0).all()


@pytest.mark.slow
@pytest.mark.parametrize("P", [3, 4])
def test_dense_phase_diagram_quick(tmp_path, P):
    _run("dense-phase-diagram", tmp_path, extra=["--P", str(P)])
    stem = f"dense_phase_diagram_P{P}"
    assert (tmp_path / f"{stem}.png").stat().st_size > 10_000
    for name in ("rs", "1rsb", "mc"):
        with xr.open_dataset(tmp_path / f"{stem}_{name}.nc") as ds:
            assert_valid_result(ds.load())
    with xr.open_dataset(tmp_path / f"{stem}_rs.nc") as lines:
        ok = lines.converged_T_c.values
        assert ok.sum() >= 2
        assert (lines.T_c.values[ok] < lines.T_M.values[ok]).all()
        a_rs0 = float(lines.T_M_curve_alpha[0])
    with xr.open_dataset(tmp_path / f"{stem}_1rsb.nc") as rsb:
        a = rsb.rsb_spinodal_alpha.values
        T = rsb.T_rsb.values
        # the 1RSB retrieval spinodal starts at the 1RSB capacity, above the RS one, and
        # ends (at the join temperature) on the RS spinodal
        assert T[0] == 0 and a[0] == pytest.approx(rsb.attrs["alpha_c_T0"], rel=1e-9)
        assert a[0] > 1.05 * a_rs0
        assert 0 < rsb.attrs["rsb_join_T"] < 0.3
        assert np.isfinite(a).all()


def test_committed_capacity_table_has_rs_for_every_P_and_rsb_above_rs():
    text = (ROOT / "benchmarks" / "results" / "dense_capacity_table.txt").read_text()
    rows = [ln.split() for ln in text.splitlines() if ln[:2].strip().isdigit()]
    assert [int(r[0]) for r in rows] == list(range(3, 11))
    have = 0
    for r in rows:
        a_rs, a_rsb = float(r[1]), float(r[2])
        assert np.isfinite(a_rs) and a_rs > 0
        if np.isfinite(a_rsb):  # 1RSB where it was computed (at least P = 3, 4)
            assert a_rsb >= a_rs  # 1RSB capacity >= RS
            have += 1
    assert have >= 2


def test_committed_capacity_table_global_minimum_loads_match_independent_values():
    text = (ROOT / "benchmarks" / "results" / "dense_capacity_table.txt").read_text()
    rows = {int(r[0]): r for r in (ln.split() for ln in text.splitlines())
            if r and r[0].isdigit()}
    ref = json.loads((ROOT / "benchmarks" / "results"
                      / "dense_global_minimum_independent.json").read_text())["per_P"]
    for P in (3, 4, 5):
        a_rs, a_rsb = float(rows[P][12]), float(rows[P][13])
        assert a_rs == pytest.approx(ref[str(P)]["alpha_gm_rs"], rel=2e-6)
        assert a_rsb == pytest.approx(ref[str(P)]["alpha_gm_1rsb"], rel=2e-6)
        assert a_rs < float(rows[P][1]) and a_rsb < float(rows[P][2])  # below alpha_c


def test_committed_2rsb_table_matches_the_independent_derivations():
    """The engine's T = 0 2RSB capacities (``benchmarks/dense_capacity_2rsb.py``) against the
    engine-free ones (``benchmarks/hopfield_2rsb_independent.py`` for P = 2,
    ``dense_2rsb_independent.py`` for P = 3..5), both as committed; RS < 1RSB < 2RSB."""
    res = ROOT / "benchmarks" / "results"
    rows = {int(k): v for k, v in json.loads((res / "dense_capacity_2rsb.json").read_text())
            .items() if k.isdigit()}
    assert sorted(rows) == list(range(2, 11))
    for r in rows.values():
        assert r.get("converged", True)  # rows of early runs did not record it
        assert r["RS"] < r["1RSB"] < r["2RSB"]
    text = (res / "hopfield_2rsb_independent.txt").read_text()
    hop = [ln.split() for ln in text.splitlines() if ln.split()[:1] == ["2RSB"]]
    assert float(hop[-1][1]) == pytest.approx(rows[2]["2RSB"], abs=1e-12)
    dense_rows = {int(ln.split()[0]): ln.split() for ln in
                  (res / "dense_2rsb_independent.txt").read_text().splitlines()
                  if ln.split()[:1] in (["3"], ["4"], ["5"])}
    for P in (3, 4, 5):
        # the independent file prints 10 decimals
        assert float(dense_rows[P][4]) == pytest.approx(rows[P]["2RSB"], abs=6e-11)
