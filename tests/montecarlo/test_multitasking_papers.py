"""Quick runs of the multitasking figure scripts (papers.multitasking), slow-marked."""

import subprocess
import sys

import pytest
import xarray as xr

from assoc import assert_valid_result


@pytest.mark.slow
@pytest.mark.parametrize("command, files", [
    ("multitasking-overlaps", ["multitasking_overlaps_theory_K2.nc",
                               "multitasking_overlaps_mc_K3.nc"]),
    ("multitasking-regimes", ["multitasking_regimes_K2.nc", "multitasking_boundaries.nc"]),
    ("multitasking-learning", ["multitasking_learning_mc.nc",
                               "multitasking_learning_theory_unsupervised.nc"]),
])
def test_quick_figure_scripts(tmp_path, command, files):
    proc = subprocess.run([sys.executable, "-m", "papers", command, "--quick", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    png = tmp_path / (command.replace("-", "_") + ".png")
    assert png.stat().st_size > 10_000
    for name in files:
        with xr.open_dataset(tmp_path / name) as ds:
            assert_valid_result(ds.load())
    if command == "multitasking-regimes":
        text = (tmp_path / "multitasking_regimes.txt").read_text()
        assert "0.6180339887" in text and "0.5469181607" in text
        assert " agree" in text and "DISAGREE" not in text
