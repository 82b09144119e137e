"""A free energy averaged over a discrete quenched variable whose law varies per point.

Some replica free energies carry, besides the Gaussian averages, an average over a discrete
site variable ``c`` with a law that depends on the controls: the example average of a
network trained on M noisy examples (:mod:`theory.dense_learning`), ``c`` a rescaled
binomial with M + 1 atoms.  Written out, that is M + 1 Gaussian averages per expression,
whose derivation and compilation grow with M.  When the free energy is affine in that
average, ``f = E_c f_c`` with ``f_c`` one model in which ``c`` is a control, and so are its
derivatives, its stationarity conditions, Hessian, control derivatives and replicon:
:class:`MixtureFreeEnergy` compiles ``f_c`` once and sums every evaluation over the atoms of
each point (the points' atoms padded to a common count with zero weights).

The wrapper is a :class:`~theory.symbolic.model.CompiledFreeEnergy`, so every solver of
:mod:`theory.symbolic.solve` (Newton, continuation, folds) runs on it unchanged.  Its
controls are the user's (e.g. alpha, r, M, beta); ``expand`` maps them to the base model's
controls and the atoms.  Two differences from a compiled model:

* ``fixed_point_map`` is the scalar Newton map ``x_j - g_j/H_jj`` of the mixed gradient for
  every parameter (an average of the base model's maps is not a map of the average);
* the base model's constraints and stability expressions are averaged over the atoms, which
  is right for expressions affine in the averages (the replicon ``1 - b E[...]``, or
  anything that does not depend on c).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .model import CompiledFreeEnergy, ReplicaFreeEnergy

__all__ = ["MixtureFreeEnergy"]

#: ``expand(controls) -> (base controls, weights)``: from the user's controls, each an
#: array of shape (n,), the base model's controls as arrays broadcastable to (n, A) and the
#: atoms' weights (n, A), each row summing to 1.
Expand = Callable[[Mapping[str, np.ndarray]], tuple[Mapping[str, np.ndarray], np.ndarray]]


class _Reduced:
    """An Evaluator of the base model whose outputs are summed over the atoms: called with
    the expanded arguments and the weights (n, A) last."""

    def __init__(self, ev: Any) -> None:
        self.ev = ev

    @property
    def depth(self) -> int:
        """The nesting depth of the base model's averages."""
        return self.ev.depth

    def __call__(self, *args: Any) -> list[np.ndarray]:
        *base, w = args
        out = []
        for v in self.ev(*base):
            v = np.broadcast_to(np.asarray(v, dtype=float), (w.size,)).reshape(w.shape)
            out.append(np.sum(np.where(w > 0, v, 0.0) * w, axis=1))
        return out


class MixtureFreeEnergy(CompiledFreeEnergy):
    """``E_c`` of a compiled base model over a per-point discrete law (module docstring).

    Parameters
    ----------
    model : ReplicaFreeEnergy
        The base model ``f_c``: its controls include the atom variable(s).
    controls : sequence of str
        The user's controls, in order.
    expand : callable
        ``expand(controls) -> (base_controls, weights)``, see :data:`Expand`.
    backend : str
    """

    def __init__(self, model: ReplicaFreeEnergy, controls: Sequence[str], expand: Expand,
                 backend: str = "numpy") -> None:
        super().__init__(model, backend)
        self._user_controls = tuple(controls)
        self._expand = expand

    @property
    def control_names(self) -> tuple[str, ...]:
        return self._user_controls

    def _evaluator(self, key, targets) -> _Reduced:  # noqa: ANN001
        return _Reduced(super()._evaluator(key, targets))

    def _args(self, x: np.ndarray, controls: Mapping[str, Any]) -> list:
        x, cs = self._checked(x, controls)
        n = x.shape[0]
        if n == 0:  # no points (a solver's empty subset): no atoms either
            empty = np.empty(0)
            return [*(empty for _ in range(x.shape[1] + len(self.model.controls))),
                    np.empty((0, 1))]
        base, w = self._expand(dict(zip(self.control_names, cs, strict=True)))
        w = np.asarray(w, dtype=float).reshape(n, -1)
        A = w.shape[1]
        xs = [np.repeat(x[:, k], A) for k in range(x.shape[1])]
        cs = [np.broadcast_to(np.asarray(base[c.name], dtype=float).reshape(n, -1),
                              (n, A)).ravel() for c in self.model.controls]
        return [*xs, *cs, w]

    def _control_symbol(self, control: str):  # noqa: ANN202
        if control not in self.control_names:
            raise ValueError(f"{control!r} is not a control of {self.model.name} "
                             f"(controls: {self.control_names})")
        c = next((s for s in self.model.controls if s.name == control), None)
        if c is None:
            raise ValueError(f"{control!r} sets the law of the mixture of {self.model.name}: "
                             "derivatives with respect to it are not available")
        return c

    def observe_atoms(self, name: str, expr, x, controls) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
        """An expression of the base model at every atom, unreduced: values and weights, each
        (n, A), so that quantities that are not affine in the atoms' averages can be formed
        (``name`` keys the cache, as in :meth:`observe`)."""
        ev = CompiledFreeEnergy._evaluator(self, ("obs", name), [expr])
        *base, w = self._args(x, controls)
        v = np.broadcast_to(np.asarray(ev(*base)[0], dtype=float), (w.size,)).reshape(w.shape)
        return np.where(w > 0, v, 0.0), w

    def fixed_point_map(self, x, controls) -> np.ndarray:  # noqa: ANN001
        """Scalar Newton map ``x_j - g_j/H_jj`` of the mixed gradient (module docstring)."""
        x = np.asarray(x, dtype=float)
        g, H = self.grad_hess(x, controls)
        with np.errstate(all="ignore"):
            return x - g / np.diagonal(H, axis1=1, axis2=2)
