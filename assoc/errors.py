"""Exception classes for domain failures (STYLE 14)."""

from __future__ import annotations

from typing import Any

__all__ = ["NotConvergedError", "InsufficientMemoryError", "InputTypeError"]


class InputTypeError(TypeError, ValueError):
    """An argument of the wrong type (a string, bytes or a bool where a number is expected).

    A TypeError, and also a ValueError, so that code written against the library's earlier
    ValueError for the same input keeps working."""


class NotConvergedError(RuntimeError):
    """A solver did not reach its tolerance.

    Attributes
    ----------
    status : Any
        Per-point status codes of the solver (see the solver's documentation).
    n_iter : Any
        Iterations spent.
    """

    def __init__(self, message: str, *, status: Any = None, n_iter: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.n_iter = n_iter


class InsufficientMemoryError(ValueError):
    """A computation would need more memory than the machine has; raised before allocating.

    Attributes
    ----------
    parameter : str
        The argument to lower (e.g. ``'N'`` or ``'samples'``).
    needed, available : int
        Estimated peak bytes, and the bytes available when the check ran.
    """

    def __init__(self, message: str, *, parameter: str, needed: int, available: int) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.needed = needed
        self.available = available
