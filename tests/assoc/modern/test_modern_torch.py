"""Optional PyTorch path: the torch modules equal the NumPy specification, gradients flow."""

from __future__ import annotations

import numpy as np
import pytest

from assoc.modern.layers import Hopfield, HopfieldLayer, HopfieldPooling
from assoc.modern.transformer import HopfieldDecoderLayer, HopfieldEncoderLayer

torch = pytest.importorskip("torch")
from assoc.modern import torch_layers  # noqa: E402
from assoc.modern.torch_adapter import from_torch, to_torch  # noqa: E402

RAW = dict(normalize_stored_pattern=False, normalize_state_pattern=False,
           normalize_pattern_projection=False)


def _randomise(layer: object, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for k, v in layer.params.items():
        layer.params[k] = v + 0.3 * rng.normal(size=v.shape)


def _t(*arrays: np.ndarray) -> tuple:
    return tuple(torch.tensor(a) for a in arrays)


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(update_steps_max=2, update_steps_eps=0.0),
    dict(update_steps_max=[1, 3], update_steps_eps=[1e-3, 1e-6], scaling=[0.4, 2.0]),
    dict(update_steps_max=[None, 2], update_steps_eps=1e-6, scaling=2.0),
    dict(normalize_hopfield_space=True, normalize_hopfield_space_affine=True),
    dict(pattern_projection_as_connected=True, add_zero_association=True),
    dict(stored_pattern_as_static=True, stored_pattern_size=4, hidden_size=4,
         normalize_stored_pattern_eps=1e-2, normalize_state_pattern_affine=False),
    dict(batch_first=False, association_activation="sigmoid", bias=False),
])
def test_module_equals_numpy_layer(kwargs: dict) -> None:
    layer = Hopfield(input_size=8, num_heads=2, seed=0, **kwargs)
    _randomise(layer, 1)
    c = layer.config
    rng = np.random.default_rng(2)
    Y, R = rng.normal(size=(3, 7, c.stored_size)), rng.normal(size=(3, 4, c.state_size))
    P = rng.normal(size=(3, 7, c.projection_size))
    if not c.batch_first:
        Y, R, P = (x.swapaxes(0, 1) for x in (Y, R, P))
    pad = np.zeros((3, 7), dtype=bool)
    pad[0, 5:] = True
    amask = rng.uniform(-2, 0, size=(3, 2, 4, 7))
    module = to_torch(layer)
    for masks in ({}, dict(stored_pattern_padding_mask=pad, association_mask=amask)):
        ref, w = layer.association(Y, R, P, **masks)
        tmasks = {k: torch.tensor(v) for k, v in masks.items()}
        out = module(_t(Y, R, P), **tmasks)  # the fast path
        assert out.dtype == torch.float64
        np.testing.assert_allclose(out.detach().numpy(), ref, rtol=0, atol=1e-12)
        out2, w2 = module.association(_t(Y, R, P), **tmasks)  # the path with weights
        np.testing.assert_allclose(out2.detach().numpy(), ref, rtol=0, atol=1e-12)
        np.testing.assert_allclose(w2.detach().numpy(), w, rtol=0, atol=1e-12)
        np.testing.assert_allclose(
            module.get_projected_pattern_matrix(_t(Y, R, P)).numpy(),
            layer.get_projected_pattern_matrix(Y, R, P), rtol=0, atol=1e-12)
    if c.stored_size == c.state_size == c.projection_size:  # self-association (fused QKV)
        np.testing.assert_allclose(module(torch.tensor(Y)).detach().numpy(), layer(Y),
                                   rtol=0, atol=1e-12)


def test_layer_equals_torch_multihead_attention() -> None:
    E, H = 12, 3
    layer = Hopfield(input_size=E, num_heads=H, seed=2, **RAW)
    P = layer.params
    mha = torch.nn.MultiheadAttention(E, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.tensor(np.concatenate([P["W_Q"].T, P["W_K"].T,
                                                              P["W_V"].T])))
        mha.in_proj_bias.copy_(torch.tensor(np.concatenate([P["b_Q"], P["b_K"], P["b_V"]])))
        mha.out_proj.weight.copy_(torch.tensor(P["W_O"].T))
        mha.out_proj.bias.copy_(torch.tensor(P["b_O"]))
    rng = np.random.default_rng(3)
    q, kv = rng.normal(size=(2, 5, E)), rng.normal(size=(2, 8, E))
    ref, _ = mha(torch.tensor(q), torch.tensor(kv), torch.tensor(kv), need_weights=False)
    np.testing.assert_allclose(layer(kv, q), ref.detach().numpy(), rtol=0, atol=1e-12)
    module = torch_layers.from_layer(layer)
    np.testing.assert_allclose(module(_t(kv, q, kv)).detach().numpy(), ref.detach().numpy(),
                               rtol=0, atol=1e-12)


def test_gradients_flow_and_match_finite_differences() -> None:
    layer = Hopfield(input_size=4, num_heads=2, update_steps_max=[1, 2], update_steps_eps=0.0,
                     seed=4)
    module = to_torch(layer)
    g = torch.Generator().manual_seed(0)
    Y = torch.randn(2, 3, 4, dtype=torch.float64, generator=g, requires_grad=True)
    R = torch.randn(2, 2, 4, dtype=torch.float64, generator=g, requires_grad=True)
    mask = torch.zeros(2, 3, dtype=torch.float64)
    mask[0, 2] = -1.0
    module((Y, R, Y), stored_pattern_padding_mask=mask).square().sum().backward()
    assert Y.grad is not None and torch.isfinite(Y.grad).all()
    assert all(p.grad is not None for p in module.parameters())
    Y2, R2 = (x.detach().clone().requires_grad_(True) for x in (Y, R))
    assert torch.autograd.gradcheck(
        lambda y, r: module((y, r, y), stored_pattern_padding_mask=mask), (Y2, R2),
        eps=1e-6, atol=1e-6)


