"""papers.modern_hopfield: the commands are registered and run in --quick mode."""

from __future__ import annotations

import pytest
import xarray as xr

from assoc.dataset import assert_valid_result


def test_commands_are_registered() -> None:
    from papers.__main__ import commands

    found = commands()
    for name in ("modern-hopfield-capacity", "modern-hopfield-landscape",
                 "modern-hopfield-metastable"):
        assert name in found and callable(found[name][0])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["modern-hopfield-capacity", "modern-hopfield-landscape",
                                  "modern-hopfield-metastable"])
def test_quick_runs_write_valid_outputs(name: str, tmp_path) -> None:
    from papers.__main__ import commands

    assert commands()[name][0](["--quick", "--out", str(tmp_path)]) == 0
    ncs = sorted(tmp_path.glob("*.nc"))
    assert ncs and sorted(tmp_path.glob("*.png"))
    for f in ncs:
        with xr.open_dataset(f) as ds:
            assert_valid_result(ds)
