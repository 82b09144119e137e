"""``montecarlo.simulate`` for every model: Datasets, seeds, splits, controls and bad input."""

import tracemalloc

import numpy as np
import pytest
import xarray as xr

from assoc import DenseHebbian, Hopfield, assert_valid_result
from assoc.backend import has_cupy
from assoc.errors import InsufficientMemoryError
from assoc.models import ExampleHebbian, MultitaskingHebbian
from assoc.patterns import diluted
from assoc.seeding import normalize_seed
from montecarlo import Glauber, Metropolis, simulate
from montecarlo.grid import Grid
from montecarlo.point import family, point_memory

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


@pytest.mark.parametrize("model, controls", [
    (Hopfield(), dict(alpha=0.08)),
    (DenseHebbian(3), dict(alpha=0.05)),
    (MultitaskingHebbian(K=2), dict(d=0.3)),
    (ExampleHebbian(K=2, protocol="unsupervised"), dict(d=0.3, r=0.7, M=3)),
])
def test_samples_do_not_depend_on_the_other_samples_computed_beside_them(model, controls):
    """A campaign task runs a block of samples: each sample's result is the same as in the
    whole run, bit for bit (the engine's blocks, dtype and clipping never mix samples)."""
    grid = Grid.build(model, N=24 if model.P == 3 else 60, T=[0.0, 0.3], samples=5, sweeps=8,
                      burn_in=2, replicas=2, controls=controls)
    root = normalize_seed(9)
    p = next(grid.points())
    whole = grid.run(root, p, range(5))
    for block in ([3, 4], [1]):
        part = grid.run(root, p, block)
        for k, v in part.items():
            np.testing.assert_array_equal(v, whole[k][:, block], err_msg=k)


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


# -- multitasking networks and learning from examples, through the same simulate -----------
MT = dict(samples=2, sweeps=12, burn_in=4, seed=5)


def test_multitasking_dataset_conventions_and_netcdf(tmp_path):
    ds = simulate(MultitaskingHebbian(K=3), d=[0.2, 0.6], T=[0.0, 0.1], N=[60, 90], **MT)
    assert ds.m.dims == ("d", "T", "N", "sample", "pattern")
    assert ds.energy.dims == ("d", "T", "N", "sample")
    assert "q" not in ds  # one replica by default
    assert_valid_result(ds)
    ex = simulate(ExampleHebbian(K=2, protocol="unsupervised"), d=0.3, T=0.1, N=80,
                  r=[0.5, 0.9], M=[2, 3], replicas=2, **MT)
    assert ex.n.dims == ("d", "r", "M", "T", "N", "sample", "pattern")
    assert ex.q.dims == ("d", "r", "M", "T", "N", "sample")
    assert ex.M.dtype == np.int64 and ex.attrs["protocol"] == "unsupervised"
    for x in (ds, ex):
        p = tmp_path / "x.nc"
        x.to_netcdf(p)
        with xr.open_dataset(p) as back:
            xr.testing.assert_identical(back.load(), x)


def test_multitasking_reproducible_split_independent_and_nested_examples():
    model = ExampleHebbian(K=2)
    full = simulate(model, d=0.3, T=[0.05, 0.2], N=70, r=0.6, M=[3, 4], **MT)
    part = simulate(model, d=0.3, T=0.2, N=70, r=0.6, M=4, **MT)
    xr.testing.assert_identical(full.m.sel(T=[0.2], M=[4]), part.m)
    root = normalize_seed(5)
    uns = ExampleHebbian(K=2, protocol="unsupervised")
    _, X3, _ = family(uns).patterns(uns, root, dict(d=0.3, r=0.6, M=3), 70, [0])
    _, X4, _ = family(uns).patterns(uns, root, dict(d=0.3, r=0.6, M=4), 70, [0])
    np.testing.assert_array_equal(X4.reshape(1, 2, 4, 70)[:, :, :3], X3.reshape(1, 2, 3, 70))


