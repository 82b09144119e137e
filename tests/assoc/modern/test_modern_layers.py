"""Hopfield layers: equal to softmax attention when configured as attention, and more."""

from __future__ import annotations

import numpy as np
import pytest

import assoc.modern as am
from assoc.backend import resolve_backend, to_numpy
from assoc.modern.layers import Hopfield, HopfieldLayer, HopfieldPooling
from assoc.modern.transformer import HopfieldDecoderLayer, HopfieldEncoderLayer

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
    pool = HopfieldPooling(E, num_heads=2, quantity=3, seed=8)
    Y = np.random.default_rng(9).normal(size=(2, 6, E))
    full = Hopfield(input_size=E, num_heads=2, seed=8)
    full.params = {k: v for k, v in pool.params.items() if k != "pooling_weights"}
    np.testing.assert_allclose(pool(Y), full(Y, np.broadcast_to(pool.params["pooling_weights"],
                                                                   (2, 3, E))), atol=1e-13)
    mem = HopfieldLayer(E, num_heads=2, quantity=5, seed=10)
    R = np.random.default_rng(11).normal(size=(2, 4, E))
    W = mem.params["lookup_weights"]
    ref = Hopfield(input_size=E, num_heads=2, seed=10)
    ref.params = {k: v for k, v in mem.params.items() if k != "lookup_weights"}
    np.testing.assert_allclose(mem(R), ref(np.broadcast_to(W, (2, 5, E)), R), atol=1e-13)
    assert mem(R).shape == (2, 4, E)
    sep = HopfieldLayer(E, quantity=5, lookup_weights_as_separated=True,
                        pattern_projection_size=3, seed=1)
    assert sep.params["target_weights"].shape == (5, 3)
    assert sep.get_projected_pattern_matrix(R).shape == (2, 1, 5, 8)


def test_hflayers_defaults() -> None:
    """Defaults of ml-jku/hopfield-layers: beta = 1/sqrt(d_k) (1 in a purely static
    association), projected learned patterns, sizes from input_size."""
    assert Hopfield(input_size=8, num_heads=2).config.scaling == (0.5, 0.5)
    static = Hopfield(input_size=8, num_heads=2, stored_pattern_as_static=True,
                      state_pattern_as_static=True, pattern_projection_as_static=True,
                      disable_out_projection=True, **RAW)
    assert static.config.scaling == (1.0, 1.0) and static.config.hidden_size == 8
    assert static.params == {}  # nothing to learn
    mem = HopfieldLayer(input_size=8, quantity=4)
    assert not mem.config.stored_static and not mem.config.projection_static
    assert mem.params["lookup_weights"].shape == (4, 8)
    mem_static = HopfieldLayer(input_size=8, num_heads=2, quantity=4,
                               stored_pattern_as_static=True, pattern_projection_as_static=True)
    assert mem_static.params["lookup_weights"].shape == (4, 4)  # hidden_size, shared by heads
    c = Hopfield(input_size=8, stored_pattern_size=6).config
    assert (c.stored_size, c.projection_size, c.output_size) == (6, 8, 8)


def test_static_patterns_shared_or_split_between_heads() -> None:
    """A static input of the per-head size is shared by all heads (hflayers), one of
    num_heads times that size is split into one slice per head."""
    rng = np.random.default_rng(0)
    Y, R = rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 3, 8))
    shared = Hopfield(input_size=8, num_heads=2, stored_pattern_as_static=True,
                      stored_pattern_size=4, pattern_projection_size=4, seed=1, **RAW)
    assert shared.config.shared("stored")
    w = shared.get_association_matrix(Y, R, Y)
    one = Hopfield(input_size=8, num_heads=2, stored_pattern_as_static=True,
                   stored_pattern_size=8, pattern_projection_size=4, seed=1, **RAW)
    one.params = shared.params
    w2 = one.get_association_matrix(np.concatenate([Y, Y], -1), R, Y)  # both heads see Y
    np.testing.assert_allclose(w, w2, atol=1e-14)
    assert not one.config.shared("stored")


