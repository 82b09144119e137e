"""theory.symbolic: a symbolic replica free-energy engine.

Write a replica free energy -- replica symmetric (RS) or one-step RSB -- as a sympy expression
in order parameters and controls, with Gaussian averages as explicit
:class:`GaussianAverage` objects (nestable); the engine derives the stationarity conditions
and the Hessian (differentiating under the averages, with Gaussian integration by parts),
takes zero-temperature limits from a declared scaling, and emits vectorised NumPy (or CuPy)
callables with quadrature that is accurate down to T = 0.  One solver (damped Newton with
a fixed-point fallback, continuation with branch tracking, fold location, Parisi-parameter
optimisation) works on every model.  ``docs/symbolic_engine.md`` has a worked example.

Examples
--------
The Curie-Weiss ferromagnet in a random Gaussian field of variance ``D`` (a model that is not
in the library), ``f = m^2/2 - T E_z log 2cosh(beta (m + sqrt(D) z))``:

>>> import numpy as np, sympy as sp
>>> from theory.symbolic import E, ReplicaFreeEnergy, solve_points
>>> m, z = sp.symbols("m z", real=True)
>>> beta, D = sp.symbols("beta D", positive=True)
>>> f = m**2 / 2 - E(sp.log(2 * sp.cosh(beta * (m + sp.sqrt(D) * z))), z) / beta
>>> model = ReplicaFreeEnergy(f, [m], [beta, D], beta=beta)
>>> model.derive().grad[0]
m - E_z[tanh(sqrt(D)*beta*z + beta*m)]
>>> cf = model.compile()
>>> r = solve_points(cf, np.array([[1.0]]), {"beta": 2.0, "D": 0.1})
>>> round(float(r.x[0, 0]), 6)
0.899184
"""

from .averages import (
    ExpAbsMoment,
    GaussianAverage,
    closed_forms,
    integrate_by_parts,
    logcosh,
    normalize,
    rabs,
    resolve_deltas,
    rsign,
)
from .codegen import Evaluator, KinkError
from .limits import LimitError, zero_temperature_limit
from .model import CompiledFreeEnergy, Derived, ReplicaFreeEnergy
from .solve import FoldResult, continuation, fold, optimize_parameter, solve_points

#: Short alias: ``E(g, z)`` is ``GaussianAverage(g, z)``.
E = GaussianAverage

__all__ = [
    "GaussianAverage",
    "E",
    "ReplicaFreeEnergy",
    "CompiledFreeEnergy",
    "Derived",
    "Evaluator",
    "solve_points",
    "continuation",
    "fold",
    "FoldResult",
    "optimize_parameter",
    "zero_temperature_limit",
    "logcosh",
    "rabs",
    "rsign",
    "ExpAbsMoment",
    "normalize",
    "integrate_by_parts",
    "resolve_deltas",
    "closed_forms",
    "KinkError",
    "LimitError",
]