def test_examples_come_from_one_stream_per_sample(monkeypatch):
    """A million examples are one pass of one generator per sample, not a million streams
    (issue 15: M = 10**6 ran past 90 s building per-example streams); the uniforms are
    shared by every r (the examples at r < r' flip a superset of the sites)."""
    import montecarlo.point as point

    made = []
    real = point.stream_rng
    monkeypatch.setattr(point, "stream_rng", lambda *a: made.append(a) or real(*a))
    xi = np.stack([diluted(3, 50, 0.0, seed=s) for s in range(2)])
    root = normalize_seed(1)
    eta = point._examples(root, 7, xi, 0.5, 10**6 // 50, [0, 4])
    assert eta.shape == (2, 3, 20000, 50) and len(made) == 2
    # chi = +1 with probability (1 + r)/2
    assert abs(float((eta * xi[:, :, None]).mean()) - 0.5) < 0.01
    lo, hi = (point._examples(root, 7, xi, r, 30, [0]) * xi[:1, :, None] for r in (0.2, 0.8))
    assert np.all(lo[hi == -1] == -1) and (lo == -1).sum() > (hi == -1).sum()


def test_multitasking_energy_is_exact_at_zero_temperature():
    """Hierarchical start at T = 0, d < d_H: the configuration is a fixed point; the energy
    per spin equals -(1/2N^2) sum (M^2 - sum xi^2) of the recorded overlaps."""
    ds = simulate(MultitaskingHebbian(K=2), d=0.3, T=0.0, N=400, samples=3, sweeps=4,
                  burn_in=0, seed=2)
    m = ds.m.isel(d=0, T=0, N=0)
    e = ds.energy.isel(d=0, T=0, N=0)
    assert np.all(ds.tau_int_m == 0.5)  # a fixed point: constant series
    np.testing.assert_allclose(e, -0.5 * (m**2).sum("pattern") + 2 * 0.7 / (2 * 400), atol=0.01)


# -- bad input: refused before any work, naming the parameter ------------------------------
@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(alpha=-0.1), r"alpha must be > 0"),
        (dict(alpha=float("nan")), "alpha must be > 0.0, not NaN"),
        (dict(T=-1.0), "T must be >= 0"),
        (dict(T=float("nan")), "not NaN"),
        (dict(T=[0.1, 0.1]), "T must not repeat a value"),
        (dict(N=1), r"N must be an integer >= 2 \(got 1\)"),
        (dict(N=100.5), "N must be an integer"),
        (dict(samples=0), r"samples must be an integer >= 1 \(got 0\)"),
        (dict(sweeps=0), "sweeps must be"),
        (dict(start="ground"), "start must be one of 'pattern', 'random' for Hopfield"),
        (dict(start="hierarchical"), "start must be one of 'pattern', 'random'"),
        (dict(backend="tpu"), "backend must be one of"),
        pytest.param(dict(backend="cupy"), r"backend='cupy' needs CuPy and a CUDA device",
                     marks=pytest.mark.skipif(has_cupy(), reason="a device is present")),
        (dict(backend="cupy", engine="numpy"), "engine must be 'auto' or 'cuda' with backend"),
        (dict(alpha=0.001), "alpha must give at least one pattern"),
        (dict(d=0.3), "unknown control d: Hopfield takes the control"),
        (dict(alpha=None), "alpha must be a value or a 1-D sequence of values"),
    ],
)
def test_bad_input(kw, match):
    args = dict(N=100, alpha=0.05, T=0.5, samples=1, sweeps=2, seed=0)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        simulate(Hopfield(), **args)


def test_missing_controls_and_model_specific_checks():
    base = dict(N=50, T=0.1, samples=1, sweeps=2)
    with pytest.raises(ValueError, match="missing control alpha: Hopfield takes"):
        simulate(Hopfield(), **base)
    with pytest.raises(ValueError, match="missing control r, M: ExampleHebbian takes"):
        simulate(ExampleHebbian(K=2), d=0.3, **base)
    with pytest.raises(ValueError, match="unknown control alpha: MultitaskingHebbian takes"):
        simulate(MultitaskingHebbian(K=2), d=0.3, alpha=0.1, **base)
    with pytest.raises(ValueError, match="unknown control M, r: MultitaskingHebbian"):
        simulate(MultitaskingHebbian(K=2), d=0.3, r=0.5, M=3, **base)
    with pytest.raises(ValueError, match=r"d must be in \[0.0, 1.0\)"):
        simulate(MultitaskingHebbian(K=2), d=1.0, **base)
    with pytest.raises(ValueError, match=r"r must be in \(0.0, 1.0\]"):
        simulate(ExampleHebbian(K=2), d=0.3, r=0.0, M=2, **base)
    with pytest.raises(ValueError, match=r"M must be an integer >= 1"):
        simulate(ExampleHebbian(K=2), d=0.3, r=0.5, M=0, **base)
    with pytest.raises(ValueError, match="K must be an integer >= 1"):
        MultitaskingHebbian(K=0)
    with pytest.raises(ValueError, match=r"N must be an integer >= 3 for DenseHebbian\(P=3\)"):
        simulate(DenseHebbian(3), N=2, alpha=1.0, **{k: v for k, v in base.items() if k != "N"})
    with pytest.raises(ValueError, match="model must be one of"):
        simulate("hopfield", alpha=0.1, **base)
    with pytest.raises(ValueError, match="dynamics must be a Glauber or Metropolis"):
        simulate(Hopfield(), alpha=0.1, dynamics="glauber", **base)


