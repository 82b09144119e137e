"""Parity with ml-jku/hopfield-layers ("hflayers"), the reference implementation.

Every case of :mod:`tests.assoc.modern.hflayers_cases` (each option of hflayers' Hopfield,
HopfieldPooling, HopfieldLayer, HopfieldEncoderLayer and HopfieldDecoderLayer) runs
hflayers with perturbed weights, copies them into this package's NumPy layer and torch
module (:func:`assoc.modern.hflayers_compat.load_hflayers`) and compares outputs,
association matrices and projected patterns to 1e-10 in float64. With hflayers installed
(``pip install "hopfield-layers @ git+https://github.com/ml-jku/hopfield-layers"``) the
reference is computed live; otherwise it is read from ``data/hflayers_reference.npz``
(written by ``python -m tests.assoc.modern.hflayers_cases``).
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import replace

import numpy as np
import pytest

from assoc.modern import layers
from tests.assoc.modern import hflayers_cases as hc

LIVE = importlib.util.find_spec("hflayers") is not None \
    and importlib.util.find_spec("torch") is not None
TOL = 1e-10  # float64; the observed differences are below 4e-15
NAMES = list(hc.CASES)


@pytest.fixture(autouse=True)
def _keep_torch_generator():
    """hflayers draws its initial weights from torch's global generator: leave it as it was
    for the tests that follow."""
    if importlib.util.find_spec("torch") is None:
        yield
        return
    import torch

    with torch.random.fork_rng(devices=[]):
        yield


@functools.cache
def _reference(name: str) -> dict[str, np.ndarray]:
    if LIVE:
        return hc.reference(hc.CASES[name])
    return hc.load_reference(name)


def _compare(got: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> None:
    assert got
    for key, value in got.items():
        np.testing.assert_allclose(np.asarray(value), ref[key], rtol=0, atol=TOL, err_msg=key)


@pytest.mark.parametrize("name", NAMES)
def test_numpy_layer_equals_hflayers(name: str) -> None:
    ref = _reference(name)
    _compare(hc.ours(hc.CASES[name], ref), ref)


@pytest.mark.parametrize("name", NAMES)
def test_torch_module_equals_hflayers(name: str) -> None:
    pytest.importorskip("torch")
    case = hc.CASES[name]
    ref = _reference(name)
    # dropout draws are compared live only: the file's were drawn by one torch version
    got = hc.ours_torch(case, ref, train=case.dropout_train and LIVE)
    _compare(got, ref)


def test_reference_file_is_small_and_complete() -> None:
    assert hc.REFERENCE.stat().st_size < 1_000_000
    with np.load(hc.REFERENCE) as f:
        names = {k.split("/", 1)[0] for k in f.files}
    assert names == set(hc.CASES)


@pytest.mark.skipif(not LIVE, reason="needs hflayers (git+https://github.com/ml-jku/"
                                     "hopfield-layers) and torch")
def test_reference_file_is_current() -> None:
    """The committed file is what hflayers computes today (regenerate it otherwise)."""
    for name in ("defaults_cross", "update_steps_early_stop", "lookup_separated_sizes"):
        live, stored = hc.reference(hc.CASES[name]), hc.load_reference(name)
        for key in ("out", "weights"):
            np.testing.assert_allclose(stored[key], live[key], rtol=0, atol=1e-13)


def test_early_stopping_is_per_head() -> None:
    """In 'update_steps_early_stop' the heads stop at different steps (hflayers' criterion:
    each head on the change of its association matrix), so no common number of steps for
    all heads gives the same output."""
    name = "update_steps_early_stop"
    ref = _reference(name)
    layer = hc.build(hc.CASES[name], ref)
    Y, R, P = ref["stored"], ref["state"], ref["projection"]
    out = layer(Y, R, P)
    np.testing.assert_allclose(out, ref["out"], rtol=0, atol=TOL)
    c = layer.config
    common = []
    for steps in range(7):
        layer.config = replace(c, update_steps_max=(steps,) * c.num_heads,
                               update_steps_eps=(0.0,) * c.num_heads)
        common.append(np.abs(layer(Y, R, P) - out).max())
    assert min(common) > 1e-6, common


@pytest.mark.skipif(not LIVE, reason="needs hflayers and torch")
def test_trainable_flags_match_hflayers() -> None:
    import hflayers
    import torch  # noqa: F401

    from assoc.modern import torch_layers

    for kind, kwargs, names in (
        ("HopfieldPooling", dict(input_size=4, quantity=2, trainable=False),
         ("pooling_weights",)),
        ("HopfieldLayer", dict(input_size=4, quantity=3, trainable=False,
                               lookup_weights_as_separated=True,
                               lookup_targets_as_trainable=False),
         ("lookup_weights", "target_weights")),
        ("HopfieldLayer", dict(input_size=4, quantity=3, lookup_weights_as_separated=True,
                               lookup_targets_as_trainable=False),
         ("lookup_weights", "target_weights")),
    ):
        theirs = getattr(hflayers, kind)(**kwargs)
        ours = getattr(torch_layers, kind)(seed=0, **kwargs)
        for n in names:
            assert getattr(ours, n).requires_grad == getattr(theirs, n).requires_grad, (kind, n)


@pytest.mark.skipif(not LIVE, reason="needs hflayers and torch")
def test_headwise_scaling_against_hflayers_tensor_scaling() -> None:
    """Documented difference: ``scaling[h]`` scales head h; hflayers' per-head tensor
    multiplies feature j of the projected state by scaling[j % num_heads], which is the
    same only with one feature per head (hidden_size=1, no update step)."""
    import hflayers
    import torch

    from assoc.modern.hflayers_compat import load_hflayers

    x = torch.tensor(np.random.default_rng(0).normal(size=(2, 5, 4)))
    for hidden, same in ((1, True), (2, False)):
        kw = dict(input_size=4, hidden_size=hidden, num_heads=2)
        theirs = hflayers.Hopfield(scaling=torch.tensor([0.3, 2.5], dtype=torch.float64),
                                     **kw).double()
        hc._perturb(theirs, 0)
        ours = load_hflayers(layers.Hopfield(scaling=[0.3, 2.5], seed=0, **kw), theirs)
        with torch.no_grad():
            diff = np.abs(ours(x.numpy()) - theirs(x).numpy()).max()
        assert (diff < TOL) == same, (hidden, diff)


def test_spec_dropout_matches_hflayers_draw() -> None:
    """The spec's association dropout (training) with the keep mask torch drew for
    hflayers gives hflayers' training output (also in the NumPy-only run)."""
    ref = _reference("dropout")
    got = hc.ours(hc.CASES["dropout"], ref)
    np.testing.assert_allclose(got["out_train"], ref["out_train"], rtol=0, atol=TOL)
    assert np.abs(ref["out_train"] - ref["out"]).max() > 1e-3
    assert isinstance(hc.build(hc.CASES["dropout"], ref), layers.Hopfield)
