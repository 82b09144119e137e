"""Optional PyTorch adapter: same layer code on torch tensors, gradients flow."""

from __future__ import annotations

import numpy as np
import pytest

from assoc.modern.layers import Hopfield, HopfieldLayer, HopfieldPooling

torch = pytest.importorskip("torch")
from assoc.modern.torch_adapter import from_torch, to_torch  # noqa: E402


def test_adapter_equals_numpy_layer_with_all_features() -> None:
    layer = Hopfield(input_size=12, num_heads=3, update_steps_max=2, update_steps_eps=0.0,
                     seed=0)
    rng = np.random.default_rng(1)
    Y, R = rng.normal(size=(2, 7, 12)), rng.normal(size=(2, 4, 12))
    mask = np.zeros((2, 7), dtype=bool)
    mask[0, 5:] = True
    ref = layer(Y, R, stored_pattern_padding_mask=mask)
    module = to_torch(layer)
    out = module(torch.tensor(Y), torch.tensor(R),
                 stored_pattern_padding_mask=torch.tensor(mask))
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=0, atol=1e-12)


def test_layer_equals_torch_multihead_attention() -> None:
    E, H = 12, 3
    layer = Hopfield(input_size=E, num_heads=H, normalize_stored_pattern=False,
                     normalize_state_pattern=False, normalize_pattern_projection=False, seed=2)
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


def test_gradients_flow_and_match_finite_differences() -> None:
    layer = Hopfield(input_size=4, num_heads=2, update_steps_max=1, update_steps_eps=0.0,
                     seed=4)
    module = to_torch(layer)
    Y = torch.randn(1, 3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0),
                    requires_grad=True)
    out = module(Y)
    out.square().sum().backward()
    assert Y.grad is not None and torch.isfinite(Y.grad).all()
    assert all(p.grad is not None for p in module.parameters())
    Y2 = Y.detach().clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda y: module(y), (Y2,), eps=1e-6, atol=1e-6)


def test_pooling_layer_and_round_trip() -> None:
    pool = HopfieldPooling(8, quantity=2, seed=5)
    mem = HopfieldLayer(8, quantity=6, seed=6)
    Y = np.random.default_rng(7).normal(size=(3, 5, 8))
    for lay in (pool, mem):
        module = to_torch(lay)
        np.testing.assert_allclose(module(torch.tensor(Y)).detach().numpy(), lay(Y), atol=1e-12)
        with torch.no_grad():
            for p in module.parameters():
                p.mul_(1.5)
        back = from_torch(module)
        np.testing.assert_allclose(back(Y), module(torch.tensor(Y)).detach().numpy(), atol=1e-12)
        assert type(back) is type(lay)


def test_to_torch_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="layer must be"):
        to_torch(object())