def test_float_masks_are_added_to_the_logits() -> None:
    E, H = 8, 2
    layer = Hopfield(input_size=E, num_heads=H, seed=4, **RAW)
    _randomise(layer, 5)
    rng = np.random.default_rng(6)
    q, kv = rng.normal(size=(2, 3, E)), rng.normal(size=(2, 7, E))
    add = np.full((3, 7), -1.5)
    add[:, 0] = 0.0
    w0 = layer.get_association_matrix(kv, q)
    w = layer.get_association_matrix(kv, q, association_mask=add)
    expected = w0 * np.exp(add)
    np.testing.assert_allclose(w, expected / expected.sum(-1, keepdims=True), atol=1e-14)
    # -inf in a float mask removes like True in a boolean one; masks combine
    boolean = rng.random((2, 3, 7)) < 0.3
    boolean[..., 0] = False
    pad = np.zeros((2, 7), dtype=bool)
    pad[1, 3] = True
    np.testing.assert_allclose(
        layer(kv, q, association_mask=np.where(boolean, -np.inf, 0.0),
              stored_pattern_padding_mask=np.where(pad, -np.inf, 0.0)),
        layer(kv, q, association_mask=boolean, stored_pattern_padding_mask=pad), atol=1e-14)


def test_per_head_masks() -> None:
    """(B, H, S, L) masks per head, also in hflayers' (B * H, S, L) layout."""
    E, H = 8, 2
    layer = Hopfield(input_size=E, num_heads=H, seed=4, **RAW)
    _randomise(layer, 5)
    rng = np.random.default_rng(7)
    q, kv = rng.normal(size=(2, 3, E)), rng.normal(size=(2, 7, E))
    m = rng.uniform(-2, 0, size=(2, H, 3, 7))
    w = layer.get_association_matrix(kv, q, association_mask=m)
    np.testing.assert_allclose(
        layer.get_association_matrix(kv, q, association_mask=m.reshape(2 * H, 3, 7)), w,
        atol=1e-15)
    for h in range(H):  # head h sees its own mask
        wh = layer.get_association_matrix(kv, q, association_mask=m[:, h])[:, h]
        np.testing.assert_allclose(w[:, h], wh, atol=1e-15)
    np.testing.assert_allclose(  # (B, 1, S, L): one mask per batch entry for all heads
        layer.get_association_matrix(kv, q, association_mask=m[:, :1]),
        layer.get_association_matrix(kv, q, association_mask=m[:, 0]), atol=1e-15)
    with pytest.raises(ValueError, match="association_mask must have shape"):
        layer(kv, q, association_mask=np.zeros((3, H, 3, 7)))
    with pytest.raises(TypeError, match="association_mask must be boolean"):
        layer(kv, q, association_mask=np.zeros((3, 7), dtype=int))
    with pytest.raises(ValueError, match="association_mask must hold values < inf"):
        layer(kv, q, association_mask=np.full((3, 7), np.nan))


def test_update_steps_per_head_and_to_convergence() -> None:
    E = 8
    rng = np.random.default_rng(3)
    Y, R = rng.normal(size=(2, 6, E)), rng.normal(size=(2, 3, E))
    mixed = Hopfield(input_size=E, num_heads=2, scaling=[0.5, 3.0], update_steps_max=[0, 2],
                     update_steps_eps=0.0, seed=2)
    w = mixed.get_association_matrix(Y, R)
    for h, (beta, steps) in enumerate(((0.5, 0), (3.0, 2))):
        one = Hopfield(input_size=E, num_heads=2, scaling=beta, update_steps_max=steps,
                       update_steps_eps=0.0, seed=2)
        np.testing.assert_allclose(one.get_association_matrix(Y, R)[:, h], w[:, h],
                                   atol=1e-14)
    conv = Hopfield(input_size=E, num_heads=2, scaling=3.0, update_steps_max=None,
                    update_steps_eps=1e-12, seed=2)
    far = Hopfield(input_size=E, num_heads=2, scaling=3.0, update_steps_max=200,
                   update_steps_eps=1e-12, seed=2)
    np.testing.assert_allclose(conv(Y, R), far(Y, R), atol=1e-12)
    with pytest.raises(ValueError, match="update_steps_eps must be > 0"):
        Hopfield(input_size=E, update_steps_max=None, update_steps_eps=0.0)
    with pytest.raises(ValueError, match=r"update_steps_max\[1\] must be an integer >= 0"):
        Hopfield(input_size=E, num_heads=2, update_steps_max=[1, -1])
    with pytest.raises(ValueError, match="scaling must be a single number or a sequence"):
        Hopfield(input_size=E, num_heads=2, scaling=[1.0, 2.0, 3.0])