@pytest.mark.parametrize("N", [10**7, 10**9])
def test_sizes_that_cannot_fit_are_refused_at_once(N):
    """N = 1e7 at alpha = 0.05 needs tens of TiB: refused from the estimate, naming N, before
    a pattern is drawn (the call returns in milliseconds, not after allocating)."""
    with pytest.raises(InsufficientMemoryError, match="N is too large") as err:
        simulate(Hopfield(), N=N, alpha=0.05, T=0.1, samples=2, sweeps=1, seed=0)
    assert err.value.parameter == "N" and err.value.needed > 2**40


def test_too_many_samples_names_samples(monkeypatch):
    import montecarlo.memory as mem

    monkeypatch.setattr(mem, "available_memory", lambda: 2**30)
    with pytest.raises(InsufficientMemoryError, match=r"samples is too large: .* use samples <= "
                                                      r"\d+ \(a Campaign runs"):
        simulate(Hopfield(), N=20000, alpha=0.05, T=0.1, samples=64, sweeps=1, seed=0)


@pytest.mark.parametrize("model, controls, N, samples, T", [
    (Hopfield(), dict(alpha=0.1), 3000, 3, [0.0, 0.3]),
    (DenseHebbian(3), dict(alpha=0.05), 60, 2, [0.2]),
    (MultitaskingHebbian(K=3), dict(d=0.4), 4000, 2, [0.1]),
    (ExampleHebbian(K=2, protocol="unsupervised"), dict(d=0.2, r=0.5, M=6), 3000, 2, [0.1]),
    (ExampleHebbian(K=2), dict(d=0.2, r=0.5, M=200), 6000, 2, [0.1]),  # int16 sums
])
@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_memory_estimate_bounds_the_measured_peak(model, controls, N, samples, T, engine):
    """The estimate is an upper bound of the traced peak (NumPy reports to tracemalloc) and
    not a wild one (within 4x plus the fixed 32 MiB allowance for Philox chunks)."""
    grid = Grid.build(model, N=N, T=T, samples=samples, sweeps=6, burn_in=2, replicas=2,
                      engine=engine, controls=controls)
    p = next(grid.points())
    est = point_memory(model, grid.sampler, p.controls, N, samples)
    grid.run(normalize_seed(1), p, range(1))  # compiles and builds the tables: not the point's
    tracemalloc.start()
    try:
        grid.run(normalize_seed(1), p, range(samples))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= est <= 4 * peak + 2**25, (peak, est)


# Digests of `m` (float64 bytes, in the dims order of the time) computed at commit a181b51 by
# the functions this simulate replaced: `simulate` and `simulate_multitasking` with
# samples=3, sweeps=12, burn_in=4, seed=5. Equal digests: the same seeds, keys, chains and
# statistics, bit for bit, through the one code path (CHANGELOG: "No seed stream changed").
# The two learning-from-examples digests were recomputed when the examples moved to one
# disorder stream per sample (CHANGELOG: "examples: one stream per sample"); the other three
# are a181b51's.
OLD = [
    (Hopfield(), dict(N=[40, 60], alpha=[0.05, 0.1], T=[0.0, 0.5]),
     ("alpha", "T", "N", "sample"), "2c1b618a0344b10f"),
    (DenseHebbian(3), dict(N=[20, 25], alpha=0.05, T=[0.0, 0.2]),
     ("alpha", "T", "N", "sample"), "2241dc4244ad6e54"),
    (MultitaskingHebbian(K=3), dict(d=[0.2, 0.6], T=[0.0, 0.1], N=[60, 90]),
     ("d", "T", "N", "sample", "pattern"), "2202beb5eec9279d"),
    (ExampleHebbian(K=2), dict(d=0.3, T=[0.05, 0.1], N=80, r=[0.5, 0.9], M=[2, 3]),
     ("d", "T", "r", "M", "N", "sample", "pattern"), "287e79c9ecd8ce42"),
    (ExampleHebbian(K=2, protocol="unsupervised"),
     dict(d=0.3, T=[0.05, 0.1], N=80, r=[0.5, 0.9], M=[2, 3]),
     ("d", "T", "r", "M", "N", "sample", "pattern"), "bdef85d2e2888bf5"),
]


@pytest.mark.parametrize("model, kw, old_dims, digest", OLD)
def test_results_of_the_functions_it_replaced_are_reproduced_bit_for_bit(model, kw, old_dims,
                                                                          digest):
    import hashlib

    ds = simulate(model, samples=3, sweeps=12, burn_in=4, seed=5, **kw)
    m = np.ascontiguousarray(ds.m.transpose(*old_dims).values)
    assert hashlib.sha256(m.tobytes()).hexdigest()[:16] == digest
