"""Transformer blocks around Hopfield associations as ``torch.nn.Module`` s (needs PyTorch).

The modules of :mod:`assoc.modern.transformer` (hflayers' ``HopfieldEncoderLayer`` and
``HopfieldDecoderLayer``, same call signatures) around
:class:`assoc.modern.torch_layers.Hopfield` associations; dropouts follow
``module.train()`` / ``module.eval()`` and are drawn in hflayers' order.

Examples
--------
>>> import torch                                                       # doctest: +SKIP
>>> from assoc.modern.torch_layers import Hopfield                     # doctest: +SKIP
>>> enc = HopfieldEncoderLayer(Hopfield(input_size=8), dim_feedforward=16)  # doctest: +SKIP
>>> enc(torch.randn(3, 5, 8)).shape                                    # doctest: +SKIP
torch.Size([3, 5, 8])
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..seeding import SeedLike
from . import transformer as spec
from .torch_layers import Hopfield, _activation, from_layer, to_layer

__all__ = ["HopfieldEncoderLayer", "HopfieldDecoderLayer", "from_block", "to_block"]

_ASSOCIATIONS = {spec.HopfieldEncoderLayer: ("hopfield_association",),
                 spec.HopfieldDecoderLayer: ("hopfield_association_self",
                                             "hopfield_association_cross")}


class _Block(nn.Module):
    _spec_class: type = spec.HopfieldEncoderLayer

    def _load(self, block: Any, dtype: Any = None, device: Any = None) -> None:
        if dtype is None:
            dtype = getattr(torch, np.dtype(block.dtype).name)
        for name in _ASSOCIATIONS[type(block)]:
            setattr(self, name, from_layer(getattr(block, name), dtype=dtype, device=device))
        for name, value in block.params.items():
            t = torch.as_tensor(np.asarray(value).copy(), dtype=dtype, device=device)
            self.register_parameter(name, nn.Parameter(t))
        self.dropout = block.dropout
        self.activation = block.activation
        self.dim_feedforward = block.dim_feedforward
        self._act = _activation(block.activation)
        self._template = copy.copy(block)
        self._template.params = {}

    def _init_from(self, associations: tuple[Any, ...], dim_feedforward: int, dropout: float,
                   activation: str, seed: SeedLike) -> None:
        for a in associations:
            if not isinstance(a, Hopfield):
                raise TypeError("the associations must be assoc.modern.torch_layers.Hopfield "
                                f"modules (got {type(a).__name__})")
        block = self._spec_class(*(to_layer(a) for a in associations), dim_feedforward,
                                 dropout, activation, seed=seed)
        ref = associations[0]._ref
        self._load(block, ref.dtype, ref.device)
        for name, a in zip(_ASSOCIATIONS[self._spec_class], associations, strict=True):
            setattr(self, name, copy.deepcopy(a))  # keeps requires_grad flags and mode

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        p = self._parameters
        return F.layer_norm(x, (x.shape[-1],), p[f"{name}_weight"], p[f"{name}_bias"],
                            spec._LN_EPS)

    def _drop_association(self, a: torch.Tensor, batch_first: bool) -> torch.Tensor:
        """Dropout of an association's output, drawn in hflayers' order: hflayers' output
        is laid out length-major in memory, and dropout draws in memory order."""
        if not self.training or self.dropout == 0.0:
            return a
        if a.dim() == 3:
            a = a.transpose(0, 1).contiguous().transpose(0, 1) if batch_first \
                else a.contiguous()
        return F.dropout(a, self.dropout, True)

    def _feed_forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self._parameters
        h = self._act(torch.matmul(x, p["linear_residual_weight"]) + p["linear_residual_bias"])
        h = F.dropout(h, self.dropout, self.training)
        out = torch.matmul(h, p["linear_output_weight"]) + p["linear_output_bias"]
        return F.dropout(out, self.dropout, self.training)

    def to_block(self) -> Any:
        """The NumPy block with this module's current parameters."""
        return to_block(self)


