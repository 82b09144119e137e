"""Optional PyTorch adapter: NumPy Hopfield layers to ``torch.nn.Module`` s and back.

PyTorch is *not* a dependency of the library: this module imports torch only when one of
its functions is called, and raises an ImportError that says how to install it otherwise.
:func:`to_torch` turns a :class:`~assoc.modern.layers.Hopfield`,
:class:`~assoc.modern.layers.HopfieldPooling`, :class:`~assoc.modern.layers.HopfieldLayer`,
:class:`~assoc.modern.transformer.HopfieldEncoderLayer` or
:class:`~assoc.modern.transformer.HopfieldDecoderLayer` into the module of
:mod:`assoc.modern.torch_layers` / :mod:`assoc.modern.torch_transformer` with a copy of its
parameters (``torch.nn.Parameter`` s, same names and shapes), and :func:`from_torch` returns
the NumPy layer with a module's (trained) parameters.

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

from typing import Any

from .layers import Hopfield, HopfieldLayer, HopfieldPooling
from .transformer import HopfieldDecoderLayer, HopfieldEncoderLayer

__all__ = ["to_torch", "from_torch", "has_torch"]

_LAYERS = (Hopfield, HopfieldPooling, HopfieldLayer)
_BLOCKS = (HopfieldEncoderLayer, HopfieldDecoderLayer)


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


def to_torch(layer: Any, *, device: Any = None, dtype: Any = None) -> Any:
    """The ``torch.nn.Module`` of a NumPy layer, with a copy of its parameters.

    Parameters
    ----------
    layer : Hopfield, HopfieldPooling, HopfieldLayer, HopfieldEncoderLayer or
        HopfieldDecoderLayer
    device : torch device, optional
    dtype : torch dtype, optional
        Default: the layer's dtype (float64 stays float64).

    Returns
    -------
    torch.nn.Module
        :mod:`assoc.modern.torch_layers` (hflayers' forward signature) or
        :mod:`assoc.modern.torch_transformer` module.

    Raises
    ------
    ImportError
        Without PyTorch.
    """
    if not isinstance(layer, _LAYERS + _BLOCKS):
        raise TypeError(
            "layer must be a Hopfield, HopfieldPooling, HopfieldLayer, HopfieldEncoderLayer or "
            f"HopfieldDecoderLayer (got {type(layer)})"
        )
    _torch()
    if isinstance(layer, _BLOCKS):
        from .torch_transformer import from_block

        return from_block(layer, dtype=dtype, device=device)
    from .torch_layers import from_layer

    return from_layer(layer, dtype=dtype, device=device)


def from_torch(module: Any) -> Any:
    """The NumPy layer with the (trained) parameters of a module of :func:`to_torch` or of
    :mod:`assoc.modern.torch_layers` / :mod:`assoc.modern.torch_transformer`."""
    _torch()
    from .torch_layers import _HopfieldModule, to_layer
    from .torch_transformer import _Block, to_block

    if isinstance(module, _HopfieldModule):
        return to_layer(module)
    if isinstance(module, _Block):
        return to_block(module)
    raise TypeError(f"module must be a module of assoc.modern.torch_layers or "
                    f"torch_transformer (got {type(module)})")