def test_options() -> None:
    """batch_first, zero association, activation, dropout, hopfield-space normalisation."""
    E = 8
    rng = np.random.default_rng(4)
    Y, R = rng.normal(size=(2, 6, E)), rng.normal(size=(2, 3, E))
    a = Hopfield(input_size=E, num_heads=2, seed=5)
    b = Hopfield(input_size=E, num_heads=2, batch_first=False, seed=5)
    np.testing.assert_allclose(b(Y.swapaxes(0, 1), R.swapaxes(0, 1)), a(Y, R).swapaxes(0, 1),
                               atol=1e-15)
    z = Hopfield(input_size=E, num_heads=2, add_zero_association=True, seed=5)
    out, w = z.association(Y, R)
    assert w.shape == (2, 2, 3, 7)
    np.testing.assert_allclose(z.get_projected_pattern_matrix(Y, R)[..., -1, :], 0.0)
    t = Hopfield(input_size=E, num_heads=2, association_activation="tanh", seed=5)
    np.testing.assert_allclose(t(Y, R), np.tanh(a(Y, R)), atol=1e-15)
    d = Hopfield(input_size=E, num_heads=2, dropout=0.5, seed=5)
    np.testing.assert_allclose(d(Y, R), a(Y, R), atol=1e-15)  # evaluation: no dropout
    np.testing.assert_array_equal(d(Y, R, training=True, seed=1), d(Y, R, training=True, seed=1))
    assert np.abs(d(Y, R, training=True, seed=1) - a(Y, R)).max() > 1e-3
    hs = Hopfield(input_size=E, num_heads=2, normalize_hopfield_space=True,
                  normalize_hopfield_space_affine=True, seed=5)
    assert hs.params["ln_hopfield_weight"].shape == (4,)
    with pytest.raises(ValueError, match="association_activation must be None or one of"):
        Hopfield(input_size=E, association_activation="gelu")
    with pytest.raises(ValueError, match=r"dropout must be in \[0.0, 1.0\)"):
        Hopfield(input_size=E, dropout=1.0)


def test_encoder_and_decoder_blocks() -> None:
    E = 8
    rng = np.random.default_rng(5)
    x, mem = rng.normal(size=(2, 5, E)), rng.normal(size=(2, 7, E))
    enc = HopfieldEncoderLayer(Hopfield(input_size=E, num_heads=2, seed=0),
                               dim_feedforward=16, seed=1)
    out = enc(x)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.mean(-1), 0.0, atol=1e-12)  # ends in a layer norm
    causal = np.triu(np.ones((5, 5), dtype=bool), k=1)
    assert enc.get_association_matrix(x).shape == (2, 2, 5, 5)
    assert not np.allclose(enc(x, src_mask=causal), out)
    assert np.abs(enc(x, training=True, seed=0) - out).max() > 1e-3
    dec = HopfieldDecoderLayer(Hopfield(input_size=E, seed=0), Hopfield(input_size=E, seed=1),
                               dim_feedforward=16, activation="tanh", seed=2)
    assert dec(x, mem).shape == x.shape
    with pytest.raises(TypeError, match="hopfield_association must be an assoc.modern"):
        HopfieldEncoderLayer(HopfieldPooling(E))
    with pytest.raises(ValueError, match="hopfield_association must map its input"):
        HopfieldEncoderLayer(Hopfield(input_size=E, output_size=4))
    with pytest.raises(ValueError, match="activation must be one of"):
        HopfieldEncoderLayer(Hopfield(input_size=E), activation="softmax")


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
        (lambda: Hopfield(input_size=8, num_heads=2)(np.ones((2, 5, 8)),
                                                     association_mask=np.ones((2, 2, 4, 5), bool)),
         "association_mask must have shape"),
        (lambda: HopfieldLayer(8, quantity=2, pattern_projection_size=3),
         "pattern_projection_size must equal stored_pattern_size"),
        (lambda: Hopfield(input_size=8, num_heads=2, stored_pattern_as_static=True,
                          stored_pattern_size=6), "stored_pattern_size must equal hidden_size"),
    ],
)
def test_layers_reject_bad_input(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()
