"""Bad input gets a clear error naming the parameter and its valid range; backends agree."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

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
