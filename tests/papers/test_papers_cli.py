import json
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from assoc import assert_valid_result
from montecarlo import open_campaign
from papers.__main__ import commands, main


def test_list_shows_every_command(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in commands():
        assert name in out
    assert "ags-phase-diagram" in out


def test_unknown_command_fails(capsys):
    assert main(["no-such-figure"]) == 2


def test_ags_phase_diagram_quick(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "papers", "ags-phase-diagram", "--quick", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "ags_phase_diagram.png").stat().st_size > 10_000
    for name in ("lines", "m", "mc"):
        with xr.open_dataset(tmp_path / f"ags_phase_diagram_{name}.nc") as ds:
            assert_valid_result(ds.load())
    with xr.open_dataset(tmp_path / "ags_phase_diagram_lines.nc") as lines:
        # T_g = 1 + sqrt(alpha) and T_M < T_g on the whole grid
        ok = lines.T_M.notnull().values
        assert ok.sum() > 10
        assert (lines.T_M.values[ok] < lines.T_g.values[ok]).all()
    store = tmp_path / "ags-phase-diagram-mc-quick-seed2024" / "mc.zarr"  # the MC campaign
    with xr.open_dataset(tmp_path / "ags_phase_diagram_mc.nc") as mc:
        xr.testing.assert_identical(mc.load().drop_attrs(),
                                    open_campaign(store).drop_vars("done").drop_attrs())


def test_figure_monte_carlo_reuses_finished_points(tmp_path):
    """papers._cli.monte_carlo: a campaign equal to simulate; a second run computes nothing."""
    from assoc.models import Hopfield
    from montecarlo import simulate
    from papers._cli import monte_carlo

    kw = dict(N=[40, 60], alpha=[0.05, 0.1], T=[0.2], samples=2, sweeps=8, seed=3)
    store = tmp_path / "mc.zarr"
    first = monte_carlo(Hopfield(), store, **kw)
    again = monte_carlo(Hopfield(), store, **kw)
    ref = simulate(Hopfield(), **kw)
    xr.testing.assert_identical(first.drop_attrs(), ref.drop_attrs())
    xr.testing.assert_identical(again.drop_attrs(), ref.drop_attrs())
    starts = [json.loads(x) for x in (store / ".campaign" / "log.jsonl").read_text()
              .splitlines() if '"start"' in x]
    assert [s["pending"] for s in starts] == [4, 0]


@pytest.mark.slow
def test_hopfield_rsb_lines_quick(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "papers", "hopfield-rsb-lines", "--quick", "--out",
         str(tmp_path)], capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "hopfield_rsb_lines.png").stat().st_size > 10_000
    with xr.open_dataset(tmp_path / "hopfield_rsb_lines.nc") as ds:
        ds = ds.load()
    assert_valid_result(ds)
    # T = 0: the 1RSB capacity (0.1381865) above the RS one (0.1379056); the AT line meets
    # the RS spinodal at a small T*, where the 1RSB spinodal joins it
    assert float(ds.alpha_c_rs[0]) == pytest.approx(0.1379055665, abs=1e-9)
    assert float(ds.alpha_c_1rsb[0]) == pytest.approx(0.1381865, abs=2e-7)
    assert 0.005 < ds.attrs["T_star"] < 0.03
    # the T = 0 gain is positive wherever RSB is resolved and RS exists (past the RS end
    # only 1RSB retrieval exists: no gain), and grows with the load
    g = ds.delta_f.values[ds.rsb.values & np.isfinite(ds.delta_f.values)]
    assert g.size >= 2 and (g > 0).all() and (np.diff(g) > 0).all()