class HopfieldEncoderLayer(_Block):
    """``torch.nn.Module`` of :class:`assoc.modern.transformer.HopfieldEncoderLayer`.

    Parameters
    ----------
    hopfield_association : assoc.modern.torch_layers.Hopfield
        Copied, as in hflayers.
    dim_feedforward : int
    dropout : float
    activation : str
    seed : int, SeedSequence, Generator or None
        Keyword-only; the feed-forward parameters (those of the NumPy block of that seed).
    """

    _spec_class = spec.HopfieldEncoderLayer

    def __init__(self, hopfield_association: Hopfield, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str = "relu", *,
                 seed: SeedLike = None) -> None:
        super().__init__()
        self._init_from((hopfield_association,), dim_feedforward, dropout, activation, seed)

    def forward(self, src: torch.Tensor, src_mask: Any = None,
                src_key_padding_mask: Any = None) -> torch.Tensor:
        a = self.hopfield_association(src, stored_pattern_padding_mask=src_key_padding_mask,
                                      association_mask=src_mask)
        a = self._drop_association(a, self.hopfield_association.batch_first)
        src = self._norm(src + a, "norm_residual")
        return self._norm(src + self._feed_forward(src), "norm_output")

    def get_association_matrix(self, input: Any) -> torch.Tensor:
        return self.hopfield_association.get_association_matrix(input)

    @property
    def batch_first(self) -> bool:
        return self.hopfield_association.batch_first


class HopfieldDecoderLayer(_Block):
    """``torch.nn.Module`` of :class:`assoc.modern.transformer.HopfieldDecoderLayer`.

    Parameters as :class:`HopfieldEncoderLayer`, with two associations (self, cross).
    """

    _spec_class = spec.HopfieldDecoderLayer

    def __init__(self, hopfield_association_self: Hopfield,
                 hopfield_association_cross: Hopfield, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str = "relu", *,
                 seed: SeedLike = None) -> None:
        super().__init__()
        self._init_from((hopfield_association_self, hopfield_association_cross),
                        dim_feedforward, dropout, activation, seed)

    def forward(self, tgt: torch.Tensor, memory: torch.Tensor, tgt_mask: Any = None,
                memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None) -> torch.Tensor:
        a = self.hopfield_association_self(tgt, stored_pattern_padding_mask=tgt_key_padding_mask,
                                           association_mask=tgt_mask)
        a = self._drop_association(a, self.hopfield_association_self.batch_first)
        tgt = self._norm(tgt + a, "norm_residual_self")
        a = self.hopfield_association_cross((memory, tgt, memory),
                                            stored_pattern_padding_mask=memory_key_padding_mask,
                                            association_mask=memory_mask)
        a = self._drop_association(a, self.hopfield_association_cross.batch_first)
        tgt = self._norm(tgt + a, "norm_residual_cross")
        return self._norm(tgt + self._feed_forward(tgt), "norm_output")

    def get_association_matrix_self(self, input: Any) -> torch.Tensor:
        return self.hopfield_association_self.get_association_matrix(input)

    def get_association_matrix_cross(self, input: Any) -> torch.Tensor:
        return self.hopfield_association_cross.get_association_matrix(input)

    @property
    def batch_first(self) -> bool:
        return self.hopfield_association_self.batch_first


_MODULES = {spec.HopfieldEncoderLayer: HopfieldEncoderLayer,
            spec.HopfieldDecoderLayer: HopfieldDecoderLayer}


def from_block(block: Any, *, dtype: Any = None, device: Any = None) -> _Block:
    """The torch module of a NumPy encoder or decoder block (parameters copied)."""
    cls = _MODULES.get(type(block))
    if cls is None:
        raise TypeError(f"block must be a HopfieldEncoderLayer or HopfieldDecoderLayer "
                        f"(got {type(block)})")
    module = cls.__new__(cls)
    nn.Module.__init__(module)
    module._load(block, dtype, device)
    return module


def to_block(module: _Block) -> Any:
    """The NumPy block with a copy of the module's current parameters."""
    block = copy.copy(module._template)
    first = next(iter(module._parameters.values()))
    dtype = {torch.float32: np.float32, torch.float16: np.float16}.get(first.dtype, np.float64)
    block.dtype = np.dtype(dtype)
    block.params = {k: np.asarray(v.detach().cpu().numpy(), dtype=dtype).copy()
                    for k, v in module._parameters.items()}
    for name in _ASSOCIATIONS[type(block)]:
        setattr(block, name, to_layer(getattr(module, name)))
    return block
