"""The CLOOB figures (papers/cloob): cloob-bounds in quick mode; cloob-views' views, one short
training, the refusal without PyTorch, and (slow) its quick mode."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import xarray as xr

from assoc import assert_valid_result
from papers.__main__ import commands
from papers._cli import complete


def test_commands_are_listed() -> None:
    assert {"cloob-bounds", "cloob-views"} <= set(commands())


def test_bounds_quick(tmp_path, capsys) -> None:
    assert commands()["cloob-bounds"][0](["--quick", "--out", str(tmp_path)]) == 0
    assert "(a) MI estimates" in capsys.readouterr().out
    assert complete(tmp_path, "cloob-bounds")
    assert (tmp_path / "cloob_bounds.png").stat().st_size > 10_000
    for k in ("mi", "saturation", "enrichment"):
        with xr.open_dataset(tmp_path / f"cloob_bounds_{k}.nc") as ds:
            assert_valid_result(ds.load())
    with xr.open_dataset(tmp_path / "cloob_bounds_mi.nc") as mi:
        assert (mi.infonce <= mi.log_N).all()
        assert float(mi.infoloob.sel(N=16, mi=8.0)) > 8.0


def test_views_are_seeded_corruptions() -> None:
    from papers.cloob.views import MASK, view_a, view_b

    x = np.random.default_rng(0).random((50, 64))
    a1, a2 = view_a(x, np.random.default_rng(1)), view_a(x, np.random.default_rng(1))
    np.testing.assert_array_equal(a1, a2)
    b = view_b(x, np.random.default_rng(2))
    assert a1.shape == b.shape == x.shape
    # view B without noise is a cyclic shift by at most one pixel along each axis
    from papers.cloob import views

    old = views.NOISE_B
    try:
        views.NOISE_B = 0.0
        b0 = views.view_b(x, np.random.default_rng(3)).reshape(-1, 8, 8)
    finally:
        views.NOISE_B = old
    im = x.reshape(-1, 8, 8)
    shifts = [(r, c) for r in (-1, 0, 1) for c in (-1, 0, 1)]
    assert all(any(np.array_equal(b0[k], np.roll(im[k], s, axis=(0, 1))) for s in shifts)
               for k in range(50))
    kept = np.random.default_rng(1).random(x.shape) >= MASK
    assert 0.4 < kept.mean() < 0.6


def test_one_short_training_run() -> None:
    pytest.importorskip("torch", reason="cloob-views needs PyTorch (optional)")
    pytest.importorskip("sklearn", reason="the digits ship with scikit-learn (extra 'data')")
    from assoc.seeding import normalize_seed
    from assoc.structured import load_digits
    from papers.cloob.views import train_and_evaluate

    images, labels = load_digits()
    images = images.reshape(len(images), -1) / 16.0
    idx = np.random.default_rng(0).permutation(len(images))
    args = (images, labels, idx[:512], idx[512:712], 2, normalize_seed(1), 0)
    r = train_and_evaluate("cloob", 0.1, *args)
    assert r["loss"].shape == (2,) and np.isfinite(r["loss"]).all()
    assert 0.0 <= r["top1"] <= 1.0 and r["zeroshot"] > 0.15  # above chance (0.1)
    again = train_and_evaluate("cloob", 0.1, *args)
    assert again["top1"] == r["top1"] and np.array_equal(again["loss"], r["loss"])


def test_views_without_torch_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    with pytest.raises(SystemExit) as info:
        commands()["cloob-views"][0](["--quick", "--out", str(tmp_path)])
    assert info.value.code == 2
    assert "needs PyTorch" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_views_quick(tmp_path) -> None:
    pytest.importorskip("torch", reason="cloob-views needs PyTorch (optional)")
    pytest.importorskip("sklearn", reason="the digits ship with scikit-learn (extra 'data')")
    assert commands()["cloob-views"][0](["--quick", "--out", str(tmp_path)]) == 0
    assert complete(tmp_path, "cloob-views")
    with xr.open_dataset(tmp_path / "cloob_views.nc") as ds:
        ds = ds.load()
    assert_valid_result(ds)
    assert set(ds.objective.values) == {"clip", "cloob"}
    assert (ds.zeroshot > 0.15).all()
    assert (ds.loss.isel(epoch=-1) < ds.loss.isel(epoch=0)).all()
