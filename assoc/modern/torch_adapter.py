"""Optional PyTorch adapter: run the Hopfield layers on torch tensors, with autograd.

PyTorch is *not* a dependency of the library: this module imports torch only when one of
its functions is called, and raises an ImportError that says how to install it otherwise.
:func:`to_torch` wraps a :class:`~assoc.modern.layers.Hopfield`,
:class:`~assoc.modern.layers.HopfieldPooling` or :class:`~assoc.modern.layers.HopfieldLayer`
into a ``torch.nn.Module`` whose parameters are ``torch.nn.Parameter`` copies of the
layer's arrays and whose ``forward`` is the *same* function
(:func:`assoc.modern.layers.hopfield_forward`) evaluated with torch operations, so
gradients flow to the parameters and the inputs.

Examples
--------
>>> import numpy as np
>>> from assoc.modern.layers import Hopfield
>>> layer = Hopfield(input_size=4, seed=0)
>>> module = to_torch(layer)                      # doctest: +SKIP
>>> out = module(torch.randn(2, 3, 4))            # doctest: +SKIP
>>> out.sum().backward()                          # doctest: +SKIP
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..backend import to_numpy
from .layers import Hopfield, HopfieldLayer, HopfieldPooling, _check_input, _check_masks

__all__ = ["to_torch", "from_torch", "has_torch"]

_MODULE_CLASS: Any = None


def has_torch() -> bool:
    """True when ``import torch`` works."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised without torch
        raise ImportError(
            "the torch adapter needs PyTorch, which is optional: pip install torch"
        ) from exc
    return torch


def _module_class() -> Any:
    global _MODULE_CLASS
    if _MODULE_CLASS is not None:
        return _MODULE_CLASS
    torch = _torch()
    from ._ops import TorchOps
    from .layers import hopfield_forward

    class TorchHopfield(torch.nn.Module):
        """``torch.nn.Module`` running :func:`assoc.modern.layers.hopfield_forward`."""

        def __init__(self, layer: Any, device: Any = None, dtype: Any = None) -> None:
            super().__init__()
            self.layer_type = type(layer)
            self.config = layer.config
            self._template = layer
            tdtype = dtype if dtype is not None else getattr(torch, np.dtype(layer.dtype).name)
            self.params = torch.nn.ParameterDict(
                {
                    k: torch.nn.Parameter(
                        torch.as_tensor(to_numpy(v).copy(), dtype=tdtype, device=device)
                    )
                    for k, v in layer.params.items()
                }
            )
            self._ops = TorchOps()

        def _as(self, x: Any) -> Any:
            ref = next(iter(self.params.values()))
            return torch.as_tensor(x, dtype=ref.dtype, device=ref.device)

        def forward(
            self,
            *inputs: Any,
            stored_pattern_padding_mask: Any = None,
            association_mask: Any = None,
            return_weights: bool = False,
        ) -> Any:
            """Inputs as for the wrapped layer's ``__call__`` (positional)."""
            c = self.config
            p = dict(self.params.items())
            if self.layer_type is Hopfield:
                if not 1 <= len(inputs) <= 3:
                    raise TypeError("forward(stored, state=None, pattern_projection=None)")
                stored = self._as(inputs[0])
                state = self._as(inputs[1]) if len(inputs) > 1 and inputs[1] is not None else stored
                proj = self._as(inputs[2]) if len(inputs) > 2 and inputs[2] is not None else stored
            elif self.layer_type is HopfieldPooling:
                if not 1 <= len(inputs) <= 2:
                    raise TypeError("forward(stored, pattern_projection=None)")
                stored = self._as(inputs[0])
                proj = self._as(inputs[1]) if len(inputs) > 1 and inputs[1] is not None else stored
                state = p["pooling_weights"]
            else:
                if len(inputs) != 1:
                    raise TypeError("forward(state)")
                state = self._as(inputs[0])
                stored = p["lookup_weights"]
                proj = p.get("target_weights", stored)
            _check_input("stored", stored, c.stored_size)
            _check_input("state", state, c.state_size)
            _check_input("pattern_projection", proj, c.projection_size)
            _check_masks(stored, state, stored_pattern_padding_mask, association_mask)
            out, weights = hopfield_forward(
                p, c, self._ops, stored, state, proj,
                stored_pattern_padding_mask, association_mask,
            )
            return (out, weights) if return_weights else out

        def to_layer(self) -> Any:
            """A copy of the NumPy layer with this module's current parameters."""
            return from_torch(self)

    _MODULE_CLASS = TorchHopfield
    return TorchHopfield


def to_torch(layer: Hopfield | HopfieldPooling | HopfieldLayer, *, device: Any = None,
             dtype: Any = None) -> Any:
    """Wrap a Hopfield layer into a ``torch.nn.Module`` (parameters copied).

    Parameters
    ----------
    layer : Hopfield, HopfieldPooling or HopfieldLayer
    device : torch device, optional
    dtype : torch dtype, optional
        Default: the layer's dtype (float64 stays float64).

    Returns
    -------
    torch.nn.Module
        ``forward`` takes the layer's positional inputs and the keyword masks, plus
        ``return_weights`` to also return the association weights.

    Raises
    ------
    ImportError
        Without PyTorch.
    """
    if not isinstance(layer, (Hopfield, HopfieldPooling, HopfieldLayer)):
        raise TypeError(
            f"layer must be a Hopfield, HopfieldPooling or HopfieldLayer (got {type(layer)})"
        )
    return _module_class()(layer, device=device, dtype=dtype)


def from_torch(module: Any) -> Hopfield | HopfieldPooling | HopfieldLayer:
    """The NumPy layer with the (trained) parameters of a module made by :func:`to_torch`."""
    layer = copy.copy(module._template)
    layer.params = {
        k: np.asarray(v.detach().cpu().numpy(), dtype=layer.dtype).copy()
        for k, v in module.params.items()
    }
    return layer
