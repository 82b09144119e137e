import numpy as np
import pytest
import xarray as xr

from assoc import Hopfield, assert_valid_result
from montecarlo import Glauber, Metropolis, simulate

KW = dict(samples=2, sweeps=20, burn_in=5, seed=3)


def test_dataset_shape_conventions_and_netcdf(tmp_path):
    ds = simulate(Hopfield(), N=[40, 60], alpha=[0.05, 0.1], T=[0.0, 0.5], **KW)
    assert ds.m.dims == ("alpha", "T", "N", "sample")
    assert ds.sizes == {"alpha": 2, "T": 2, "N": 2, "sample": 2}
    assert ds.K.sel(alpha=0.1, N=60) == 6
    assert_valid_result(ds)
    for v in ("m", "q", "energy"):
        assert np.all(np.isfinite(ds[v])) and np.all(ds[f"{v}_err"] >= 0)
    assert np.all(ds.tau_int_m >= 0.5)
    p = tmp_path / "mc.nc"
    ds.to_netcdf(p)
    with xr.open_dataset(p) as back:
        xr.testing.assert_identical(back.load(), ds)


def test_reproducible_and_independent_of_the_grid_split():
    full = simulate(Hopfield(), N=50, alpha=0.06, T=[0.2, 0.6], **KW)
    part = simulate(Hopfield(), N=50, alpha=0.06, T=0.6, **KW)
    xr.testing.assert_identical(full.m.sel(T=[0.6]), part.m)
    again = simulate(Hopfield(), N=50, alpha=0.06, T=[0.2, 0.6], **KW)
    xr.testing.assert_identical(full.drop_attrs(), again.drop_attrs())
    other = simulate(Hopfield(), N=50, alpha=0.06, T=[0.2, 0.6], **{**KW, "seed": 4})
    assert not np.array_equal(full.m.values, other.m.values)


def test_low_temperature_retrieval_and_random_start():
    ds = simulate(Hopfield(), N=200, alpha=0.02, T=0.0, samples=2, sweeps=10, seed=1)
    assert np.all(ds.m > 0.99)  # T = 0 at low load: the pattern is a fixed point (SNR)
    assert np.all(ds.q > 0.99)
    hot = simulate(Hopfield(), N=200, alpha=0.02, T=3.0, samples=2, sweeps=40, seed=1,
                   start="random", dynamics=Metropolis("random"))
    assert np.all(np.abs(hot.m) < 0.3) and np.all(np.abs(hot.q) < 0.3)


def test_single_replica_has_no_q():
    ds = simulate(Hopfield(), N=30, alpha=0.1, T=0.5, replicas=1, dynamics=Glauber(), **KW)
    assert "q" not in ds and "m" in ds


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(alpha=-0.1), r"alpha must be > 0"),
        (dict(alpha=float("nan")), "alpha must be > 0.0, not NaN"),
        (dict(T=-1.0), "T must be >= 0"),
        (dict(T=float("nan")), "not NaN"),
        (dict(N=1), r"N must be an integer >= 2 \(got 1\)"),
        (dict(N=100.5), "N must be an integer"),
        (dict(samples=0), r"samples must be an integer >= 1 \(got 0\)"),
        (dict(sweeps=0), "sweeps must be"),
        (dict(start="ground"), "start must be one of"),
        (dict(backend="tpu"), "backend must be one of"),
        (dict(alpha=0.001), "alpha must give at least one pattern"),
    ],
)
def test_bad_input(kw, match):
    args = dict(N=100, alpha=0.05, T=0.5, samples=1, sweeps=2, seed=0)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        simulate(Hopfield(), **args)
