"""Bad input gets a clear error naming the parameter and its valid range; backends agree."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import assoc.modern as am
from assoc.backend import has_cupy, resolve_backend, to_numpy

X = np.eye(3, 4)
XI = np.ones((2, 4))

FUNCS = [
    ("energy", lambda xi, X, beta: am.energy(xi, X, beta)),
    ("update", lambda xi, X, beta: am.update(xi, X, beta)),
    ("iterate", lambda xi, X, beta: am.iterate(xi, X, beta)),
    ("classify", lambda xi, X, beta: am.classify_fixed_point(xi, X, beta)),
    ("bound", lambda xi, X, beta: am.retrieval_error_bound(xi, X, beta, 0)),
]


@pytest.mark.parametrize("name, f", FUNCS, ids=[n for n, _ in FUNCS])
def test_mismatched_dimensions(name: str, f) -> None:
    with pytest.raises(ValueError, match=r"last dimension 5 but the stored patterns have "
                                         r"dimension d = 4"):
        f(np.ones((2, 5)), X, 1.0)


@pytest.mark.parametrize("name, f", FUNCS, ids=[n for n, _ in FUNCS])
@pytest.mark.parametrize("beta", [0.0, -1.0, np.nan, np.inf])
def test_beta_must_be_positive_and_finite(name: str, f, beta: float) -> None:
    with pytest.raises(ValueError, match="beta must be"):
        f(XI, X, beta)


@pytest.mark.parametrize("name, f", FUNCS, ids=[n for n, _ in FUNCS])
def test_empty_pattern_set(name: str, f) -> None:
    with pytest.raises(ValueError, match=r"X must hold at least one pattern: N >= 1"):
        f(XI, np.empty((0, 4)), 1.0)


@pytest.mark.parametrize("name, f", FUNCS, ids=[n for n, _ in FUNCS])
def test_nan_in_patterns(name: str, f) -> None:
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="X must be finite: pattern 2 holds NaN"):
        f(XI, bad, 1.0)


def test_other_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"X must be a 2-d array .* \(N, d\)"):
        am.update(XI, np.ones(4), 1.0)
    with pytest.raises(ValueError, match="xi must be finite"):
        am.update(np.full(4, np.nan), X, 1.0)
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        am.update(XI, X, 1.0, steps=-1)
    with pytest.raises(ValueError, match="beta must be a scalar"):
        am.update(XI, X, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="max_steps must be an integer >= 1"):
        am.iterate(XI, X, 1.0, max_steps=0)
    with pytest.raises(ValueError, match=r"i must be a pattern index in \[0, 2\]"):
        am.retrieval_error_bound(XI, X, 1.0, 3)
    with pytest.raises(ValueError, match="backend must be one of"):
        am.Hopfield(input_size=4, backend="jax")


def test_torch_adapter_is_optional() -> None:
    """Without torch the library imports, and the adapter says how to install it."""
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ImportError('torch blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import assoc.modern as am, assoc.modern.torch_adapter as ta\n"
        "assert not ta.has_torch()\n"
        "try:\n    ta.to_torch(am.Hopfield(input_size=4, seed=0))\n"
        "except ImportError as e:\n    assert 'pip install torch' in str(e)\n"
        "else:\n    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.gpu
@pytest.mark.skipif(not has_cupy(), reason="needs CuPy and a CUDA device")
def test_cupy_equals_numpy_engine() -> None:
    """The NumPy engine is the specification (STYLE 5): CuPy gives the same numbers."""
    cp = resolve_backend("cupy")
    rng = np.random.default_rng(0)
    X, xi = rng.normal(size=(64, 16)), rng.normal(size=(5, 7, 16))
    for f in (lambda a, b: am.update(a, b, 0.8, steps=3), lambda a, b: am.energy(a, b, 0.8),
              lambda a, b: am.iterate(a, b, 0.8).xi):
        np.testing.assert_allclose(to_numpy(f(cp.asarray(xi), cp.asarray(X))), f(xi, X),
                                   rtol=1e-10, atol=1e-12)
    res = am.classify_fixed_point(cp.asarray(xi), cp.asarray(X), 0.8)
    np.testing.assert_array_equal(res.k, am.classify_fixed_point(xi, X, 0.8).k)
    s = rng.choice(np.array([-1, 1], np.int8), size=(6, 40))
    P = rng.choice(np.array([-1, 1], np.int8), size=(30, 40))
    for F in (am.Polynomial(3), am.Exponential()):
        np.testing.assert_array_equal(
            to_numpy(am.async_update(cp.asarray(s), cp.asarray(P), F)), am.async_update(s, P, F))
    layer = am.Hopfield(input_size=16, num_heads=4, update_steps_max=2, seed=1, backend="cupy")
    host = am.Hopfield(input_size=16, num_heads=4, update_steps_max=2, seed=1)
    np.testing.assert_allclose(to_numpy(layer(cp.asarray(xi))), host(xi), atol=1e-12)


# ----------------------------------------------------------------------------------------
# bad input that was accepted, or refused by an error naming nothing, before the assoc.modern
# table of tests/api_inputs_modern.py (each case names the parameter and the value now)
# ----------------------------------------------------------------------------------------
TRUTHY = pytest.mark.parametrize("bad", ["no", 1, None])


@TRUTHY
def test_switches_must_be_bools(bad) -> None:
    """A string or a number was silently truthy (or falsy) before."""
    with pytest.raises(TypeError, match="raise_on_failure must be True or False"):
        am.iterate(XI, X, 1.0, raise_on_failure=bad)
    with pytest.raises(TypeError, match="iterate_first must be True or False"):
        am.classify_fixed_point(XI, X, 1.0, iterate_first=bad)
    with pytest.raises(TypeError, match="return_flips must be True or False"):
        am.async_update(np.ones(4), np.ones((2, 4)), am.Polynomial(3), return_flips=bad)
    with pytest.raises(TypeError, match="rectified must be True or False"):
        am.Polynomial(3, rectified=bad)
    with pytest.raises(TypeError, match="bias must be True or False"):
        am.Hopfield(input_size=4, bias=bad)
    with pytest.raises(TypeError, match="lookup_weights_as_separated must be True or False"):
        am.HopfieldLayer(input_size=4, lookup_weights_as_separated=bad)
    with pytest.raises(TypeError, match="stored_pattern_as_static must be True or False"):
        am.HopfieldLayer(input_size=4, stored_pattern_as_static=bad)


@pytest.mark.parametrize("call, match", [
    # scalars given as arrays: "only 0-dimensional arrays can be converted" before
    (lambda: am.iterate(XI, X, 1.0, tol=[0.1, 0.1]), "tol must be a single number"),
    (lambda: am.classify_fixed_point(XI, X, 1.0, mass=[0.5, 0.5]), "mass must be a single"),
    (lambda: am.Hopfield(input_size=4, scaling=[0.5, 0.5]), "scaling must be a single"),
    (lambda: am.min_separated_beta(1.0, 3, [1.0, 1.0]), "M must be a single number"),
    (lambda: am.demircigil_capacity(20, [0.1, 0.1]), "rho must be a single number"),
    (lambda: am.modern_bound_check([2], [2], [1.0], radius=[1.0, 1.0]), "radius must be"),
    # grids given as a non-iterable or empty: "'float' object is not iterable" / accepted
    (lambda: am.modern_retrieval([2], [4], 0.0, [0.0]), r"beta must be > 0\.0 \(got 0\.0\)"),
    (lambda: am.dense_retrieval([], [8], [0.0], am.Polynomial(3)), "K must not be empty"),
    (lambda: am.modern_separation_capacity([[2, 3]]), "d must be an integer or a 1-d"),
    # arrays that are no real arrays: errors naming nothing, or silently accepted
    (lambda: am.energy(XI, [[1.0, 0.0], [1.0]], 1.0), "X must be a 2-d array of real"),
    (lambda: am.update(["a"] * 4, X, 1.0), "xi must be an array of real states"),
    (lambda: am.energy(XI, X + 1j, 1.0), "X must be .* dtype complex128"),
    (lambda: am.lse(None), "v must be an array of real numbers"),
    (lambda: am.lse([]), "v must not be empty"),
    (lambda: am.softmax([1.0, np.nan]), r"v must be real and < inf .* nan"),
    (lambda: am.softmax([1.0, 2.0], axis=1.5), r"axis must be an integer in \[-1, 0\]"),
    (lambda: am.mass_count([0.5, np.nan]), "p must hold finite weights >= 0"),
    (lambda: am.mass_count([0.5, -0.1]), "p must hold finite weights >= 0"),
    (lambda: am.mass_count([[0.5, 0.5], [0.0, 0.0]]), "p must have a positive sum"),
    (lambda: am.dense_energy(np.ones(4, dtype=bool), np.ones((2, 4)), am.Polynomial(3)),
     "sigma must be an integer or real array of"),
    (lambda: am.dense_fields(np.ones(4), np.ones((2, 4)), am.Polynomial),
     "F must be .* got the class Polynomial itself"),
    # theorems
    (lambda: am.separation_threshold(0, 1.0, 1.0), r"N must be >= 1"),
    (lambda: am.separation_threshold(2.5, 1.0, 1.0), r"N must be an integer >= 1 \(got 2\.5\)"),
    (lambda: am.fixed_point_radius(np.zeros((3, 2)), 1.0), "X must hold a pattern of norm > 0"),
    (lambda: am.well_separated(np.zeros((3, 2)), 1.0), "X must hold a pattern of norm > 0"),
    (lambda: am.min_separated_beta(np.nan, 3, 1.0), "Delta must be finite, not NaN"),
    (lambda: am.min_separated_beta("x", 3, 1.0), "Delta must be a real number"),
    (lambda: am.retrieval_error_bound(XI, X, 1.0, 1.5), "i must be an integer index"),
    (lambda: am.retrieval_error_bound(XI, X, 1.0, True), "i must be an integer index"),
    (lambda: am.retrieval_error_bound(XI, X, 1.0, [0, 0, 0]), "i of shape"),
    (lambda: am.retrieval_error_bound(XI, X, 1.0, 0, fixed_point=np.full((2, 4), np.nan)),
     r"fixed_point must be finite .* fixed_point\[0, 0\] = nan"),
    # dense theory and experiments
    (lambda: am.demircigil_capacity(20, 0.1, success=np.nan), "success must be in"),
    (lambda: am.demircigil_capacity(20, 0.1, success=0.0), "success must be in"),
    (lambda: am.demircigil_capacity(20, 0.1, margin=-3), "margin must be an integer >= 0"),
    (lambda: am.demircigil_capacity(20, 0.1, margin=2.5), "margin must be an integer >= 0"),
    (lambda: am.krotov_hopfield_capacity(100.0, "x"), "n must be an integer"),
    (lambda: am.fit_krotov_hopfield(None), "ds must be an xarray.Dataset"),
    (lambda: am.fit_demircigil(xr.Dataset()), "ds must be a dense_capacity"),
    # layers
    (lambda: am.HopfieldPooling(input_size=4, dtype="x"), "dtype must be a floating dtype"),
    (lambda: am.Hopfield(input_size=0), r"input_size must be an integer >= 1 \(got 0\)"),
])
def test_bad_input_is_refused_naming_the_parameter(call, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_seed_is_checked_whatever_the_order() -> None:
    """async_update ignored a bad seed with order='sequential'; a Generator is not drawn from."""
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        am.async_update(np.ones(4), np.ones((2, 4)), am.Polynomial(3), seed=-1)
    rng = np.random.default_rng(5)
    am.async_update(np.ones(4), np.ones((2, 4)), am.Polynomial(3), seed=rng)
    assert rng.random() == np.random.default_rng(5).random()


def test_dense_capacity_checks_dynamics() -> None:
    """An unknown dynamics ran the asynchronous dynamics before."""
    with pytest.raises(ValueError, match="dynamics must be one of 'sync', 'async'"):
        am.dense_capacity([8], am.Polynomial(3), samples=1, queries=2, scan=3, seed=1,
                          dynamics="synchronous")


def test_single_values_are_one_point_grids() -> None:
    """A single K, N, beta or noise is a grid of one point (a TypeError before)."""
    a = am.modern_retrieval(2, 4, 1.0, 0.0, samples=1, queries=1, seed=1)
    b = am.modern_retrieval([2], [4], [1.0], [0.0], samples=1, queries=1, seed=1)
    assert a.identical(b)
