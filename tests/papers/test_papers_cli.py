import subprocess
import sys

import xarray as xr

from assoc import assert_valid_result
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
