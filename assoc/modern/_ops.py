"""The few array operations the layer code uses, for NumPy, CuPy and PyTorch.

The Hopfield layers (:mod:`assoc.modern.layers`) are written once against this small
namespace, so the same code runs on NumPy and CuPy arrays (through
:func:`assoc.backend.get_namespace`) and, through :mod:`assoc.modern.torch_adapter`, on
torch tensors with autograd. All operations are out of place (autograd needs that).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

__all__ = ["ArrayOps", "TorchOps", "ops_for"]


class ArrayOps:
    """NumPy / CuPy implementation (``xp`` is the array module)."""

    def __init__(self, xp: ModuleType) -> None:
        self.xp = xp

    def asarray(self, x: Any, like: Any) -> Any:
        return self.xp.asarray(x, dtype=like.dtype)

    def matmul(self, a: Any, b: Any) -> Any:
        return self.xp.matmul(a, b)

    def exp(self, x: Any) -> Any:
        return self.xp.exp(x)

    def sqrt(self, x: Any) -> Any:
        return self.xp.sqrt(x)

    def amax(self, x: Any, axis: int) -> Any:
        return x.max(axis=axis, keepdims=True)

    def sum(self, x: Any, axis: int) -> Any:
        return x.sum(axis=axis, keepdims=True)

    def mean(self, x: Any, axis: int) -> Any:
        return x.mean(axis=axis, keepdims=True)

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        return self.xp.where(cond, a, b)

    def isfinite(self, x: Any) -> Any:
        return self.xp.isfinite(x)

    def swapaxes(self, x: Any, a: int, b: int) -> Any:
        return self.xp.swapaxes(x, a, b)

    def reshape(self, x: Any, shape: tuple[int, ...]) -> Any:
        return self.xp.reshape(x, shape)

    def expand_dims(self, x: Any, axis: int) -> Any:
        return self.xp.expand_dims(x, axis)

    def max_scalar(self, x: Any) -> float:
        """Largest element as a Python float (no gradient)."""
        return float(x.max())

    def as_bool(self, x: Any, like: Any) -> Any:
        return self.xp.asarray(x, dtype=bool)


class TorchOps(ArrayOps):
    """PyTorch implementation (imported only by the torch adapter)."""

    def __init__(self) -> None:
        import torch

        self.xp = torch

    def asarray(self, x: Any, like: Any) -> Any:
        return self.xp.as_tensor(x, dtype=like.dtype, device=like.device)

    def amax(self, x: Any, axis: int) -> Any:
        return self.xp.amax(x, dim=axis, keepdim=True)

    def sum(self, x: Any, axis: int) -> Any:
        return self.xp.sum(x, dim=axis, keepdim=True)

    def mean(self, x: Any, axis: int) -> Any:
        return self.xp.mean(x, dim=axis, keepdim=True)

    def swapaxes(self, x: Any, a: int, b: int) -> Any:
        return self.xp.transpose(x, a, b)

    def expand_dims(self, x: Any, axis: int) -> Any:
        return self.xp.unsqueeze(x, axis)

    def max_scalar(self, x: Any) -> float:
        return float(x.detach().max())

    def as_bool(self, x: Any, like: Any) -> Any:
        if hasattr(x, "get") and not isinstance(x, self.xp.Tensor):  # CuPy array
            x = x.get()
        return self.xp.as_tensor(x, dtype=self.xp.bool, device=like.device)


def ops_for(xp: ModuleType) -> ArrayOps:
    """:class:`ArrayOps` of a NumPy-like module."""
    return ArrayOps(xp)
