"""The Hopular command (papers/hopular): listed, its quick mode, its folds and seeds, and the
refusal without PyTorch."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import xarray as xr

from assoc import assert_valid_result
from papers.__main__ import commands
from papers._cli import complete


def test_command_is_listed() -> None:
    assert "hopular-tabular" in commands()


def test_quick(tmp_path, capsys) -> None:
    torch = pytest.importorskip("torch", reason="hopular-tabular needs PyTorch (optional)")
    pytest.importorskip("sklearn", reason="the tables ship with scikit-learn (extra 'data')")
    threads = torch.get_num_threads()
    assert commands()["hopular-tabular"][0](["--quick", "--out", str(tmp_path)]) == 0
    assert torch.get_num_threads() == threads
    text = capsys.readouterr().out
    assert "iris" in text and "diabetes" in text and "rmse" in text
    assert complete(tmp_path, "hopular-tabular")
    with xr.open_dataset(tmp_path / "hopular_tabular.nc") as ds:
        ds = ds.load()
    assert_valid_result(ds)
    assert ds.score.dims == ("data", "learner", "split") and ds.sizes["split"] == 2
    assert list(ds.learner.values) == ["hopular", "gbdt", "mlp", "mlp_es"]
    iris = ds.score.sel(data="iris")
    assert ((iris >= 0) & (iris <= 1)).all() and float(iris.sel(learner="gbdt").mean()) > 0.8
    assert np.isnan(ds.rmse.sel(data="iris")).all()
    assert (ds.rmse.sel(data="diabetes") > 0).all()
    assert str(ds.metric.sel(data="diabetes").values) == "r2"
    assert (tmp_path / "hopular_tabular.txt").read_text() in text


def test_folds_are_shared_and_seeded() -> None:
    pytest.importorskip("sklearn", reason="the tables ship with scikit-learn (extra 'data')")
    from assoc.seeding import normalize_seed
    from papers.hopular.tabular import DIGITS_ROWS, load, splits

    root = normalize_seed(3)
    X, y = load("wine", root)
    a, b = splits("wine", y, 5, root), splits("wine", y, 5, normalize_seed(3))
    for (tr, te), (_, te2) in zip(a, b, strict=True):
        np.testing.assert_array_equal(te, te2)
        assert np.intersect1d(tr, te).size == 0 and tr.size + te.size == len(y)
        # stratified: every class in every test fold
        assert set(np.unique(y[te])) == set(np.unique(y))
    assert not np.array_equal(a[0][1], splits("wine", y, 5, normalize_seed(4))[0][1])
    np.testing.assert_array_equal(np.sort(np.concatenate([te for _, te in a])),
                                  np.arange(len(y)))
    Xd, yd = load("digits", root)
    assert Xd.shape == (DIGITS_ROWS, 64) and np.array_equal(load("digits", root)[1], yd)
    with pytest.raises(ValueError, match="name"):
        load("titanic", root)


def test_without_torch_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    with pytest.raises(SystemExit) as info:
        commands()["hopular-tabular"][0](["--quick", "--out", str(tmp_path)])
    assert info.value.code == 2
    assert "needs torch" in capsys.readouterr().err


def test_committed_table_is_the_full_mode() -> None:
    from pathlib import Path

    from papers.hopular.tabular import DATASETS, METHODS

    text = (Path(__file__).resolve().parents[2] / "benchmarks" / "results"
            / "hopular_tabular.txt").read_text()
    assert "5-fold CV" in text and "200 full-batch AdamW epochs" in text
    rows = [r.split() for r in text.splitlines() if not r.startswith("#")]
    assert rows[0] == ["data", "n", "p", "metric", *METHODS, "hop-gbdt"]
    assert [r[0] for r in rows[1:] if r[0] != "rmse"] == list(DATASETS)
