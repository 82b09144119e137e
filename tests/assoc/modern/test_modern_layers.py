"""Hopfield layers: equal to softmax attention when configured as attention, and more."""

from __future__ import annotations

import numpy as np
import pytest

import assoc.modern as am
from assoc.backend import resolve_backend, to_numpy
from assoc.modern.layers import Hopfield, HopfieldLayer, HopfieldPooling

RAW = dict(
    normalize_stored_pattern=False,
    normalize_state_pattern=False,
    normalize_pattern_projection=False,
)


def _randomise(layer: object, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for k, v in layer.params.items():
        layer.params[k] = rng.normal(size=v.shape) / np.sqrt(v.shape[0])


def _attention(q, k, v, P, H, mask=None):
    """Reference multi-head softmax attention (Vaswani et al. 2017), written directly."""
    Q, K, V = q @ P["W_Q"] + P["b_Q"], k @ P["W_K"] + P["b_K"], v @ P["W_V"] + P["b_V"]
    dk, dv = Q.shape[-1] // H, V.shape[-1] // H
    heads = []
    for h in range(H):
        s = Q[..., h * dk:(h + 1) * dk] @ np.swapaxes(K[..., h * dk:(h + 1) * dk], -1, -2)
        s = s / np.sqrt(dk)
        if mask is not None:
            s = np.where(mask, -np.inf, s)
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        heads.append(a @ V[..., h * dv:(h + 1) * dv])
    return np.concatenate(heads, -1) @ P["W_O"] + P["b_O"]


@pytest.mark.parametrize("H", [1, 2, 4])
def test_layer_equals_softmax_attention(H: int, backend: str) -> None:
    E = 16
    layer = Hopfield(input_size=E, num_heads=H, seed=1, **RAW)
    _randomise(layer, 2)
    rng = np.random.default_rng(3)
    q, kv = rng.normal(size=(3, 5, E)), rng.normal(size=(3, 9, E))
    ref = _attention(q, kv, kv, layer.params, H)
    xp = resolve_backend(backend)
    layer.params = {k: xp.asarray(v) for k, v in layer.params.items()}
    out = to_numpy(layer(xp.asarray(kv), xp.asarray(q)))
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)
    assert np.abs(ref).max() > 0.1  # a meaningful comparison


def test_masks_remove_associations() -> None:
    E, H = 8, 2
    layer = Hopfield(input_size=E, num_heads=H, seed=4, **RAW)
    _randomise(layer, 5)
    rng = np.random.default_rng(6)
    q, kv = rng.normal(size=(2, 3, E)), rng.normal(size=(2, 7, E))
    pad = np.zeros((2, 7), dtype=bool)
    pad[:, 5:] = True
    np.testing.assert_allclose(
        layer(kv, q, stored_pattern_padding_mask=pad),
        _attention(q, kv[:, :5], kv[:, :5], layer.params, H), atol=1e-12)
    causal = np.triu(np.ones((3, 7), dtype=bool), k=1)
    np.testing.assert_allclose(
        layer(kv, q, association_mask=causal),
        _attention(q, kv, kv, layer.params, H, mask=causal), atol=1e-12)
    # a fully masked state gets zero weights, not NaN
    out, w = layer.association(kv, q, stored_pattern_padding_mask=np.ones((2, 7), bool))
    assert np.isfinite(out).all() and (w == 0).all()


def test_update_steps_iterate_the_hopfield_update_per_head() -> None:
    """With identity projections, the state follows assoc.modern.update in key space."""
    d, H = 6, 1
    layer = Hopfield(input_size=d, num_heads=H, scaling=2.0, update_steps_max=3,
                     update_steps_eps=0.0, stored_pattern_as_static=True,
                     state_pattern_as_static=True, pattern_projection_as_static=True,
                     disable_out_projection=True, **RAW)
    rng = np.random.default_rng(7)
    Y, R = rng.normal(size=(10, d)), rng.normal(size=(4, d))
    xi = am.update(R, Y, 2.0, steps=3)
    expected = am.update(xi, Y, 2.0)  # final association with values = stored patterns
    np.testing.assert_allclose(layer(Y, R), expected, atol=1e-12)


def test_pooling_and_layer_are_hopfield_with_learned_inputs() -> None:
    E = 8
    pool = HopfieldPooling(E, quantity=3, num_heads=2, seed=8)
    Y = np.random.default_rng(9).normal(size=(2, 6, E))
    full = Hopfield(input_size=E, num_heads=2, seed=8)
    full.params = {k: v for k, v in pool.params.items() if k != "pooling_weights"}
    np.testing.assert_allclose(pool(Y), full(Y, np.broadcast_to(pool.params["pooling_weights"],
                                                                   (2, 3, E))), atol=1e-13)
    mem = HopfieldLayer(E, quantity=5, num_heads=2, seed=10)
    R = np.random.default_rng(11).normal(size=(2, 4, E))
    W = mem.params["lookup_weights"]
    ref = Hopfield(input_size=E, num_heads=2, stored_pattern_size=E, pattern_projection_size=E,
                   stored_pattern_as_static=True, pattern_projection_as_static=True, seed=10)
    ref.params = {k: v for k, v in mem.params.items() if k != "lookup_weights"}
    np.testing.assert_allclose(mem(R), ref(np.broadcast_to(W, (2, 5, E)), R), atol=1e-13)
    assert mem(R).shape == (2, 4, E)
    sep = HopfieldLayer(E, quantity=5, lookup_weights_as_separated=True, seed=1)
    assert "target_weights" in sep.params


def test_seeded_initialisation_is_reproducible() -> None:
    a, b = Hopfield(input_size=8, seed=3), Hopfield(input_size=8, seed=3)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    c = Hopfield(input_size=8, seed=4)
    assert not np.array_equal(a.params["W_Q"], c.params["W_Q"])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: Hopfield(input_size=8)(np.ones((2, 5, 7))), "feature size 7"),
        (lambda: Hopfield(input_size=8)(np.ones((2, 5, 8)), np.ones((2, 3, 6))), "feature size 6"),
        (lambda: Hopfield(input_size=8)(np.ones((2, 0, 8))), "at least one pattern"),
        (lambda: Hopfield(input_size=8, scaling=0.0), "scaling must be > 0"),
        (lambda: Hopfield(input_size=8, num_heads=3), "divisible by num_heads"),
        (lambda: Hopfield(input_size=8, num_heads=0), "num_heads must be an integer >= 1"),
        (lambda: Hopfield(input_size=8)(np.ones((2, 5, 8)),
                                        stored_pattern_padding_mask=np.ones((2, 4), bool)),
         "stored_pattern_padding_mask must have shape"),
        (lambda: HopfieldPooling(8, quantity=0), "quantity must be an integer >= 1"),
    ],
)
def test_layers_reject_bad_input(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()