def test_fully_masked_states_get_zero_weights_and_finite_gradients() -> None:
    module = torch_layers.Hopfield(input_size=4, num_heads=2, seed=0, dtype=torch.float64)
    Y = torch.tensor(np.random.default_rng(1).normal(size=(2, 3, 4)), requires_grad=True)
    pad = torch.tensor([[True, True, True], [False, False, True]])
    out, w = module.association(Y, stored_pattern_padding_mask=pad)
    assert (w[0] == 0).all() and torch.isfinite(out).all()
    module(Y, stored_pattern_padding_mask=pad).sum().backward()
    assert torch.isfinite(Y.grad).all()
    ref = module.to_layer()(Y.detach().numpy(), stored_pattern_padding_mask=pad.numpy())
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)


def test_static_parameterless_module() -> None:
    """Formerly StopIteration: an all-static association has no parameters."""
    module = torch_layers.Hopfield(input_size=4, stored_pattern_as_static=True,
                                   state_pattern_as_static=True, pattern_projection_as_static=True,
                                   disable_out_projection=True, **RAW)
    assert list(module.parameters()) == []
    x = torch.tensor(np.random.default_rng(2).normal(size=(2, 3, 4)), dtype=torch.float32)
    assert module(x).shape == (2, 3, 4) and module(x).dtype == torch.float32
    module = module.to(torch.float64)
    assert module(x.double()).dtype == torch.float64


def test_modules_made_directly_equal_the_layer_of_their_seed() -> None:
    x = np.random.default_rng(0).normal(size=(2, 5, 8))
    for cls, kw in ((Hopfield, {}), (HopfieldPooling, dict(quantity=3)),
                    (HopfieldLayer, dict(quantity=6, lookup_weights_as_separated=True))):
        module = getattr(torch_layers, cls.__name__)(8, num_heads=2, seed=3, dtype=torch.float64,
                                                     **kw)
        layer = cls(8, num_heads=2, seed=3, **kw)
        out = module.association(torch.tensor(x))[0].detach().numpy()
        np.testing.assert_allclose(out, layer(x), atol=1e-12)
    pool = torch_layers.HopfieldPooling(8, quantity=3, trainable=False)
    assert pool(torch.zeros(2, 5, 8)).shape == (2, 24)  # flattened as hflayers
    assert not pool.pooling_weights.requires_grad


def test_float32_and_extra_batch_axes() -> None:
    layer = HopfieldLayer(8, num_heads=2, quantity=6, update_steps_max=2, update_steps_eps=0.0,
                          seed=5)
    x = np.random.default_rng(1).normal(size=(2, 3, 4, 8))
    m32 = to_torch(layer, dtype=torch.float32)
    out = m32(torch.tensor(x, dtype=torch.float32))
    assert out.dtype == torch.float32 and out.shape == (2, 3, 4, 8)
    np.testing.assert_allclose(out.detach().numpy(), layer(x), atol=2e-5)


def test_round_trips() -> None:
    pool = HopfieldPooling(8, quantity=2, seed=5)
    mem = HopfieldLayer(8, quantity=6, seed=6)
    Y = np.random.default_rng(7).normal(size=(3, 5, 8))
    for lay in (pool, mem):
        module = to_torch(lay)
        np.testing.assert_allclose(module.association(torch.tensor(Y))[0].detach().numpy(),
                                   lay(Y), atol=1e-12)
        with torch.no_grad():
            for p in module.parameters():
                p.mul_(1.5)
        back = from_torch(module)
        np.testing.assert_allclose(back(Y), module.association(torch.tensor(Y))[0]
                                   .detach().numpy(), atol=1e-12)
        assert type(back) is type(lay)
    enc = HopfieldEncoderLayer(Hopfield(input_size=8, num_heads=2, seed=0), dim_feedforward=16,
                               seed=1)
    dec = HopfieldDecoderLayer(Hopfield(input_size=8, seed=0), Hopfield(input_size=8, seed=1),
                               dim_feedforward=16, seed=2)
    mem_ = np.random.default_rng(8).normal(size=(3, 4, 8))
    te, td = to_torch(enc).eval(), to_torch(dec).eval()
    np.testing.assert_allclose(te(torch.tensor(Y)).detach().numpy(), enc(Y), atol=1e-12)
    np.testing.assert_allclose(td(torch.tensor(Y), torch.tensor(mem_)).detach().numpy(),
                               dec(Y, mem_), atol=1e-12)
    np.testing.assert_allclose(from_torch(td)(Y, mem_), dec(Y, mem_), atol=1e-12)
    from assoc.modern.torch_transformer import HopfieldEncoderLayer as TorchEncoder

    made = TorchEncoder(torch_layers.Hopfield(8, num_heads=2, seed=0, dtype=torch.float64),
                        dim_feedforward=16, seed=1).eval()
    np.testing.assert_allclose(made(torch.tensor(Y)).detach().numpy(), enc(Y), atol=1e-12)


def test_to_torch_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="layer must be"):
        to_torch(object())
