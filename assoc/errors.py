"""Exception classes for domain failures (STYLE 14)."""

from __future__ import annotations

from typing import Any

__all__ = ["NotConvergedError"]


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
